"""Time zones a user can pick in /settings: a short list to tap, or a typed name or offset."""

from __future__ import annotations

import re
from functools import cache
from typing import Final
from zoneinfo import available_timezones

# Offered as buttons: where the bot's users mostly are (three languages), then the rest.
COMMON_ZONES: Final = (
    "UTC",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Almaty",
    "Asia/Kolkata",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "America/Mexico_City",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
)
_OFFSET: Final = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?", re.IGNORECASE)


def parse_zone(text: str) -> str | None:
    """The IANA zone a user typed: a name ("Europe/Madrid", any case), a city ("madrid",
    "new york"), "UTC", or a whole-hour offset ("+3", "UTC-5"); None when it is none of them."""
    typed = text.strip()
    if typed.casefold() in ("utc", "gmt", "z"):
        return "UTC"
    offset = _OFFSET.fullmatch(typed)
    if offset is not None:
        hours = int(offset[2])
        if hours == 0:
            return "UTC"
        if hours > 14:
            return None
        # The Etc zones' signs are inverted (POSIX): UTC+3 is Etc/GMT-3.
        return f"Etc/GMT{'-' if offset[1] == '+' else '+'}{hours}"
    key = typed.casefold().replace(" ", "_")
    return _by_name().get(key) or _by_city().get(key)


@cache
def _by_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


@cache
def _by_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            cities.setdefault(zone.rsplit("/", 1)[1].casefold(), zone)
    return cities


def city(zone: str) -> str:
    """A zone's short name for a button: "Mexico City" for America/Mexico_City."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
