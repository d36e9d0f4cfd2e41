"""RentLedger: intents, SMS pushed once, extensions, ownership, spending."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from storage.db import Database
from storage.errors import DuplicateIntentError, InvalidTransitionError
from storage.records import IncomingRentSms
from storage.rents import Rent, RentLedger, RentState


async def _rented(ledger: RentLedger, key: str, *, user_id: int = 1, cost: str = "100") -> Rent:
    intent = await ledger.record_intent(
        idempotency_key=key,
        user_id=user_id,
        chat_id=user_id,
        provider="p",
        service="full",
        hours=4,
        country=0,
    )
    return await ledger.confirm_intent(
        intent,
        rent_id=f"r-{key}",
        phone="79001112233",
        end_date=intent.created_at + 4 * 3600,
        cost=Decimal(cost),
    )


async def test_a_rent_goes_from_intent_to_active_to_finished(db: Database) -> None:
    ledger = RentLedger(db)
    intent = await ledger.record_intent(
        idempotency_key="k", user_id=1, chat_id=1, provider="p", service="tg", hours=12
    )
    assert [r.ledger_id for r in await ledger.pending_intents()] == [intent.ledger_id]
    with pytest.raises(DuplicateIntentError):
        await ledger.record_intent(
            idempotency_key="k", user_id=1, chat_id=1, provider="p", service="tg", hours=12
        )
    rent = await ledger.confirm_intent(
        intent,
        rent_id="555",
        phone="7900",
        end_date=intent.created_at + 12 * 3600,
        cost=Decimal("45.60"),
    )
    assert (rent.state, rent.rent_id, rent.hours) == (RentState.ACTIVE, "555", 12)
    [watched] = await ledger.load_active()
    assert (watched.rent_id, watched.end_date) == ("555", rent.end_date)
    assert await ledger.end(rent.ledger_id, RentState.FINISHED) is True
    assert await ledger.end(rent.ledger_id, RentState.CANCELLED) is False
    assert await ledger.load_active() == []


async def test_each_rent_sms_is_pushed_once(db: Database) -> None:
    ledger = RentLedger(db)
    rent = await _rented(ledger, "k")
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    first = IncomingRentSms(phone_from="Telegram", text="Code 11111", service="tg", received_at=at)
    assert await ledger.record_rent_sms(rent.ledger_id, first) is True
    assert await ledger.record_rent_sms(rent.ledger_id, first) is False
    # The same text from the same sender later is another SMS; so is another sender.
    later = IncomingRentSms(phone_from="Telegram", text="Code 11111", service="tg",
                            received_at=at.replace(minute=5))
    assert await ledger.record_rent_sms(rent.ledger_id, later) is True
    other = IncomingRentSms(phone_from="WhatsApp", text="Code 11111", service=None, received_at=at)
    assert await ledger.record_rent_sms(rent.ledger_id, other) is True
    undated = IncomingRentSms(phone_from="X", text="hello", service=None, received_at=None)
    assert await ledger.record_rent_sms(rent.ledger_id, undated) is True
    assert await ledger.record_rent_sms(rent.ledger_id, undated) is False


async def test_an_extension_is_an_intent_then_moves_the_end_date(
    db: Database, clock: ManualClock
) -> None:
    ledger = RentLedger(db)
    rent = await _rented(ledger, "k", cost="100")
    extension = await ledger.begin_extension(rent, hours=4, idempotency_key="ext-1")
    with pytest.raises(DuplicateIntentError):
        await ledger.begin_extension(rent, hours=4, idempotency_key="ext-1")
    assert rent.end_date is not None
    extended = await ledger.confirm_extension(
        extension, end_date=rent.end_date + 4 * 3600, cost=Decimal("20.05")
    )
    assert extended.end_date == rent.end_date + 4 * 3600
    with pytest.raises(InvalidTransitionError):
        await ledger.confirm_extension(extension, end_date=0, cost=Decimal(1))
    refused = await ledger.begin_extension(rent, hours=4, idempotency_key="ext-2")
    await ledger.fail_extension(refused, "NO_BALANCE")
    assert [(e.state, e.cost) for e in await ledger.extensions(rent.ledger_id)] == [
        ("confirmed", Decimal("20.05")),
        ("failed", None),
    ]
    assert await ledger.spending_total(1) == Decimal("120.05")

    await ledger.end(rent.ledger_id, RentState.EXPIRED)
    with pytest.raises(InvalidTransitionError):
        await ledger.begin_extension(rent, hours=4, idempotency_key="ext-3")


async def test_spending_leaves_out_cancelled_and_unpriced_rents(db: Database) -> None:
    ledger = RentLedger(db)
    await _rented(ledger, "a", cost="10.10")
    cancelled = await _rented(ledger, "b", cost="99")
    await ledger.end(cancelled.ledger_id, RentState.CANCELLED)
    intent = await ledger.record_intent(
        idempotency_key="c", user_id=1, chat_id=1, provider="p", service="tg", hours=4
    )
    await ledger.confirm_intent(intent, rent_id="c", phone="1", end_date=0, cost=None)
    await _rented(ledger, "d", user_id=2, cost="5")
    assert await ledger.spending_total(1) == Decimal("10.10")
    assert await ledger.spending_total(1, provider="other") == Decimal(0)


async def test_a_user_cannot_read_another_users_rent(db: Database) -> None:
    ledger = RentLedger(db)
    rent = await _rented(ledger, "k", user_id=1)
    assert await ledger.for_user(1, "r-k") == rent
    assert await ledger.for_user(2, "r-k") is None
    assert [r.ledger_id for r in await ledger.history(1)] == [rent.ledger_id]
    assert await ledger.history(2) == []
    assert await ledger.known_rent_ids("p", ["r-k", "nope"]) == {"r-k"}
