"""Recording what the provider reports, together with the push it calls for.

PTB-free. A new code and its outbox event are written in one transaction, so a crash cannot
leave a code recorded but never pushed, or pushed twice. Everything that learns of a code (the
watcher's poll, a provider webhook, a button press that re-reads the status) goes through here.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from bot.provider.models import RentMessage
from storage.activations import ActivationLedger, ActivationState
from storage.db import Database
from storage.events import EventOutbox
from storage.records import IncomingRentSms, RentState, WatchedRent
from storage.rents import RentLedger

CODE_EVENT: Final = "code"
ENDED_EVENT: Final = "ended"
RENT_SMS_EVENT: Final = "rent_sms"
RENT_ENDED_EVENT: Final = "rent_ended"
RECONCILED_EVENT: Final = "reconciled"  # a purchase whose outcome was found out later

log = logging.getLogger(__name__)


class OwnedRow(Protocol):
    """What an event about a ledger row names: the row, and whose chat to tell."""

    @property
    def ledger_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...


class LedgerRow(OwnedRow, Protocol):
    """What the recorder needs of an activation row (a ledger Activation or a watched one)."""

    @property
    def sms_round(self) -> int: ...


@dataclass(eq=False)
class Recorder:
    """Writes provider news to the ledgers and the outbox, and wakes the notifier.

    Args:
        db: the database (for the shared transaction).
        activations: the activation ledger.
        rents: the rent ledger.
        outbox: the event outbox.
        wake: called after an event was added (the notifier's wake-up).

    Attributes:
        on_code: awaited with (ledger id, user id) after a new code was recorded (auto-replace
            ends its run there); its failure is logged, never lost with the code.
    """

    db: Database
    activations: ActivationLedger
    rents: RentLedger
    outbox: EventOutbox
    wake: Callable[[], None] = lambda: None
    on_code: Callable[[int, int], Awaitable[None]] | None = field(default=None, init=False)

    async def code(
        self,
        watched: LedgerRow,
        *,
        code: str | None,
        text: str | None,
        received_at: float | None = None,
    ) -> bool:
        """Records an SMS of an activation; True (and one event) if it is new."""
        async with self.db.transaction():
            new = await self.activations.record_sms(
                watched.ledger_id, code=code, text=text, received_at=received_at
            )
            if new:
                fingerprint = _fingerprint(code or "", text or "")
                await self.tell(
                    watched,
                    CODE_EVENT,
                    f"code:{watched.ledger_id}:{watched.sms_round}:{fingerprint}",
                    code=code,
                    text=text,
                )
        if new:
            self.wake()
            if self.on_code is not None:
                try:
                    await self.on_code(watched.ledger_id, watched.user_id)
                except Exception:
                    log.exception("the code hook failed for %s", watched.ledger_id)
        return new

    async def ended(self, watched: LedgerRow, state: ActivationState, why: str) -> bool:
        """Ends an activation; True (and one event telling the user) if it ended now.

        Args:
            why: "expired", "auto_cancelled", "cancelled", "finished" — for the message.
        """
        return await self._end_with_event(
            lambda: self.activations.end(watched.ledger_id, state),
            watched,
            ENDED_EVENT,
            "ended",
            why,
        )

    async def rent_sms(self, watched: WatchedRent, message: RentMessage) -> bool:
        """Records an SMS to a rented number; True (and one event) if it is new."""
        async with self.db.transaction():
            new = await self.rents.record_rent_sms(
                watched.ledger_id,
                IncomingRentSms(
                    phone_from=message.phone_from,
                    text=message.text,
                    service=message.service,
                    received_at=message.received_at,
                ),
            )
            if new:
                stamp = message.received_at.isoformat() if message.received_at else ""
                fingerprint = _fingerprint(message.phone_from, message.text, stamp)
                await self.tell(
                    watched,
                    RENT_SMS_EVENT,
                    f"rent_sms:{watched.ledger_id}:{fingerprint}",
                    phone_from=message.phone_from,
                    text=message.text,
                    received_at=stamp or None,
                )
        if new:
            self.wake()
        return new

    async def rent_ended(self, watched: WatchedRent, state: RentState, why: str) -> bool:
        """Ends a rent; True (and one event) if it ended now."""
        return await self._end_with_event(
            lambda: self.rents.end(watched.ledger_id, state),
            watched,
            RENT_ENDED_EVENT,
            "rent_ended",
            why,
        )

    async def _end_with_event(
        self,
        end: Callable[[], Awaitable[bool]],
        watched: OwnedRow,
        kind: str,
        dedup_prefix: str,
        why: str,
    ) -> bool:
        """Runs ``end`` (a ledger's end) and, if it ended the row now, adds one ``kind`` event
        in the same transaction, then wakes the notifier."""
        async with self.db.transaction():
            changed = await end()
            if changed:
                await self.tell(watched, kind, f"{dedup_prefix}:{watched.ledger_id}", why=why)
        if changed:
            self.wake()
        return changed

    async def tell(self, row: OwnedRow, kind: str, dedup_key: str, **details: object) -> bool:
        """Adds one ``kind`` event about ``row`` for its owner's chat, its payload the row's
        ledger id and ``details``, unless ``dedup_key`` was used before; True if added.

        Joins the caller's transaction; the caller wakes the notifier once it is committed.
        """
        added = await self.outbox.add(
            kind=kind,
            user_id=row.user_id,
            chat_id=row.chat_id,
            payload={"ledger_id": row.ledger_id, **details},
            dedup_key=dedup_key,
        )
        return added is not None

def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
