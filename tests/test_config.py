"""Settings the operator sets: the provider timeout, the webhook URL, the push rate."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_PROVIDER_TIMEOUT, ConfigError, Settings


def test_the_provider_timeout_defaults_and_can_be_set() -> None:
    assert Settings.from_env({}).provider_timeout == DEFAULT_PROVIDER_TIMEOUT
    assert Settings.from_env({"SMSBOT_PROVIDER_TIMEOUT": "2.5"}).provider_timeout == 2.5


@pytest.mark.parametrize("value", ["soon", "0", "0.5", "301", "nan"])
def test_a_bad_provider_timeout_names_its_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="SMSBOT_PROVIDER_TIMEOUT"):
        Settings.from_env({"SMSBOT_PROVIDER_TIMEOUT": value})


def test_the_webhook_public_url_is_optional_and_checked() -> None:
    assert Settings.from_env({}).webhook_public_url is None
    env = {"SMSBOT_WEBHOOK_PUBLIC_URL": "https://bot.example.test/hooks/"}
    assert Settings.from_env(env).webhook_public_url == "https://bot.example.test/hooks"
    for bad in ("bot.example.test", "ftp://x/", "https://u:p@x/", "https://x/?token=1"):
        with pytest.raises(ConfigError, match="SMSBOT_WEBHOOK_PUBLIC_URL"):
            Settings.from_env({"SMSBOT_WEBHOOK_PUBLIC_URL": bad})


def test_the_telegram_push_rate_defaults_to_thirty_and_can_be_set() -> None:
    assert Settings.from_env({}).telegram_push_rate == 30.0
    assert Settings.from_env({"SMSBOT_TELEGRAM_PUSH_RATE": "12.5"}).telegram_push_rate == 12.5


@pytest.mark.parametrize("value", ["fast", "0", "-3", "inf", "nan", "5000"])
def test_a_bad_telegram_push_rate_stops_start_up_naming_its_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="SMSBOT_TELEGRAM_PUSH_RATE"):
        Settings.from_env({"SMSBOT_TELEGRAM_PUSH_RATE": value})
