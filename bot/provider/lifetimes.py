"""How long an activation lives at the provider when its reply does not say (PROTOCOL.md §5.3).

The provider is the authority: ``activationEndTime`` (getNumberV2, newer replies) gives the real
end, and wins. Without it these are the lifetimes to assume, per service, the ones the sandbox
applies too ([AIO]: 20 minutes; ``ya`` 40; ``ft``, ``ig``, ``cy``, ``wx`` 60), so the bot and
its emulator never disagree about a deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

DEFAULT_LIFETIME_SECONDS: Final = 1200.0

#: Services that live longer than the default, in seconds.
SERVICE_LIFETIMES: Final[Mapping[str, float]] = MappingProxyType(
    {"ya": 2400.0, "ft": 3600.0, "ig": 3600.0, "cy": 3600.0, "wx": 3600.0}
)


def assumed_lifetime(service: str) -> float:
    """Seconds an activation of ``service`` is assumed to live when the provider does not say."""
    return SERVICE_LIFETIMES.get(service, DEFAULT_LIFETIME_SECONDS)
