"""The injectable clock: every "now" in smsbot comes from a Clock, so tests can move time."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in Unix seconds."""

    def now(self) -> float: ...


class SystemClock:
    """The real clock."""

    __slots__ = ()

    def now(self) -> float:
        return time.time()


class ManualClock:
    """Real time plus an offset the owner can move forward; or frozen, if asked.

    Args:
        start: a fixed start time; when given, the clock stands still until advanced.
    """

    __slots__ = ("_frozen_at", "_offset")

    def __init__(self, start: float | None = None) -> None:
        self._frozen_at = start
        self._offset = 0.0

    def now(self) -> float:
        base = self._frozen_at if self._frozen_at is not None else time.time()
        return base + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time moves forward only")
        self._offset += seconds
