"""This process's part among several on one PostgreSQL: its shard leases, its event listener and
its campaign for leadership, started and stopped together.

The composition root builds a :class:`ClusterNode` when the database is PostgreSQL, hands its
``leases`` to the watchers and the notifier (what they may act on), and gives it the leader's
work: ``startup`` (run once per election, before anything periodic) and ``periodic`` (run until
leadership is lost).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine

from bot.cluster.leader import Leadership
from bot.cluster.leases import ShardLeases, new_owner_id
from bot.cluster.listener import EventListener
from bot.core.tasks import cancel_and_wait
from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

Work = Callable[[], Coroutine[object, object, None]]


class ClusterNode:
    """Leases, listener and leadership of one process.

    Args:
        db: the shared database.
        lease_seconds: how long a shard lease lasts past each renewal.
    """

    def __init__(self, db: PostgresDatabase, *, lease_seconds: float = 3.0) -> None:
        self._db = db
        self.owner = new_owner_id()
        renew_every = min(1.0, lease_seconds / 3)
        self.leases = ShardLeases(
            db, self.owner, lease_seconds=lease_seconds, renew_every=renew_every,
            margin=min(0.5, lease_seconds / 6),
        )
        self.leadership: Leadership | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def is_leader(self) -> bool:
        return self.leadership is not None and self.leadership.is_leader

    async def start(self, wake: Callable[[], None], startup: Work, periodic: Work) -> None:
        """Takes the first leases, campaigns once (running ``startup`` at once if elected),
        then keeps renewing, listening and campaigning in the background."""
        try:
            await self.leases.renew()
        except Exception as error:  # the loop retries every second
            log.warning("taking shard leases failed: %s", type(error).__name__)
        elected_now = False

        async def lead() -> None:
            nonlocal elected_now
            if not elected_now:
                await startup()
            elected_now = False
            await periodic()

        self.leadership = Leadership(self._db, lead)
        try:
            if await self.leadership.try_acquire():
                elected_now = True
                await startup()
        except Exception as error:
            log.warning("leader election failed: %s", type(error).__name__)
        listener = EventListener(self._db, self.leases, wake)
        self._tasks = [
            asyncio.create_task(self.leases.run(self._stop), name="shard-leases"),
            asyncio.create_task(listener.run(self._stop), name="event-listener"),
            asyncio.create_task(self.leadership.run(self._stop), name="leadership"),
        ]

    async def stop(self) -> None:
        """Stops campaigning and renewing; call :meth:`release` once the work has stopped."""
        self._stop.set()
        await cancel_and_wait(*self._tasks)
        self._tasks.clear()

    async def release(self) -> None:
        """Hands the leases over at once (a clean shutdown)."""
        try:
            await self.leases.release()
        except Exception as error:  # they run out by themselves
            log.warning("releasing shard leases failed: %s", type(error).__name__)
