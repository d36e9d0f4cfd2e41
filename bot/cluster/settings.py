"""The settings of several processes on one PostgreSQL (issue 15), read once from the
environment; every one is optional and off or conservative by default.

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

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import ConfigError
from bot.core.secret import Secret


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """See the module docstring for each setting."""

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
            telegram_webhook_listen=_host_port(
                env, "SMSBOT_TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:8443"
            ),
            telegram_webhook_secret=Secret(secret) if secret else None,
            lease_seconds=_seconds(env, "SMSBOT_LEASE_SECONDS", 3.0, 2.0, 60.0),
            claim_seconds=_seconds(env, "SMSBOT_CLAIM_SECONDS", 30.0, 2.0, 600.0),
            metrics_listen=_host_port(env, "SMSBOT_METRICS_LISTEN", "") if metrics else None,
        )

    def require_webhook(self) -> tuple[str, Secret]:
        """The webhook URL and secret, or a ConfigError naming what ``--webhook`` lacks."""
        if self.telegram_webhook_url is None or self.telegram_webhook_secret is None:
            raise ConfigError(
                "smsbot run --webhook needs SMSBOT_TELEGRAM_WEBHOOK_URL and"
                " SMSBOT_TELEGRAM_WEBHOOK_SECRET"
            )
        return self.telegram_webhook_url, self.telegram_webhook_secret


def _host_port(env: Mapping[str, str], name: str, default: str) -> tuple[str, int]:
    raw = env.get(name, "").strip() or default
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{name} must be HOST:PORT")
    return host, int(port)


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a number of seconds from {low:g} to {high:g}")
    return value
