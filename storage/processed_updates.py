"""The Telegram updates already handled through the webhook (issue 15).

Telegram re-sends an update it got no 200 for (a timeout, a process that died after handling
it), possibly to another process: the webhook route records each ``update_id`` once handled and
acknowledges a repeat without handling it again. Rows older than a day are pruned (Telegram
gives up on an update within 24 hours).
"""

from __future__ import annotations

from storage.db import Store


class ProcessedUpdates(Store):
    """Records and looks up handled update ids."""

    __slots__ = ()

    async def seen(self, update_id: int) -> bool:
        """Whether the update was handled already."""
        row = await self._db.fetchone(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return row is not None

    async def record(self, update_id: int) -> bool:
        """Records the update as handled. Returns False if it already was."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, self._db.clock.now()),
            )
        return changed > 0

    async def prune(self, before: float) -> int:
        """Deletes the records made before ``before``. Returns how many."""
        async with self._db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM processed_updates WHERE processed_at < ?", (before,)
            )
