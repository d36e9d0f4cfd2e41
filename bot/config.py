"""Settings, read once from the environment into a frozen dataclass that fails fast.

The variable names are a contract (README "Configuration"). A wrong or missing setting
raises :class:`ConfigError` whose message is one line naming the variable; secrets are held
as :class:`~bot.core.secret.Secret` and never echoed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from bot.core.secret import Secret
from bot.env import ConfigError, host_port, http_url, number, on_off, whole
from bot.provider.presets import DEFAULT_PRESET, InvalidEndpointError, resolve_endpoint

__all__ = ["ClusterSettings", "ConfigError", "Settings"]

DEFAULT_TELEGRAM_API_URL: Final = "https://api.telegram.org"
DEFAULT_DATABASE: Final = "./data/smsbot.sqlite3"
DEFAULT_POLL_INTERVAL: Final = 3.0
DEFAULT_PROVIDER_TIMEOUT: Final = 20.0
DEFAULT_POOL_SIZE: Final = 10
DEFAULT_STATEMENT_TIMEOUT: Final = 30.0
_POSTGRES_SCHEMES: Final = ("postgresql", "postgres")
DEFAULT_CODE_RATE_MIN_SAMPLE: Final = 20
DEFAULT_CODE_RATE_DAYS: Final = 30
DEFAULT_TELEGRAM_PUSH_RATE: Final = 30.0
_LOG_LEVELS: Final = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything smsbot reads from the environment.

    Attributes:
        telegram_token: the bot token (required by ``smsbot run``).
        telegram_api_url: the Bot API root (a local Bot API server, or a test fake).
        provider: the default provider: a preset name or a full handler_api URL.
        database: the SQLite file (when ``database_url`` is None).
        database_url: a PostgreSQL URL (``SMSBOT_DATABASE=postgresql://…``), which selects
            PostgreSQL instead of SQLite; a Secret, since it may hold a password.
        database_pool_size: PostgreSQL: the most connections the process opens for queries.
        database_statement_timeout: PostgreSQL: seconds one statement may run.
        master_keys: the vault keyring text ``id:base64key,…``; None means a generated key
            file beside the database (SQLite only: processes sharing PostgreSQL must share
            their keys, so the variable is required there).
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
        code_rate: the code-rate aggregate over all users' ledger rows (counts only);
            ``SMSBOT_CODE_RATE=off`` for a private deployment.
        code_rate_min_sample: numbers of known fate needed before a rate is shown or used.
        code_rate_days: how many days back the aggregate reads.
        telegram_push_rate: pushes (codes, rent SMS, reminders, notices) sent a second at
            most, across all chats; Telegram's figure for bulk notifications is about 30.
        provider_title: the default provider's name in menus instead of its host (the
            console's in-process sandbox is "Demo provider", not "127.0.0.1").
        provider_titles: other providers' names in menus and comparisons, by provider key
            (the console's second demo provider); set in-process, like ``provider_title``.
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
    database_url: Secret | None = None
    database_pool_size: int = DEFAULT_POOL_SIZE
    database_statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    code_rate: bool = True
    code_rate_min_sample: int = DEFAULT_CODE_RATE_MIN_SAMPLE
    code_rate_days: int = DEFAULT_CODE_RATE_DAYS
    telegram_push_rate: float = DEFAULT_TELEGRAM_PUSH_RATE
    cluster: ClusterSettings | None = None  # issue 15; None: every default
    provider_title: str | None = None
    provider_titles: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Reads and checks every setting.

        Raises:
            ConfigError: one line naming the variable that is wrong.
        """
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        master_keys = env.get("SMSBOT_MASTER_KEYS", "").strip() or _master_keys_file(env)
        webhook_secret = env.get("SMSBOT_WEBHOOK_SECRET", "").strip()
        raw_database = env.get("SMSBOT_DATABASE", "").strip() or DEFAULT_DATABASE
        database_url = _database_url(raw_database)
        if database_url is not None and not master_keys:
            raise ConfigError(
                "SMSBOT_MASTER_KEYS is required when SMSBOT_DATABASE is a PostgreSQL URL: "
                "every process sharing the database must encrypt with the same keys"
            )
        return cls(
            telegram_token=Secret(token) if token else None,
            telegram_api_url=http_url(env, "TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
            provider=_provider(env),
            database=Path(DEFAULT_DATABASE if database_url else raw_database),
            database_url=database_url,
            database_pool_size=whole(
                env, "SMSBOT_DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 500
            ),
            database_statement_timeout=number(
                env, "SMSBOT_DATABASE_STATEMENT_TIMEOUT", DEFAULT_STATEMENT_TIMEOUT, 0.1, 3600,
                unit="seconds",
            ),
            master_keys=Secret(master_keys) if master_keys else None,
            poll_interval=number(
                env, "SMSBOT_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, 0.2, 600, unit="seconds"
            ),
            allowed_users=_allowed_users(env),
            log_level=_log_level(env),
            webhook_secret=_webhook_secret(webhook_secret),
            webhook_listen=host_port(env, "SMSBOT_WEBHOOK_LISTEN", "127.0.0.1:8090"),
            custom_providers=_custom_providers(env),
            webhook_public_url=_public_url(env),
            provider_timeout=number(
                env, "SMSBOT_PROVIDER_TIMEOUT", DEFAULT_PROVIDER_TIMEOUT, 1, 300, unit="seconds"
            ),
            code_rate=on_off(env, "SMSBOT_CODE_RATE", default=True),
            code_rate_min_sample=whole(
                env, "SMSBOT_CODE_RATE_MIN_SAMPLE", DEFAULT_CODE_RATE_MIN_SAMPLE, 1, 100_000
            ),
            code_rate_days=whole(env, "SMSBOT_CODE_RATE_DAYS", DEFAULT_CODE_RATE_DAYS, 1, 3650),
            telegram_push_rate=number(
                env, "SMSBOT_TELEGRAM_PUSH_RATE", DEFAULT_TELEGRAM_PUSH_RATE, 0.1, 1000,
                unit="pushes a second",
            ),
            cluster=ClusterSettings.from_env(env),
        )

    def require_token(self) -> Secret:
        """The bot token, or a ConfigError saying it is missing."""
        if self.telegram_token is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
        return self.telegram_token

    @property
    def database_target(self) -> str:
        """What :meth:`storage.db.Database.open` takes: the PostgreSQL URL or the file path."""
        return self.database_url.reveal() if self.database_url else str(self.database)

    @property
    def database_shown(self) -> str:
        """The database for messages and logs: the file, or the URL without its password."""
        if self.database_url is None:
            return str(self.database)
        parts = urlsplit(self.database_url.reveal())
        if parts.password is None:
            return self.database_url.reveal()
        user, _, host = parts.netloc.rpartition("@")
        return parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}").geturl()

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """The settings of several processes on one PostgreSQL (issue 15), every one optional
    and off or conservative by default.

    * ``SMSBOT_TELEGRAM_WEBHOOK_URL``: the public https address Telegram POSTs updates to
      (``smsbot run --webhook``); ``SMSBOT_TELEGRAM_WEBHOOK_LISTEN`` (HOST:PORT, default
      127.0.0.1:8443) is where this process listens for them; ``SMSBOT_TELEGRAM_WEBHOOK_SECRET``
      (16+ letters, digits, '-' or '_') is sent to Telegram as ``secret_token`` and required on
      every request.
    * ``SMSBOT_LEASE_SECONDS`` (default 3): how long a shard lease lasts past each renewal (every
      second); a dead process's shards are taken over about this long after its death.
    * ``SMSBOT_CLAIM_SECONDS`` (default 30): how long an outbox claim holds; after a process dies
      mid-send, the event waits this long before another sends it.
    * ``SMSBOT_METRICS_LISTEN`` (HOST:PORT): serve /healthz, /readyz and /metrics there (off when
      unset).
    """

    telegram_webhook_url: str | None = None
    telegram_webhook_listen: tuple[str, int] = ("127.0.0.1", 8443)
    telegram_webhook_secret: Secret | None = None
    lease_seconds: float = 3.0
    claim_seconds: float = 30.0
    metrics_listen: tuple[str, int] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClusterSettings:
        """Reads and checks the settings.

        Raises:
            ConfigError: one line naming the variable that is wrong.
        """
        url = env.get("SMSBOT_TELEGRAM_WEBHOOK_URL", "").strip() or None
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
                raise ConfigError("SMSBOT_TELEGRAM_WEBHOOK_URL must be an http(s) URL")
        secret = env.get("SMSBOT_TELEGRAM_WEBHOOK_SECRET", "").strip()
        if secret and (
            len(secret) < 16
            or len(secret) > 256
            or not secret.replace("-", "").replace("_", "").isalnum()
            or not secret.isascii()
        ):
            raise ConfigError(
                "SMSBOT_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 letters, digits, '-' or '_'"
            )
        metrics = env.get("SMSBOT_METRICS_LISTEN", "").strip()
        return cls(
            telegram_webhook_url=url,
            telegram_webhook_listen=host_port(
                env, "SMSBOT_TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:8443"
            ),
            telegram_webhook_secret=Secret(secret) if secret else None,
            lease_seconds=number(env, "SMSBOT_LEASE_SECONDS", 3.0, 2.0, 60.0, unit="seconds"),
            claim_seconds=number(env, "SMSBOT_CLAIM_SECONDS", 30.0, 2.0, 600.0, unit="seconds"),
            metrics_listen=host_port(env, "SMSBOT_METRICS_LISTEN", "") if metrics else None,
        )

    def require_webhook(self) -> tuple[str, Secret]:
        """The webhook URL and secret, or a ConfigError naming what ``--webhook`` lacks."""
        if self.telegram_webhook_url is None or self.telegram_webhook_secret is None:
            raise ConfigError(
                "smsbot run --webhook needs SMSBOT_TELEGRAM_WEBHOOK_URL and"
                " SMSBOT_TELEGRAM_WEBHOOK_SECRET"
            )
        return self.telegram_webhook_url, self.telegram_webhook_secret

def _database_url(raw: str) -> Secret | None:
    """The PostgreSQL URL in SMSBOT_DATABASE, or None for a file path."""
    if "://" not in raw:
        return None
    scheme = raw.split("://", 1)[0].lower()
    if scheme not in _POSTGRES_SCHEMES:
        raise ConfigError(
            "SMSBOT_DATABASE must be a SQLite file path or a postgresql:// URL, "
            f"not a {scheme[:20]!r} URL"
        )
    try:
        parts = urlsplit(raw)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        raise ConfigError(
            "SMSBOT_DATABASE is not a valid PostgreSQL URL: expected "
            "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or ?host=/socket/dir"
        ) from None
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(
            "SMSBOT_DATABASE is not a valid PostgreSQL URL: it names no host "
            "(postgresql://USER@HOST/DATABASE, or postgresql://USER@/DATABASE?host=/socket/dir)"
        )
    return Secret(raw)


def _provider(env: Mapping[str, str]) -> str:
    value = env.get("SMSBOT_PROVIDER_URL", "").strip() or DEFAULT_PRESET
    try:
        return resolve_endpoint(value, new=True).key
    except InvalidEndpointError as exc:
        raise ConfigError(f"SMSBOT_PROVIDER_URL: {exc}") from None


def _custom_providers(env: Mapping[str, str]) -> Literal["off", "public", "any"]:
    value = env.get("SMSBOT_CUSTOM_PROVIDERS", "").strip().lower() or "public"
    if value == "off":
        return "off"
    if value == "public":
        return "public"
    if value == "any":
        return "any"
    raise ConfigError("SMSBOT_CUSTOM_PROVIDERS must be off, public or any")


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


def _master_keys_file(env: Mapping[str, str]) -> str:
    """The keyring from ``SMSBOT_MASTER_KEYS_FILE`` (a Docker or Kubernetes secret, a file on
    its own volume): the keys then live apart from the database and its backups."""
    name = env.get("SMSBOT_MASTER_KEYS_FILE", "").strip()
    if not name:
        return ""
    try:
        text = Path(name).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"SMSBOT_MASTER_KEYS_FILE cannot be read: {reason}") from None
    if not text:
        raise ConfigError("SMSBOT_MASTER_KEYS_FILE is empty")
    return text
