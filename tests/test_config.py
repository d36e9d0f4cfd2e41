"""Settings the operator sets: the provider timeout, the webhook URL, the push rate."""

from __future__ import annotations

from pathlib import Path

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


def test_a_path_keeps_sqlite_and_a_postgresql_url_selects_postgresql() -> None:
    sqlite = Settings.from_env({"SMSBOT_DATABASE": "/var/lib/smsbot/bot.sqlite3"})
    assert (sqlite.database_url, sqlite.database_target) == (None, "/var/lib/smsbot/bot.sqlite3")
    for url in (
        "postgresql://bot:pw@db.internal:5432/smsbot",
        "postgres://bot@/smsbot?host=/run/postgresql",
    ):
        settings = Settings.from_env({"SMSBOT_DATABASE": url, "SMSBOT_MASTER_KEYS": "a:b"})
        assert settings.database_target == url
        assert "pw" not in repr(settings)
    shown = Settings.from_env(
        {"SMSBOT_DATABASE": "postgresql://bot:pw@db:5432/x", "SMSBOT_MASTER_KEYS": "a:b"}
    ).database_shown
    assert shown == "postgresql://bot:***@db:5432/x"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMSBOT_DATABASE": "mysql://bot:pw@db/x"}, "SMSBOT_DATABASE must be a SQLite file"),
        ({"SMSBOT_DATABASE": "postgresql://bot:pw@db:port/x"}, "not a valid PostgreSQL URL"),
        ({"SMSBOT_DATABASE": "postgresql://bot:pw@/x"}, "names no host"),
        ({"SMSBOT_DATABASE_POOL_SIZE": "0"}, "SMSBOT_DATABASE_POOL_SIZE"),
        ({"SMSBOT_DATABASE_STATEMENT_TIMEOUT": "never"}, "SMSBOT_DATABASE_STATEMENT_TIMEOUT"),
    ],
)
def test_a_bad_database_setting_names_its_variable_and_never_the_password(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env({"SMSBOT_MASTER_KEYS": "a:b", **env})
    assert "pw" not in str(caught.value)


def test_pool_size_and_statement_timeout_are_read() -> None:
    settings = Settings.from_env(
        {"SMSBOT_DATABASE_POOL_SIZE": "25", "SMSBOT_DATABASE_STATEMENT_TIMEOUT": "2.5"}
    )
    assert (settings.database_pool_size, settings.database_statement_timeout) == (25, 2.5)


def test_master_keys_come_from_a_file_such_as_a_docker_secret(tmp_path: Path) -> None:
    secret = tmp_path / "smsbot_master_keys"
    secret.write_text("k1:" + "A" * 43 + "=\n", encoding="utf-8")
    settings = Settings.from_env({"SMSBOT_MASTER_KEYS_FILE": str(secret)})
    assert settings.master_keys is not None
    assert settings.master_keys.reveal() == "k1:" + "A" * 43 + "="
    assert "AAAA" not in repr(settings)
    # The variable wins over the file; a missing file is one line naming the variable.
    both = Settings.from_env({"SMSBOT_MASTER_KEYS": "a:b", "SMSBOT_MASTER_KEYS_FILE": "/nope"})
    assert both.master_keys is not None and both.master_keys.reveal() == "a:b"
    with pytest.raises(ConfigError, match=r"^SMSBOT_MASTER_KEYS_FILE cannot be read"):
        Settings.from_env({"SMSBOT_MASTER_KEYS_FILE": str(tmp_path / "missing")})
    secret.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^SMSBOT_MASTER_KEYS_FILE is empty"):
        Settings.from_env({"SMSBOT_MASTER_KEYS_FILE": str(secret)})


def test_the_dockerfile_exposes_the_webhook_receiver_and_keeps_keys_off_the_data_volume() -> None:
    dockerfile = (Path(__file__).parent.parent / "Dockerfile").read_text(encoding="utf-8")
    assert "EXPOSE 8090" in dockerfile
    assert "SMSBOT_WEBHOOK_LISTEN=0.0.0.0:8090" in dockerfile
    assert "SMSBOT_MASTER_KEYS_FILE=/run/secrets/" in dockerfile


def test_the_telegram_push_rate_defaults_to_thirty_and_can_be_set() -> None:
    assert Settings.from_env({}).telegram_push_rate == 30.0
    assert Settings.from_env({"SMSBOT_TELEGRAM_PUSH_RATE": "12.5"}).telegram_push_rate == 12.5


@pytest.mark.parametrize("value", ["fast", "0", "-3", "inf", "nan", "5000"])
def test_a_bad_telegram_push_rate_stops_start_up_naming_its_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="SMSBOT_TELEGRAM_PUSH_RATE"):
        Settings.from_env({"SMSBOT_TELEGRAM_PUSH_RATE": value})
