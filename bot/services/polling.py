"""What the activation watcher and the rent watcher share: ticking on a fixed interval, and
resting a key whose provider keeps failing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)

_LONGEST_REST: Final = 60.0  # seconds: a provider back from an outage is asked within a minute


async def tick_every(
    tick: Callable[[], Awaitable[object]], interval: float, stop: asyncio.Event, *, name: str
) -> None:
    """Runs ``tick`` every ``interval`` seconds (start to start) until ``stop`` is set."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            await tick()
        except Exception:  # a bug or a database error must not stop the watching
            log.exception("%s tick failed", name)
        remaining = max(0.0, interval - (loop.time() - started))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=remaining)


@dataclass(slots=True)
class KeyHealth:
    """How one API key's provider has been answering, to back off one that is down or
    throttling it (doubling rests, up to a minute) rather than hammering it every tick."""

    failures: int = 0
    skip_until: float = 0.0

    def resting(self, now: float) -> bool:
        return self.skip_until > now

    def failed(self, now: float) -> None:
        self.failures += 1
        self.skip_until = now + min(_LONGEST_REST, 2.0**self.failures)

    def recovered(self) -> None:
        self.failures = 0
