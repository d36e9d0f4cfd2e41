"""What both watchers hold around their polls: :class:`PolledWatcher`, their shared base."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic

from bot.core.clock import Clock
from bot.services.accounts import AccountService
from bot.services.polling import HealthT, KeyPolls, PassReport
from bot.services.recorder import Recorder


class PolledWatcher(ABC, Generic[HealthT]):
    """What both watchers hold: the keys' clients, the recorder of what providers say, the
    clock, their :class:`KeyPolls`, and which users this process watches. A subclass names
    itself (``_name``, for logs and tasks) and its keys' health type (``_new_health``).

    Args:
        accounts: builds each key's client.
        recorder: writes the news; its outbox takes the "too slow" notices.
        clock: the source of "now".
        concurrency, jitter: as :class:`KeyPolls` takes them.

    Attributes:
        owns: whether this process watches a user's rows (several processes, issue 15: the
            users whose shard it owns right now).
    """

    _name: str
    _new_health: Callable[[], HealthT]

    def __init__(
        self,
        accounts: AccountService,
        recorder: Recorder,
        *,
        clock: Clock,
        concurrency: int,
        jitter: float = 0.0,
    ) -> None:
        self._accounts = accounts
        self._recorder = recorder
        self._clock = clock
        self._keys = KeyPolls(
            accounts,
            recorder.outbox,
            recorder.wake,
            clock=clock,
            concurrency=concurrency,
            health=self._new_health,
            name=self._name,
            jitter=jitter,
        )
        self.owns: Callable[[int], bool] = lambda user_id: True

    @abstractmethod
    async def tick(self, deadline: float | None = None) -> PassReport:
        """Polls every live row once; never raises for a provider's failure."""

    async def run(self, interval: float, stop: asyncio.Event) -> None:
        """Ticks every ``interval`` seconds (start to start) until ``stop`` is set."""
        await self._keys.run(self.tick, interval, stop)
