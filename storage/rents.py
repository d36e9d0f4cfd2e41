"""The rent ledger: every rented number from the intent before the paid call to its end.

Lifecycle: ``INTENT → ACTIVE | FAILED | UNKNOWN``, ``UNKNOWN → ACTIVE | FAILED`` (by the
Reconciler), ``ACTIVE → FINISHED | CANCELLED | EXPIRED``. Extensions are paid too, so each is
recorded as an intent before ``continueRentNumber`` and confirmed or failed after it. Each SMS
pushed to the user is recorded once, keyed by sender, text and date, so a rent's message list,
re-read on every poll, never pushes the same SMS twice.

As in :mod:`storage.activations`, intents and outcomes commit durably, and every write joins the
caller's transaction when there is one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

from storage._codec import money_or_none, money_to_text, text_to_money
from storage.db import Row
from storage.errors import (
    DuplicateIntentError,
    InvalidTransitionError,
    RowNotFoundError,
)
from storage.ledger import IntentLedger
from storage.records import (
    ENDED_RENT_STATES,
    IncomingRentSms,
    Rent,
    RentExtension,
    RentState,
    WatchedRent,
    extension_from_row,
    rent_from_row,
)

__all__ = [  # the row types come from storage.records; callers import them from here
    "ENDED_RENT_STATES", "Rent", "RentExtension", "RentLedger", "RentState", "WatchedRent",
]

# Their WHERE repeats that of the partial indexes rents_active and rents_pending (migration 0002)
# term for term, so SQLite can use them (see storage/activations.py).
_WATCHED: Final = (
    "SELECT id, user_id, chat_id, message_id, provider, rent_id, phone, end_date FROM rents"
)
_LOAD_ACTIVE: Final = _WATCHED + " WHERE state = 'active' ORDER BY user_id, provider, id"


class RentLedger(IntentLedger[Rent, RentState]):
    """Reads and writes the rent ledger.

    Args:
        db: the open database; "now" comes from ``db.clock``.
    """

    __slots__ = ()
    _table = "rents"
    _live = "state = 'active'"
    _row_name = "rent ledger row"
    _missing = "no rent ledger row"
    _provider_id = "rent_id"

    @staticmethod
    def _decode(row: Row) -> Rent:
        return rent_from_row(row)

    async def record_intent(
        self,
        *,
        idempotency_key: str,
        user_id: int,
        chat_id: int,
        provider: str,
        service: str,
        hours: int,
        country: int | None = None,
        operator: str | None = None,
        options: Mapping[str, object] | None = None,
    ) -> Rent:
        """Records the intent to rent, durably, before the paid call.

        Raises:
            DuplicateIntentError: the key was used before; nothing written, do not pay again.
            TypeError: ``options`` is not plain JSON data.
        """
        return await self._insert_intent(
            idempotency_key,
            {
                "user_id": user_id, "chat_id": chat_id, "provider": provider, "service": service,
                "country": country, "operator": operator, "hours": hours,
            },
            options or {},
        )

    async def confirm_intent(
        self,
        intent: Rent,
        *,
        rent_id: str,
        phone: str,
        end_date: float,
        cost: Decimal | None,
    ) -> Rent:
        """Records the rented number; the row becomes ACTIVE. Idempotent for the same rent id.

        A FAILED row (the rent turned up after "not rented" was concluded) is adopted too: the
        provider's word wins; the caller cancels it for the refund and tells the user.

        Raises:
            InvalidTransitionError: the row was confirmed with another rent id, or the rent id
                is on another row.
            RowNotFoundError: no such row.
        """
        now = self._db.clock.now()
        changed, rent = await self._confirm(
            "UPDATE rents SET state = 'active', rent_id = ?, phone = ?, end_date = ?,"
            " cost = ?, confirmed_at = ?, updated_at = ?, ended_at = NULL,"
            " recheck_until = NULL"
            " WHERE id = ? AND state IN ('intent', 'unknown', 'failed') RETURNING *",
            (rent_id, phone, end_date, money_or_none(cost), now, now, intent.ledger_id),
            intent.ledger_id,
            f"rent {rent_id!r} of {intent.provider!r} is already on another ledger row",
        )
        if not changed and rent.rent_id != rent_id:
            raise InvalidTransitionError(
                f"rent ledger row {intent.ledger_id} is {rent.state}; it cannot be confirmed"
            )
        return rent

    async def end(self, ledger_id: int, state: RentState) -> bool:
        """Ends an active rent. Returns False if it had already ended (the first end wins).

        Raises:
            ValueError: ``state`` is not an end state.
            InvalidTransitionError: the rent was never confirmed.
        """
        return await self._end(ledger_id, state, ENDED_RENT_STATES)

    async def record_rent_sms(self, ledger_id: int, message: IncomingRentSms) -> bool:
        """Records an SMS of the rent once. Returns True if it was not recorded before.

        The key is the sender, the text and the provider's date: two identical texts from the
        same sender at different times are two SMS.
        """
        received = message.received_at.timestamp() if message.received_at else None
        dedup = hashlib.sha256(
            json.dumps(
                [message.phone_from, message.text,
                 message.received_at.isoformat() if message.received_at else None],
                ensure_ascii=False,
            ).encode("utf-8")
        ).hexdigest()
        async with self._db.transaction() as tx:
            if await self._select(tx, ledger_id) is None:
                raise RowNotFoundError(f"no rent ledger row {ledger_id}")
            new = await tx.execute(
                "INSERT INTO rent_sms (rent, dedup, phone_from, text, service, received_at,"
                " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rent, dedup) DO NOTHING",
                (ledger_id, dedup, message.phone_from, message.text, message.service, received,
                 self._db.clock.now()),
            )
        return new > 0

    async def has_sms(self, ledger_id: int) -> bool:
        """Whether an SMS of this rent was recorded (the provider then refuses to cancel it)."""
        row = await self._db.fetchone("SELECT 1 FROM rent_sms WHERE rent = ? LIMIT 1", (ledger_id,))
        return row is not None

    async def begin_extension(
        self, rent: Rent, *, hours: int, idempotency_key: str, shown_cost: Decimal | None = None
    ) -> RentExtension:
        """Records the intent to extend an active rent, durably, before the paid call.

        ``shown_cost`` (the price the user confirmed) is kept on the intent, so an extension
        whose outcome is found out later still knows what it cost.

        Raises:
            DuplicateIntentError: the key was used before; do not pay again.
            InvalidTransitionError: the rent is not active.
        """
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            state = await tx.fetchone("SELECT state FROM rents WHERE id = ?", (rent.ledger_id,))
            if state is None or state[0] != RentState.ACTIVE:
                raise InvalidTransitionError(f"rent ledger row {rent.ledger_id} is not active")
            row = await tx.fetchone(
                "INSERT INTO rent_extensions (rent, idempotency_key, hours, state, cost,"
                " created_at, updated_at) VALUES (?, ?, ?, 'intent', ?, ?, ?)"
                " ON CONFLICT (idempotency_key) DO NOTHING RETURNING *",
                (rent.ledger_id, idempotency_key, hours, money_or_none(shown_cost), now, now),
            )
            existing = None
            if row is None:
                existing = await tx.fetchone(
                    "SELECT * FROM rent_extensions WHERE idempotency_key = ?", (idempotency_key,)
                )
        if row is None:
            assert existing is not None
            raise DuplicateIntentError(idempotency_key, extension_from_row(existing))
        return extension_from_row(row)

    async def confirm_extension(
        self, extension: RentExtension, *, end_date: float, cost: Decimal
    ) -> Rent:
        """Records a paid extension and moves the rent's end date. Returns the updated rent.

        Raises:
            InvalidTransitionError: the extension is not an open intent.
        """
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            changed = await tx.execute(
                "UPDATE rent_extensions SET state = 'confirmed', cost = ?, new_end_date = ?,"
                " updated_at = ? WHERE id = ? AND state = 'intent'",
                (money_to_text(cost), end_date, now, extension.extension_id),
            )
            if not changed:
                raise InvalidTransitionError(
                    f"rent extension {extension.extension_id} is not an open intent"
                )
            row = await tx.fetchone(
                "UPDATE rents SET end_date = ?, updated_at = ? WHERE id = ? RETURNING *",
                (end_date, now, extension.rent_ledger_id),
            )
        return self._expect(row, extension.rent_ledger_id)

    async def fail_extension(self, extension: RentExtension, reason: str) -> None:
        """Records that an extension was refused (nothing paid). Idempotent."""
        async with self._db.transaction(durable=True) as tx:
            await tx.execute(
                "UPDATE rent_extensions SET state = 'failed', failure_reason = ?, updated_at = ?"
                " WHERE id = ? AND state = 'intent'",
                (reason, self._db.clock.now(), extension.extension_id),
            )

    async def extensions(self, ledger_id: int) -> list[RentExtension]:
        """The rent's extensions, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM rent_extensions WHERE rent = ? ORDER BY id", (ledger_id,)
        )
        return [extension_from_row(row) for row in rows]

    async def open_extensions(self, ledger_id: int) -> list[RentExtension]:
        """The rent's extensions still without an outcome (their paid call's answer was lost)."""
        rows = await self._db.fetchall(
            "SELECT * FROM rent_extensions WHERE rent = ? AND state = 'intent' ORDER BY id",
            (ledger_id,),
        )
        return [extension_from_row(row) for row in rows]

    async def expired_with_open_extensions(self) -> list[WatchedRent]:
        """Rents that ran out (the provider ended them at their end date) with an extension
        still without an outcome: that extension was not made, and nothing polls them now."""
        rows = await self._db.fetchall(
            _WATCHED + " WHERE state = 'expired' AND id IN"  # noqa: S608 - fixed text
            " (SELECT rent FROM rent_extensions WHERE state = 'intent')"
            " ORDER BY id"
        )
        return [WatchedRent._make(r) for r in rows]

    async def live_by_rent_id(self, rent_id: str) -> list[WatchedRent]:
        """Active rows with this provider rent id (a push names no provider; one in practice)."""
        rows = await self._db.fetchall(
            _WATCHED + " WHERE rent_id = ? AND state = 'active'",
            (rent_id,),
        )
        return [WatchedRent._make(r) for r in rows]

    async def load_active(self) -> list[WatchedRent]:
        """Every active rent, grouped by user and provider (partial index ``rents_active``)."""
        rows = await self._db.fetchall(_LOAD_ACTIVE)
        return [WatchedRent._make(r) for r in rows]

    async def history(self, user_id: int, *, limit: int = 20, offset: int = 0) -> list[Rent]:
        """The user's confirmed rents (failed intents left out), newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM rents WHERE user_id = ? AND state <> 'failed'"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [rent_from_row(row) for row in rows]

    async def rented_count(self, user_id: int) -> int:
        """How many numbers the user ever rented (every row past its intent)."""
        return await self._bought_count(user_id)

    async def spending_total(self, user_id: int, *, provider: str | None = None) -> Decimal:
        """What the user paid for rents: confirmed rents not cancelled (a cancel refunds), plus
        confirmed extensions. Rents confirmed by the Reconciler have no known cost and add 0.
        """
        rows = await self._db.fetchall(
            "SELECT cost FROM rents WHERE user_id = :user AND (CAST(:provider AS TEXT) IS NULL OR"
            " provider = :provider) AND cost IS NOT NULL"
            " AND state IN ('active', 'finished', 'expired')"
            " UNION ALL SELECT e.cost FROM rent_extensions e JOIN rents r ON r.id = e.rent"
            " WHERE r.user_id = :user"
            " AND (CAST(:provider AS TEXT) IS NULL OR r.provider = :provider)"
            " AND e.state = 'confirmed'",
            {"user": user_id, "provider": provider},
        )
        return sum((text_to_money(row[0]) or Decimal(0) for row in rows), Decimal(0))

    async def extension_totals(self, ledger_ids: Iterable[int]) -> dict[int, tuple[int, Decimal]]:
        """Hours and money the confirmed extensions added to each of these rents (a rent
        without one is left out). Sums exact Decimals in Python."""
        rows = await self._db.fetchall(
            "SELECT rent, hours, cost FROM rent_extensions WHERE state = 'confirmed'"
            " AND rent IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ledger_ids)),),
        )
        totals: dict[int, tuple[int, Decimal]] = {}
        for rent, hours, cost in rows:
            before_hours, before_cost = totals.get(rent, (0, Decimal(0)))
            totals[rent] = (before_hours + hours, before_cost + (text_to_money(cost) or 0))
        return totals

    async def known_rent_ids(self, provider: str, rent_ids: Iterable[str]) -> set[str]:
        """Which of these provider rent ids the ledger already has."""
        return await self._known_ids(provider, rent_ids)
