"""PTB persistence in the bot's database: conversation and UI state only, as strict JSON.

Conversations, ``user_data``, ``chat_data``, ``bot_data`` and callback data live in the
``ptb_state`` table, one row per (kind, conversation name, key). Only plain JSON data is accepted:
dicts with ``str`` keys, lists, str, int, float, bool, None. A :class:`~bot.core.secret.Secret`, a
Decimal or any object raises ``TypeError`` in the handler's update, and nothing comes back
changed. A plain ``str`` is accepted, so keep anything a user typed that may be a secret out of
``user_data`` (an API key belongs in the vault). Keep money and ledgers out too: they have their
own tables and transactions.

PTB does not write per update: it calls the ``update_*`` methods for the data that changed
every ``update_interval`` seconds (60 by default) and once more at a clean shutdown. A crash
therefore loses up to a minute of this state, and an older copy comes back on restart. Anything
that decides money or secrets (a pending /key step, a purchase, a confirm token's use) must be
written by its own store before the bot answers, never left here. :meth:`flush` has nothing to
do (each ``update_*`` commits when PTB calls it), and ``refresh_*`` do nothing: this process is
the only writer and its in-memory data is the truth.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any, TypeAlias, cast

from telegram.ext import BasePersistence, PersistenceInput

from storage._codec import dumps_strict
from storage.db import Database

_Data: TypeAlias = dict[str, Any]
# PTB's own aliases (telegram.ext._utils.types), restated to avoid importing a private module.
ConversationKey: TypeAlias = tuple[int | str, ...]
ConversationDict: TypeAlias = MutableMapping[ConversationKey, object]
CDCData: TypeAlias = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SQLitePersistence(BasePersistence[_Data, _Data, _Data]):
    """A :class:`telegram.ext.BasePersistence` on the bot's SQLite database.

    Args:
        db: the open database (the caller closes it; this class never does).
        store_data: which kinds of data to keep. Pass ``PersistenceInput(bot_data=False)`` if
            ``bot_data`` holds services rather than JSON data.
        update_interval: seconds between PTB's persistence runs.
    """

    __slots__ = ("_db",)

    def __init__(
        self,
        db: Database,
        *,
        store_data: PersistenceInput | None = None,
        update_interval: float = 60,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._db = db

    async def get_user_data(self) -> dict[int, _Data]:
        return {int(key): value for key, value in (await self._load("user_data")).items()}

    async def get_chat_data(self) -> dict[int, _Data]:
        return {int(key): value for key, value in (await self._load("chat_data")).items()}

    async def get_bot_data(self) -> _Data:
        stored = await self._load("bot_data")
        return cast(_Data, stored.get("", {}))

    async def get_callback_data(self) -> CDCData | None:
        stored = (await self._load("callback_data")).get("")
        if stored is None:
            return None
        buttons, mapping = stored
        return (
            [(str(uuid), float(created), dict(data)) for uuid, created, data in buttons],
            {str(key): str(value) for key, value in mapping.items()},
        )

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load("conversation", name)
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        encoded_key = dumps_strict(list(key), what=f"conversation {name!r} key")
        if new_state is None:
            await self._delete("conversation", encoded_key, name)
        else:
            await self._save("conversation", encoded_key, new_state, name)

    async def update_user_data(self, user_id: int, data: _Data) -> None:
        await self._save("user_data", str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: _Data) -> None:
        await self._save("chat_data", str(chat_id), data)

    async def update_bot_data(self, data: _Data) -> None:
        await self._save("bot_data", "", data)

    async def update_callback_data(self, data: CDCData) -> None:
        await self._save("callback_data", "", data)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._delete("chat_data", str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        await self._delete("user_data", str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: _Data) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: _Data) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: _Data) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def flush(self) -> None:
        """Nothing to flush: each ``update_*`` call commits when PTB makes it."""

    async def _load(self, kind: str, name: str = "") -> dict[str, Any]:
        rows = await self._db.fetchall(
            "SELECT key, value FROM ptb_state WHERE kind = ? AND name = ?", (kind, name)
        )
        return {row["key"]: json.loads(row["value"]) for row in rows}

    async def _save(self, kind: str, key: str, value: object, name: str = "") -> None:
        """Stores one value.

        Raises:
            TypeError: the value holds a Secret or something that is not plain JSON data.
        """
        label = f"{kind}[{key}]" if not name else f"conversation {name!r}[{key}]"
        encoded = dumps_strict(value, what=label)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO ptb_state (kind, name, key, value, updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (kind, name, key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (kind, name, key, encoded, self._db.clock.now()),
            )

    async def _delete(self, kind: str, key: str, name: str = "") -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM ptb_state WHERE kind = ? AND name = ? AND key = ?", (kind, name, key)
            )
