"""KeyEntries: which users are in the middle of /key, in which chat, until when.

The message after /key is a secret: it must be deleted and never read as anything else. What
the next message means therefore has to survive a crash, and PTB persistence (flushed every
minute) cannot hold it; this table can. A step is opened before the bot answers /key and
closed by the next message in that chat, whatever that message turns out to be.

The store also remembers which steps this process opened: for those, the handlers' in-memory
state is exact and may tell that a later question (a provider URL, a max price) replaced the
step; a step found after a restart is trusted as it is, since the restored in-memory state may
be older than the /key.
"""

from __future__ import annotations

from storage.db import Database


class KeyEntries:
    """Pending /key steps, one per user.

    Args:
        db: the open database; "now" comes from ``db.clock``.
    """

    __slots__ = ("_db", "_opened_here")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._opened_here: set[int] = set()

    async def open(
        self, user_id: int, chat_id: int, *, ttl: float, provider: str | None = None
    ) -> None:
        """Starts (or restarts) the user's key step in ``chat_id``, lasting ``ttl`` seconds;
        ``provider`` names the provider the key is for (None: the user's current one)."""
        now = self._db.clock.now()
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO key_entries (user_id, chat_id, asked_at, expires_at, provider)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " chat_id = excluded.chat_id, asked_at = excluded.asked_at,"
                " expires_at = excluded.expires_at, provider = excluded.provider",
                (user_id, chat_id, now, now + ttl, provider),
            )
        self._opened_here.add(user_id)

    def opened_here(self, user_id: int) -> bool:
        """Whether this process opened the user's step (rather than found it at start)."""
        return user_id in self._opened_here

    async def is_open(self, user_id: int, chat_id: int) -> bool:
        """Whether the user's next message in ``chat_id`` is their key."""
        row = await self._db.fetchone(
            "SELECT 1 FROM key_entries WHERE user_id = ? AND chat_id = ? AND expires_at > ?",
            (user_id, chat_id, self._db.clock.now()),
        )
        return row is not None

    async def provider_of(self, user_id: int) -> str | None:
        """The provider the user's open step is for, or None (their current one)."""
        row = await self._db.fetchone(
            "SELECT provider FROM key_entries WHERE user_id = ?", (user_id,)
        )
        return None if row is None else row["provider"]

    async def close(self, user_id: int) -> bool:
        """Ends the user's key step (an expired one too); True if there was one."""
        self._opened_here.discard(user_id)
        if await self._db.fetchone("SELECT 1 FROM key_entries WHERE user_id = ?", (user_id,)):
            async with self._db.transaction() as tx:
                return await tx.execute("DELETE FROM key_entries WHERE user_id = ?", (user_id,)) > 0
        return False
