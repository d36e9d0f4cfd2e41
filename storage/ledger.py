"""What the activation and rent ledgers share: a paid purchase's row, from the durable intent
written before the paid call to its outcome, and the queries every ledger answers the same way.

:class:`storage.activations.ActivationLedger` and :class:`storage.rents.RentLedger` subclass
:class:`IntentLedger`, naming their table, their live states and their row decoder; the SQL
below differs between them only by those fixed names.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import ClassVar, Generic, Protocol, TypeVar

from storage._codec import dumps_strict
from storage.db import Params, Row, Store, Transaction
from storage.errors import (
    DuplicateIntentError,
    IntegrityError,
    InvalidTransitionError,
    RowNotFoundError,
)


class LedgerRow(Protocol):
    """What a ledger's row type has: our id for it and its state."""

    @property
    def ledger_id(self) -> int: ...

    @property
    def state(self) -> object: ...


RowT = TypeVar("RowT", bound=LedgerRow)
StateT = TypeVar("StateT")


def pending_query(table: str) -> str:
    """Intents without an outcome, oldest first. Its WHERE repeats the partial index
    ``<table>_pending`` (migration 0002) term for term, so SQLite uses it."""
    return (
        f"SELECT * FROM {table} WHERE state IN ('intent', 'unknown') AND created_at <= ?"  # noqa: S608 - fixed text
        " ORDER BY created_at, id"
    )


def recheck_query(table: str) -> str:
    """FAILED rows whose "not bought" the provider could still contradict, oldest first."""
    return (
        f"SELECT * FROM {table} WHERE recheck_until IS NOT NULL AND state = 'failed'"  # noqa: S608 - fixed text
        " AND recheck_until > ? ORDER BY created_at, id"
    )


class IntentLedger(Store, ABC, Generic[RowT, StateT]):
    """A ledger of paid purchases, one row each (see the module docstring).

    Args:
        db: the open database; "now" comes from ``db.clock``.
    """

    __slots__ = ()
    _table: ClassVar[str]  # "activations"
    _live: ClassVar[str]  # the SQL condition of a live row: "state = 'active'"
    _row_name: ClassVar[str]  # how errors name a row: "rent ledger row"
    _missing: ClassVar[str]  # how RowNotFoundError names a missing row: "no rent ledger row"
    _provider_id: ClassVar[str]  # the column of the provider's id: "rent_id"
    _pending: ClassVar[str]  # pending_query(_table), set for each subclass
    _recheck: ClassVar[str]  # recheck_query(_table), set for each subclass

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "_table" in cls.__dict__:
            cls._pending = pending_query(cls._table)
            cls._recheck = recheck_query(cls._table)

    @staticmethod
    @abstractmethod
    def _decode(row: Row) -> RowT:
        """The row type made from one ``SELECT *`` row."""

    async def _insert_intent(
        self, idempotency_key: str, columns: Mapping[str, object], options: Mapping[str, object]
    ) -> RowT:
        """Writes a new row in state INTENT, durably: ``columns`` (the purchase's own, named
        by the subclass) with ``options`` as plain JSON and the key that makes it unique.

        Raises:
            DuplicateIntentError: the key was used before; nothing was written, and the caller
                must not make the paid call. ``error.existing`` is the earlier row.
            TypeError: ``options`` holds something that is not plain JSON (a Secret, say).
        """
        encoded = dumps_strict(dict(options), what=f"{self._table} options")
        now = self._db.clock.now()
        names = ("idempotency_key", *columns, "options", "state", "created_at", "updated_at")
        sql = (
            f"INSERT INTO {self._table} ({', '.join(names)})"  # noqa: S608 - fixed names
            f" VALUES ({', '.join(['?'] * len(names))})"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING *"
        )
        params = (idempotency_key, *columns.values(), encoded, "intent", now, now)
        async with self._db.transaction(durable=True) as tx:
            row = await tx.fetchone(sql, params)
            if row is None:  # raising rolls back a transaction that wrote nothing
                existing = await tx.fetchone(
                    f"SELECT * FROM {self._table} WHERE idempotency_key = ?",  # noqa: S608 - fixed text
                    (idempotency_key,),
                )
                raise DuplicateIntentError(idempotency_key, self._expect(existing, idempotency_key))
        return self._decode(row)

    async def _confirm(
        self, sql: str, params: Params, ledger_id: int, taken: str
    ) -> tuple[bool, RowT]:
        """Runs a confirming ``UPDATE … RETURNING *``, durably. Returns whether it changed the
        row, and the row as it is now.

        Raises:
            InvalidTransitionError: ``taken``: the provider's id is already on another row.
            RowNotFoundError: no such row.
        """
        try:
            async with self._db.transaction(durable=True) as tx:
                row = await tx.fetchone(sql, params)
                current = row if row is not None else await self._select(tx, ledger_id)
        except IntegrityError:
            raise InvalidTransitionError(taken) from None
        return row is not None, self._expect(current, ledger_id)

    async def fail_intent(
        self, intent: RowT, reason: str, *, recheck_until: float | None = None
    ) -> RowT:
        """Records that nothing was bought (the provider refused, or the Reconciler found none).

        Idempotent on a FAILED row; a row already bought is returned unchanged (the provider's
        word that it sold wins over a later "not bought").

        Args:
            recheck_until: when "not bought" was concluded without the provider's definite
                word, look for a late sale until then (see :meth:`rechecks`).

        Raises:
            RowNotFoundError: no such row.
        """
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            row = await tx.fetchone(
                f"UPDATE {self._table} SET state = 'failed', failure_reason = ?,"  # noqa: S608 - fixed text
                " updated_at = ?, ended_at = ?, recheck_until = ?"
                " WHERE id = ? AND state IN ('intent', 'unknown') RETURNING *",
                (reason, now, now, recheck_until, intent.ledger_id),
            )
            current = row if row is not None else await self._select(tx, intent.ledger_id)
        return self._expect(current, intent.ledger_id)

    async def mark_intent_unknown(self, intent: RowT) -> RowT:
        """Records that the paid call's outcome is unknown (a timeout, a dropped connection).

        Idempotent on an UNKNOWN row; a row that already has an outcome is returned unchanged.
        The Reconciler resolves it later.

        Raises:
            RowNotFoundError: no such row.
        """
        async with self._db.transaction(durable=True) as tx:
            row = await tx.fetchone(
                f"UPDATE {self._table} SET state = 'unknown', updated_at = ?"  # noqa: S608 - fixed text
                " WHERE id = ? AND state = 'intent' RETURNING *",
                (self._db.clock.now(), intent.ledger_id),
            )
            current = row if row is not None else await self._select(tx, intent.ledger_id)
        return self._expect(current, intent.ledger_id)

    async def set_message(self, ledger_id: int, *, chat_id: int, message_id: int) -> None:
        """Remembers the message that shows the row, so updates edit it in place."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"UPDATE {self._table} SET chat_id = ?, message_id = ?, updated_at = ?"  # noqa: S608 - fixed text
                " WHERE id = ?",
                (chat_id, message_id, self._db.clock.now(), ledger_id),
            )
        if not changed:
            raise RowNotFoundError(f"{self._missing} {ledger_id}")

    async def _end(self, ledger_id: int, state: StateT, ended: Sequence[StateT]) -> bool:
        """Ends a live row in ``state``, one of ``ended``. False if it had already ended (the
        first end wins, so the watcher can call this on every poll and push one event).

        Raises:
            ValueError: ``state`` is not an end state.
            InvalidTransitionError: the row was never bought.
            RowNotFoundError: no such row.
        """
        if state not in ended:
            raise ValueError(f"{state} is not an end state")
        now = self._db.clock.now()
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                f"UPDATE {self._table} SET state = ?, ended_at = ?, updated_at = ?"  # noqa: S608 - fixed text
                f" WHERE id = ? AND {self._live}",
                (str(state), now, now, ledger_id),
            )
            if not changed:  # already ended: no change; never bought: refused
                self._expect(await self._select(tx, ledger_id), ledger_id, set(ended), "end")
        return changed > 0

    async def get(self, ledger_id: int) -> RowT | None:
        """The row with this ledger id, or None. For internal use: it checks no owner."""
        row = await self._db.fetchone(
            f"SELECT * FROM {self._table} WHERE id = ?", (ledger_id,)  # noqa: S608 - fixed text
        )
        return None if row is None else self._decode(row)

    async def by_idempotency_key(self, idempotency_key: str) -> RowT | None:
        """The row recorded under this idempotency key, or None."""
        row = await self._db.fetchone(
            f"SELECT * FROM {self._table} WHERE idempotency_key = ?",  # noqa: S608 - fixed text
            (idempotency_key,),
        )
        return None if row is None else self._decode(row)

    async def for_user(self, user_id: int, provider_id: str) -> RowT | None:
        """The user's row with this provider id, or None if it is not theirs.

        Use it for everything a user asks about a row: another user's id finds nothing.
        """
        row = await self._db.fetchone(
            f"SELECT * FROM {self._table} WHERE {self._provider_id} = ? AND user_id = ?"  # noqa: S608 - fixed text
            " ORDER BY id DESC LIMIT 1",
            (provider_id, user_id),
        )
        return None if row is None else self._decode(row)

    async def _known_ids(self, provider: str, provider_ids: Iterable[str]) -> set[str]:
        """Which of these provider ids the ledger already has."""
        ids = list(provider_ids)
        column = self._provider_id
        param: object = ids
        if self._db.dialect == "postgres":
            match = f"{column} = ANY(?::text[])"
        else:  # one JSON array parameter instead of one "?" per id: no limit on how many
            match = f"{column} IN (SELECT value FROM json_each(?))"  # noqa: S608 - fixed text
            param = json.dumps(ids)
        rows = await self._db.fetchall(
            f"SELECT {column} FROM {self._table} WHERE provider = ? AND {match}",  # noqa: S608 - fixed text
            (provider, param),
        )
        return {row[0] for row in rows}

    async def active_for_user(self, user_id: int) -> list[RowT]:
        """The user's live rows, oldest first (for /active)."""
        rows = await self._db.fetchall(
            f"SELECT * FROM {self._table} WHERE user_id = ?"  # noqa: S608 - fixed text
            f" AND {self._live} ORDER BY id",
            (user_id,),
        )
        return [self._decode(row) for row in rows]

    async def pending_intents(self, *, created_before: float | None = None) -> list[RowT]:
        """Intents without an outcome (INTENT or UNKNOWN), oldest first.

        Args:
            created_before: only intents created at or before this time (Unix seconds), so a
                purchase still in flight in this process is left alone.
        """
        limit = float("inf") if created_before is None else created_before
        rows = await self._db.fetchall(self._pending, (limit,))
        return [self._decode(row) for row in rows]

    async def rechecks(self, now: float) -> list[RowT]:
        """FAILED rows whose "not bought" the provider could still contradict (their
        ``recheck_until`` is after ``now``), oldest first."""
        rows = await self._db.fetchall(self._recheck, (now,))
        return [self._decode(row) for row in rows]

    async def _bought_count(self, user_id: int) -> int:
        """How many rows of the user got past their intent."""
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM {self._table} WHERE user_id = ?"  # noqa: S608 - fixed text
            " AND state NOT IN ('intent', 'unknown', 'failed')",
            (user_id,),
        )
        return int(row[0]) if row is not None else 0

    async def _select(self, tx: Transaction, ledger_id: int) -> Row | None:
        return await tx.fetchone(
            f"SELECT * FROM {self._table} WHERE id = ?", (ledger_id,)  # noqa: S608 - fixed text
        )

    def _expect(
        self,
        row: Row | None,
        ledger_id: object,
        accepted: Collection[StateT] | None = None,
        action: str = "",
    ) -> RowT:
        """The row, if it exists and (when ``accepted`` is given) its state is one of them."""
        if row is None:
            raise RowNotFoundError(f"{self._missing} {ledger_id}")
        decoded = self._decode(row)
        if accepted is not None and decoded.state not in accepted:
            raise InvalidTransitionError(
                f"{self._row_name} {ledger_id} is {decoded.state}; cannot {action} it"
            )
        return decoded
