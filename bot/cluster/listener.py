"""Wakes the notifier when an event of an owned shard is added (``LISTEN smsbot_events``).

:meth:`storage.events.EventOutbox.add` sends ``NOTIFY smsbot_events, '<shard>'`` inside its
transaction, so the server delivers it at commit, to every listening process; the one that
owns the shard wakes its notifier at once. The notifier's poll stays the fallback while the
listening connection is down or a notification is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

from bot.cluster.leases import ShardOwnership
from bot.core.tasks import sleep_or_stop
from storage.events import NOTIFY_CHANNEL
from storage.postgres import PostgresDatabase, close_dedicated

log = logging.getLogger(__name__)


@dataclass(eq=False)
class EventListener:
    """Listens on a dedicated connection and reconnects after losing it.

    Args:
        db: the shared database.
        ownership: which shards this process serves now.
        wake: what to call for an owned shard's event (the notifier's ``wake``).
    """

    db: PostgresDatabase
    ownership: ShardOwnership
    wake: Callable[[], None]
    _: KW_ONLY
    check_every: float = 5.0
    heard: int = field(default=0, init=False)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        owned = self.ownership.owned()
        shard = str(payload)
        if owned is None or (shard.isdigit() and int(shard) in owned):
            self.heard += 1
            self.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Listens until ``stop`` is set; never raises for the database."""
        while not stop.is_set():
            conn = None
            try:
                conn = await self.db.dedicated_connection("listener")
                await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
                self.wake()  # events added while nobody listened
                while not stop.is_set():
                    await sleep_or_stop(stop, self.check_every)
                    await asyncio.wait_for(conn.fetchval("SELECT 1"), self.check_every)
            except Exception as error:
                log.warning("listening for events failed: %s", type(error).__name__)
                await sleep_or_stop(stop, 1.0)
            finally:
                if conn is not None:
                    await close_dedicated(conn)
