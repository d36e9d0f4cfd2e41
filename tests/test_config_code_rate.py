"""Settings of the code-rate aggregate (issue 17): on by default, off for a private deployment."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


def test_the_code_rate_is_on_by_default_and_can_be_turned_off() -> None:
    default = Settings.from_env({})
    assert (default.code_rate, default.code_rate_min_sample, default.code_rate_days) == (
        True, 20, 30,
    )
    private = Settings.from_env(
        {"SMSBOT_CODE_RATE": "off", "SMSBOT_CODE_RATE_MIN_SAMPLE": "50",
         "SMSBOT_CODE_RATE_DAYS": "7"}
    )
    assert (private.code_rate, private.code_rate_min_sample, private.code_rate_days) == (
        False, 50, 7,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("SMSBOT_CODE_RATE", "maybe"), ("SMSBOT_CODE_RATE_MIN_SAMPLE", "0"),
     ("SMSBOT_CODE_RATE_DAYS", "-3"), ("SMSBOT_CODE_RATE_DAYS", "ten")],
)
def test_a_bad_code_rate_setting_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
