"""Settings, read once from the environment into a frozen dataclass that fails fast.

The variable names are a contract (README "Configuration"). A wrong or missing setting
raises :class:`ConfigError` whose message is one line naming the variable; secrets are held
as :class:`~bot.secret.Secret` and never echoed.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from bot.provider.presets import DEFAULT_PRESET, InvalidEndpointError, resolve_endpoint
from bot.secret import Secret

DEFAULT_TELEGRAM_API_URL: Final = "https://api.telegram.org"
DEFAULT_DATABASE: Final = "./data/smsbot.sqlite3"
DEFAULT_POLL_INTERVAL: Final = 3.0
DEFAULT_PROVIDER_TIMEOUT: Final = 20.0
DEFAULT_TELEGRAM_PUSH_RATE: Final = 30.0
_LOG_LEVELS: Final = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message is one line fit for the operator."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything smsbot reads from the environment.

    Attributes:
        telegram_token: the bot token (required by ``smsbot run``).
        telegram_api_url: the Bot API root (a local Bot API server, or a test fake).
        provider: the default provider: a preset name or a full handler_api URL.
        database: the SQLite file.
        master_keys: the vault keyring text ``id:base64key,…``; None means a generated key
            file beside the database.
        poll_interval: seconds between watcher ticks.
        allowed_users: Telegram user ids allowed to use the bot; empty means everyone.
        log_level: the root log level name.
        webhook_secret: turns the provider-webhook receiver on; the secret path part.
        webhook_listen: where the receiver listens.
        custom_providers: which provider URLs users may set: off, public or any.
        webhook_public_url: the receiver's address as the provider reaches it (behind a
            reverse proxy), or None for ``http://`` + webhook_listen.
        provider_timeout: seconds a provider call may take to answer before its outcome is
            unknown (a paid call is then reconciled, a read-only one retried).
        telegram_push_rate: pushes (codes, rent SMS, reminders, notices) sent a second at
            most, across all chats; Telegram's figure for bulk notifications is about 30.
    """

    telegram_token: Secret | None
    telegram_api_url: str
    provider: str
    database: Path
    master_keys: Secret | None
    poll_interval: float
    allowed_users: frozenset[int]
    log_level: str
    webhook_secret: Secret | None = None
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8090)
    custom_providers: Literal["off", "public", "any"] = "public"
    webhook_public_url: str | None = None
    provider_timeout: float = DEFAULT_PROVIDER_TIMEOUT
    telegram_push_rate: float = DEFAULT_TELEGRAM_PUSH_RATE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Reads and checks every setting.

        Raises:
            ConfigError: one line naming the variable that is wrong.
        """
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        master_keys = env.get("SMSBOT_MASTER_KEYS", "").strip()
        webhook_secret = env.get("SMSBOT_WEBHOOK_SECRET", "").strip()
        return cls(
            telegram_token=Secret(token) if token else None,
            telegram_api_url=_url(env, "TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
            provider=_provider(env),
            database=Path(env.get("SMSBOT_DATABASE", "").strip() or DEFAULT_DATABASE),
            master_keys=Secret(master_keys) if master_keys else None,
            poll_interval=_poll_interval(env),
            allowed_users=_allowed_users(env),
            log_level=_log_level(env),
            webhook_secret=_webhook_secret(webhook_secret),
            webhook_listen=_listen(env),
            custom_providers=_custom_providers(env),
            webhook_public_url=_public_url(env),
            provider_timeout=_provider_timeout(env),
            telegram_push_rate=_telegram_push_rate(env),
        )

    def require_token(self) -> Secret:
        """The bot token, or a ConfigError saying it is missing."""
        if self.telegram_token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
        return self.telegram_token

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL")
    return value.rstrip("/")


def _provider(env: Mapping[str, str]) -> str:
    value = env.get("SMSBOT_PROVIDER_URL", "").strip() or DEFAULT_PRESET
    try:
        return resolve_endpoint(value).key
    except InvalidEndpointError as exc:
        raise ConfigError(f"SMSBOT_PROVIDER_URL: {exc}") from None


def _poll_interval(env: Mapping[str, str]) -> float:
    raw = env.get("SMSBOT_POLL_INTERVAL", "").strip()
    if not raw:
        return DEFAULT_POLL_INTERVAL
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("SMSBOT_POLL_INTERVAL must be a number of seconds") from None
    if not math.isfinite(value) or not 0.2 <= value <= 600:
        raise ConfigError("SMSBOT_POLL_INTERVAL must be between 0.2 and 600 seconds")
    return value


def _custom_providers(env: Mapping[str, str]) -> Literal["off", "public", "any"]:
    value = env.get("SMSBOT_CUSTOM_PROVIDERS", "").strip().lower() or "public"
    if value == "off":
        return "off"
    if value == "public":
        return "public"
    if value == "any":
        return "any"
    raise ConfigError("SMSBOT_CUSTOM_PROVIDERS must be off, public or any")


def _provider_timeout(env: Mapping[str, str]) -> float:
    raw = env.get("SMSBOT_PROVIDER_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_PROVIDER_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("SMSBOT_PROVIDER_TIMEOUT must be a number of seconds") from None
    if not math.isfinite(value) or not 1 <= value <= 300:
        raise ConfigError("SMSBOT_PROVIDER_TIMEOUT must be between 1 and 300 seconds")
    return value


def _telegram_push_rate(env: Mapping[str, str]) -> float:
    raw = env.get("SMSBOT_TELEGRAM_PUSH_RATE", "").strip()
    if not raw:
        return DEFAULT_TELEGRAM_PUSH_RATE
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("SMSBOT_TELEGRAM_PUSH_RATE must be a number a second") from None
    if not math.isfinite(value) or not 0.1 <= value <= 1000:
        raise ConfigError("SMSBOT_TELEGRAM_PUSH_RATE must be between 0.1 and 1000 a second")
    return value


def _allowed_users(env: Mapping[str, str]) -> frozenset[int]:
    raw = env.get("SMSBOT_ALLOWED_USERS", "").strip()
    users = set()
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        if not part.lstrip("-").isdigit():
            raise ConfigError("SMSBOT_ALLOWED_USERS must be comma-separated Telegram user ids")
        users.add(int(part))
    return frozenset(users)


def _log_level(env: Mapping[str, str]) -> str:
    value = env.get("SMSBOT_LOG_LEVEL", "").strip().upper() or "INFO"
    if value not in _LOG_LEVELS:
        raise ConfigError(f"SMSBOT_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return value


def _webhook_secret(value: str) -> Secret | None:
    if not value:
        return None
    if len(value) < 16 or not value.replace("-", "").replace("_", "").isalnum():
        raise ConfigError("SMSBOT_WEBHOOK_SECRET must be 16+ letters, digits, '-' or '_'")
    return Secret(value)


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("SMSBOT_WEBHOOK_PUBLIC_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        raise ConfigError(
            "SMSBOT_WEBHOOK_PUBLIC_URL must be an http(s) URL with no query or credentials"
        )
    return raw.rstrip("/")


def _listen(env: Mapping[str, str]) -> tuple[str, int]:
    raw = env.get("SMSBOT_WEBHOOK_LISTEN", "").strip() or "127.0.0.1:8090"
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError("SMSBOT_WEBHOOK_LISTEN must be HOST:PORT")
    return host, int(port)
