"""One leader among the processes: a session-level advisory lock on a dedicated connection.

The leader runs what must happen once, not once per process: start-up and periodic
reconciliation, pruning, ``setMyCommands`` and ``setWebhook``. The lock belongs to the
connection's session, so it is released when the process dies (the server notices the closed
socket) or its connection breaks; the holder checks its connection every ``check_every``
seconds and stops leading at the first failure, before another process can have taken over
(a broken connection's lock is released only once the server sees it closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import KW_ONLY, dataclass, field
from typing import Final

import asyncpg

from bot.core.tasks import sleep_or_stop
from storage.postgres import PostgresDatabase, close_dedicated

log = logging.getLogger(__name__)

LEADER_LOCK: Final = "smsbot:leader"


@dataclass(eq=False)
class Leadership:
    """Campaigns for the leader lock and runs ``lead`` while it is held.

    Args:
        db: the shared database (a dedicated connection is opened from it).
        lead: the leader's work; it is cancelled when leadership is lost.
        retry_every: seconds between attempts while another process leads.
        check_every: seconds between checks that the lock's connection is alive.
    """

    db: PostgresDatabase
    lead: Callable[[], Coroutine[object, object, None]]
    _: KW_ONLY
    retry_every: float = 1.0
    check_every: float = 1.0
    _conn: asyncpg.Connection | None = field(default=None, init=False)
    is_leader: bool = field(default=False, init=False)

    async def try_acquire(self) -> bool:
        """One attempt; True if this process now leads (the caller then runs :meth:`hold`)."""
        if self._conn is None or self._conn.is_closed():
            self._conn = await self.db.dedicated_connection("leader")
        got = await self._conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", LEADER_LOCK
        )
        self.is_leader = bool(got)
        if self.is_leader:
            log.info("this process is the leader")
        return self.is_leader

    async def run(self, stop: asyncio.Event) -> None:
        """Campaigns and leads until ``stop`` is set; never raises for the database."""
        try:
            while not stop.is_set():
                try:
                    if self.is_leader or await self.try_acquire():
                        await self.hold(stop)
                except Exception as error:
                    log.warning("leader election failed: %s", type(error).__name__)
                    await self._drop_connection()
                await sleep_or_stop(stop, self.retry_every)
        finally:
            await self._drop_connection()

    async def hold(self, stop: asyncio.Event) -> None:
        """Runs the leader's work while the lock's connection answers; returns when either
        ends (the work is cancelled if the connection failed)."""
        assert self._conn is not None
        work = asyncio.create_task(self.lead(), name="leader")
        try:
            while not stop.is_set() and not work.done():
                await sleep_or_stop(stop, self.check_every)
                await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self.check_every)
        finally:
            self.is_leader = False
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            if not stop.is_set():
                log.warning("leadership lost")
            await self._drop_connection()

    async def _drop_connection(self) -> None:
        self.is_leader = False
        conn, self._conn = self._conn, None
        if conn is not None:
            await close_dedicated(conn)
