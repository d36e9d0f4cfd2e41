"""The activation ledger: every paid activation, from the intent before the paid call to its end.

Lifecycle (the ``state`` column)::

    record_intent ──► INTENT ──confirm_intent──► WAITING ◄──┐
                        │  └─mark_intent_unknown─► UNKNOWN  │ (confirm/fail, or the Reconciler)
                        └────fail_intent────► FAILED ───────┘ (confirm_intent: a late sale,
                                                               adopted and cancelled)
    WAITING ──record_sms──► CODE_RECEIVED ──mark_retry──► RETRY ──record_sms──► CODE_RECEIVED
    WAITING | CODE_RECEIVED | RETRY ──end──► FINISHED | CANCELLED | EXPIRED
    WAITING ──record_sms (a call-verification activation's call)──► FINISHED

The intent is committed durably (``synchronous=FULL``) *before* the paid call, under a unique
idempotency key, so a crash at any point leaves either nothing (no money spent) or a row the
Reconciler resolves. Every method that writes can join the caller's transaction, so an SMS and
its event can be recorded atomically (see :meth:`storage.db.Database.transaction`).

A late truth never raises: the provider's word that a number was sold is recorded whatever the
ledger concluded before (a FAILED row is adopted, with a cancel for the refund scheduled at once,
since the user was told it failed), and a late "unknown" or "failed" on a bought row leaves it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

from storage._codec import money_or_none, money_to_text, text_to_money
from storage.db import Dialect, Row
from storage.errors import (
    InvalidTransitionError,
    RowNotFoundError,
)
from storage.ledger import IntentLedger
from storage.records import (
    ACTIVE_STATES,
    ENDED_STATES,
    PENDING_STATES,
    Activation,
    ActivationState,
    ReceivedCode,
    WatchedActivation,
    activation_from_row,
)

__all__ = [  # the row types come from storage.records; callers import them from here
    "ACTIVE_STATES", "ENDED_STATES", "PENDING_STATES", "Activation", "ActivationLedger",
    "ActivationState", "ReceivedCode", "WatchedActivation",
]

# The watcher's queries. Their WHERE must repeat, term for term and in the same order, the WHERE of
# the partial indexes activations_active and activations_pending (migration 0002): otherwise
# SQLite cannot prove the index covers the query and scans the whole table.
# tests/storage/test_query_plans.py checks the plans.
_LOAD_ACTIVE: Final = (
    "SELECT id, user_id, chat_id, message_id, provider, activation_id, service, phone,"
    " state, deadline, sms_round, code_count, cancel_at,"
    " CASE WHEN json_extract(options, '$.forward') THEN json_extract(options, '$.forward_number')"
    " END, deadline_assumed FROM activations"
    " WHERE state IN ('waiting', 'code_received', 'retry')"
    " ORDER BY user_id, provider, id"
)

# The statements spelled differently by each engine; everything else is the same text.
_DIALECT: Final[dict[Dialect, dict[str, str]]] = {
    "sqlite": {
        "load_active": _LOAD_ACTIVE,
        "sms_row": "SELECT state, sms_round, json_extract(options, '$.verification') AS call"
        " FROM activations WHERE id = ?",
    },
    "postgres": {
        "load_active": _LOAD_ACTIVE.replace(
            "CASE WHEN json_extract(options, '$.forward')"
            " THEN json_extract(options, '$.forward_number') END",
            "CASE WHEN (options::jsonb ->> 'forward')::boolean"
            " THEN options::jsonb ->> 'forward_number' END",
        ),
        # Transactions run side by side here: hold the row while its SMS round is used.
        "sms_row": "SELECT state, sms_round,"
        " COALESCE((options::jsonb ->> 'verification')::boolean, false) AS call"
        " FROM activations WHERE id = ? FOR UPDATE",
    },
}
_CONFIRM: Final = (
    "UPDATE activations SET state = 'waiting', activation_id = ?, phone = ?, cost = ?,"
    " deadline = ?, confirmed_at = ?, updated_at = ?,"
    " cancel_at = CASE WHEN state = 'failed' THEN ? ELSE cancel_at END,"
    " recheck_until = NULL, ended_at = NULL"
    " WHERE id = ? AND state IN ('intent', 'unknown', 'failed') RETURNING *"
)
# deadline_assumed is set only when true, so _CONFIRM also runs on a file from before migration
# 0005 (the column's default, 0, means "the provider's own deadline").
_CONFIRM_ASSUMED: Final = _CONFIRM.replace(" confirmed_at", " deadline_assumed = 1, confirmed_at")
_LIVE: Final = "state IN ('waiting', 'code_received', 'retry')"
_STATE: Final = {state.value: state for state in ActivationState}  # faster than the Enum call


class ActivationLedger(IntentLedger[Activation, ActivationState]):
    """Reads and writes the activation ledger.

    Args:
        db: the open database; "now" comes from ``db.clock``.
    """

    __slots__ = ()
    _table = "activations"
    _live = _LIVE
    _row_name = "ledger row"
    _missing = "no activation ledger row"
    _provider_id = "activation_id"

    @staticmethod
    def _decode(row: Row) -> Activation:
        return activation_from_row(row)

    async def record_intent(
        self,
        *,
        idempotency_key: str,
        user_id: int,
        chat_id: int,
        provider: str,
        service: str,
        country: int | None = None,
        operator: str | None = None,
        max_price: Decimal | None = None,
        options: Mapping[str, object] | None = None,
    ) -> Activation:
        """Records the intent to buy, durably, before the paid call is made.

        Args:
            idempotency_key: unique per purchase attempt (e.g. derived from the Telegram update
                or callback that asked for it), so a double tap cannot buy twice.
            options: other purchase options (forward, verification, …); plain JSON data only.

        Returns:
            The new row, in state INTENT.

        Raises:
            DuplicateIntentError: the key was used before; nothing was written, and the caller
                must not make the paid call. ``error.existing`` is the earlier row.
            TypeError: ``options`` holds something that is not plain JSON (a Secret, say).
        """
        return await self._insert_intent(
            idempotency_key,
            {
                "user_id": user_id, "chat_id": chat_id, "provider": provider, "service": service,
                "country": country, "operator": operator, "max_price": money_or_none(max_price),
            },
            options or {},
        )

    async def confirm_intent(
        self, intent: Activation, *, activation_id: str, phone: str, cost: Decimal,
        deadline: float | None, deadline_assumed: bool = False,
    ) -> Activation:
        """Records that the paid call bought an activation; the row becomes WAITING.

        ``deadline_assumed`` says the deadline is the service's usual lifetime, the provider
        having told no end time.

        Idempotent: confirming again with the same activation id returns the row unchanged.
        A FAILED row (the sale turned up after "not bought" was concluded) is adopted: it
        becomes WAITING with ``cancel_at`` set to now, so the watcher cancels it for the
        refund unless a code comes first; the caller tells the user.

        Raises:
            InvalidTransitionError: the row was confirmed with another id, or the activation
                id is already on another row.
            RowNotFoundError: no such row.
        """
        now = self._db.clock.now()
        changed, confirmed = await self._confirm(
            _CONFIRM_ASSUMED if deadline_assumed else _CONFIRM,
            (activation_id, phone, money_to_text(cost), deadline, now, now, now, intent.ledger_id),
            intent.ledger_id,
            f"activation {activation_id!r} of {intent.provider!r} is already on another ledger row",
        )
        if not changed and confirmed.activation_id != activation_id:
            raise InvalidTransitionError(
                f"ledger row {intent.ledger_id} is {confirmed.state}; it cannot be confirmed "
                f"as activation {activation_id!r}"
            )
        return confirmed

    async def record_sms(
        self, ledger_id: int, *, code: str | None, text: str | None,
        received_at: float | None = None,
    ) -> bool:
        """Records a code or SMS once. A live row becomes CODE_RECEIVED, or FINISHED if it is
        a call-verification activation (bought with ``verification``): its code is the call,
        after which the provider allows no change of its status.

        The same code (or, without a code, the same text) within one round is the same SMS:
        the watcher may see it on every poll. After :meth:`mark_retry` the round changes, so
        a code that arrives again on request counts as new. Record only real codes
        (``STATUS_OK``), not the previous code that ``STATUS_WAIT_RETRY`` repeats.

        Returns:
            True if this SMS was new, False if it had been recorded before.

        Raises:
            ValueError: neither code nor text.
            InvalidTransitionError: the row was never bought.
            RowNotFoundError: no such row.
        """
        dedup = code or text
        if not dedup:
            raise ValueError("an SMS needs a code or a text")
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                _DIALECT[self._db.dialect]["sms_row"],
                (ledger_id,),
            )
            if row is None:
                raise RowNotFoundError(f"no activation ledger row {ledger_id}")
            state = ActivationState(row["state"])
            if state in PENDING_STATES or state is ActivationState.FAILED:
                raise InvalidTransitionError(f"ledger row {ledger_id} is {state}: nothing bought")
            new = await tx.execute(
                "INSERT INTO activation_sms (activation, sms_round, dedup, code, text,"
                " received_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (activation, sms_round, dedup) DO NOTHING",
                (ledger_id, row["sms_round"], dedup, code, text, received_at,
                 self._db.clock.now()),
            )
            if new:
                now = self._db.clock.now()
                # A late SMS on an ended row is kept, but does not bring the row back to life.
                next_state = "code_received" if state in ACTIVE_STATES else state.value
                ended_at = None
                if row["call"] and state in ACTIVE_STATES:
                    # A call-verification activation's status cannot change once its call
                    # came (PROTOCOL.md §3.9, §5.2): the provider keeps the charge and ends
                    # it by itself, so nothing is left to do with it here either.
                    next_state, ended_at = "finished", now
                await tx.execute(
                    "UPDATE activations SET state = ?, code_count = code_count + 1,"
                    " ended_at = COALESCE(?, ended_at), updated_at = ? WHERE id = ?",
                    (next_state, ended_at, now, ledger_id),
                )
        return new > 0

    async def mark_retry(self, ledger_id: int) -> bool:
        """Records that another code was asked for: the row becomes RETRY, in a new round.

        Returns:
            True if the row changed; False if it was already waiting for a retry.

        Raises:
            InvalidTransitionError: the row has no code yet, or has ended.
            RowNotFoundError: no such row.
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activations SET state = 'retry', sms_round = sms_round + 1,"
                " updated_at = ? WHERE id = ? AND state = 'code_received'",
                (self._db.clock.now(), ledger_id),
            )
            if not changed:  # already RETRY: no change; any other state: refused
                self._expect(
                    await self._select(tx, ledger_id), ledger_id, {ActivationState.RETRY}, "retry"
                )
        return changed > 0

    async def end(self, ledger_id: int, state: ActivationState) -> bool:
        """Ends a live activation as FINISHED, CANCELLED or EXPIRED.

        Returns:
            True if the row ended now; False if it had already ended (the first end wins, so
            the watcher can call this on every poll and push one event).

        Raises:
            ValueError: ``state`` is not an end state.
            InvalidTransitionError: the row was never bought.
            RowNotFoundError: no such row.
        """
        return await self._end(ledger_id, state, ENDED_STATES)

    async def set_deadline(self, ledger_id: int, deadline: float) -> bool:
        """Records the end time the provider told for a live activation (it replaces an assumed
        one). Returns True if the row is live and changed."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activations SET deadline = ?, deadline_assumed = 0, updated_at = ?"
                " WHERE id = ? AND state IN ('waiting', 'code_received', 'retry')"
                " AND (deadline IS NULL OR deadline <> ? OR deadline_assumed <> 0)",
                (deadline, self._db.clock.now(), ledger_id, deadline),
            )
        return changed > 0

    async def schedule_cancel(self, ledger_id: int, at: float | None) -> bool:
        """Asks the watcher to cancel a live activation at ``at`` (None takes the request back).

        Returns:
            True if the row is live and now carries the request; False if it has ended.
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE activations SET cancel_at = ?, updated_at = ?"
                " WHERE id = ? AND state IN ('waiting', 'code_received', 'retry')",
                (at, self._db.clock.now(), ledger_id),
            )
        return changed > 0

    async def codes(self, ledger_id: int) -> list[ReceivedCode]:
        """The codes recorded for a row, oldest first."""
        rows = await self._db.fetchall(
            "SELECT sms_round, code, text, received_at, recorded_at FROM activation_sms"
            " WHERE activation = ? ORDER BY id",
            (ledger_id,),
        )
        return [ReceivedCode(*r) for r in rows]

    async def load_active(self) -> list[WatchedActivation]:
        """Every live activation (WAITING, CODE_RECEIVED, RETRY), grouped by user and provider.

        Served by the partial index ``activations_active``: its cost grows with the live rows
        only, not with the history.
        """
        rows = await self._db.fetchall(_DIALECT[self._db.dialect]["load_active"])
        return [WatchedActivation._make((*r[:8], _STATE[r[8]], *r[9:])) for r in rows]

    async def history(
        self, user_id: int, *, limit: int = 20, offset: int = 0, include_failed: bool = False
    ) -> list[Activation]:
        """The user's rows, newest first. Failed intents (nothing bought) only if asked."""
        rows = await self._db.fetchall(
            "SELECT * FROM activations WHERE user_id = ? AND (? OR state <> 'failed')"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (user_id, include_failed, limit, offset),
        )
        return [activation_from_row(row) for row in rows]

    async def live_by_activation_id(self, activation_id: str) -> list[Activation]:
        """Live rows with this provider id (a provider push names no provider; one in practice)."""
        rows = await self._db.fetchall(
            "SELECT * FROM activations WHERE activation_id = ?"
            " AND state IN ('waiting', 'code_received', 'retry')",
            (activation_id,),
        )
        return [activation_from_row(row) for row in rows]

    async def bought_count(self, user_id: int) -> int:
        """How many activations the user ever bought (every row past its intent)."""
        return await self._bought_count(user_id)

    async def spending_total(self, user_id: int, *, provider: str | None = None) -> Decimal:
        """What the user was charged for activations: every FINISHED row and every row that
        received a code. A live row without a code is a hold, and one that ended without a code
        was refunded; neither counts. Sums exact Decimals in Python.

        Providers may bill in different currencies: pass ``provider`` to sum one of them.
        """
        return await self._cost_total(user_id, provider, "(state = 'finished' OR code_count > 0)")

    async def held_total(self, user_id: int, *, provider: str | None = None) -> Decimal:
        """What the user's live activations without a code cost: charged at purchase, and
        refunded if they end without one, so neither spent nor free yet."""
        return await self._cost_total(user_id, provider, f"{_LIVE} AND code_count = 0")

    async def _cost_total(self, user_id: int, provider: str | None, condition: str) -> Decimal:
        rows = await self._db.fetchall(
            "SELECT cost FROM activations WHERE user_id = ? AND cost IS NOT NULL"  # noqa: S608 - fixed text
            f" AND {condition} AND (CAST(? AS TEXT) IS NULL OR provider = ?)",
            (user_id, provider, provider),
        )
        return sum((text_to_money(row[0]) or Decimal(0) for row in rows), Decimal(0))

    async def known_activation_ids(self, provider: str, activation_ids: Iterable[str]) -> set[str]:
        """Which of these provider activation ids the ledger already has."""
        return await self._known_ids(provider, activation_ids)
