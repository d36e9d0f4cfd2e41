"""Reading one setting from the environment: :class:`ConfigError`, and the readers of the
shapes settings share (a number or a whole number in a range, HOST:PORT, on/off, an http(s)
URL). :mod:`bot.config` reads every setting with them, the cluster's too.

Each reader takes the variable's name, so its error is one line naming it, fit for the operator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting is missing or wrong; the message is one line fit for the operator."""


def number(
    env: Mapping[str, str], name: str, default: float, low: float, high: float, *, unit: str
) -> float:
    """The finite number in ``name`` from ``low`` to ``high`` (``default`` when unset).

    Args:
        unit: how the error names what the number counts ("seconds", "a second").
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(f"{name} must be a number from {low:g} to {high:g} ({unit})")
    return value


def whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """The whole number in ``name`` from ``low`` to ``high`` (``default`` when unset)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def host_port(env: Mapping[str, str], name: str, default: str) -> tuple[str, int]:
    """``HOST:PORT`` in ``name`` (``default`` when unset)."""
    raw = env.get(name, "").strip() or default
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{name} must be HOST:PORT")
    return host, int(port)


def on_off(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """``on``/``off`` (or 1/0, true/false, yes/no) in ``name``."""
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ConfigError(f"{name} must be on or off")


def http_url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL in ``name`` (``default`` when unset), without its trailing slash."""
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL")
    return value.rstrip("/")
