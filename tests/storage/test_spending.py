"""SpendingLedger: what a user was charged or is held for since a moment (the caps' measure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from storage.activations import ActivationLedger, ActivationState
from storage.db import Database
from storage.rents import RentLedger
from storage.spending import _ACTIVATIONS, _RENTS, SpendingLedger
from tests.storage.ledger_seed import bought


async def test_charged_and_held_count_refunded_and_failed_do_not(
    db: Database, clock: ManualClock
) -> None:
    await bought(db, provider="p", coded=True, cost="1.00")  # before the period
    since = clock.now()
    await bought(db, provider="p", coded=True, cost="2.00")  # charged
    await bought(db, provider="p", coded=False, cost="4.00")  # cancelled: refunded
    await bought(db, provider="p", coded=False, cost="8.00", state=ActivationState.EXPIRED)
    ledger = ActivationLedger(db)
    held = await ledger.record_intent(
        idempotency_key="held", user_id=1, chat_id=1, provider="p", service="tg",
        options={"shown_price": "16.00"},
    )  # outcome not known yet: held at the price shown
    failed = await ledger.record_intent(
        idempotency_key="failed", user_id=1, chat_id=1, provider="p", service="tg",
        options={"shown_price": "32.00"},
    )
    await ledger.fail_intent(failed, "NO_NUMBERS")
    await bought(db, provider="p", coded=True, cost="64.00", user_id=2)  # someone else

    spending = SpendingLedger(db)

    assert await spending.committed_since(1, since) == Decimal("18.00")
    assert await spending.is_recorded(held.idempotency_key)
    assert not await spending.is_recorded("never")


async def test_rents_and_extensions_count(db: Database, clock: ManualClock) -> None:
    since = clock.now()
    rents = RentLedger(db)
    intent = await rents.record_intent(
        idempotency_key="r1", user_id=1, chat_id=1, provider="p", service="tg", hours=4,
        options={"shown_price": "10.00"},
    )
    assert await SpendingLedger(db).committed_since(1, since) == Decimal("10.00")
    rent = await rents.confirm_intent(
        intent, rent_id="9", phone="1", cost=Decimal("10.00"), end_date=since + 14_400
    )
    await rents.begin_extension(rent, hours=4, idempotency_key="x1", shown_cost=Decimal("3.50"))

    assert await SpendingLedger(db).committed_since(1, since) == Decimal("13.50")
    assert await SpendingLedger(db).is_recorded("x1")


@pytest.mark.parametrize("engine", ["sqlite"])  # EXPLAIN QUERY PLAN is SQLite's
async def test_the_queries_use_the_history_indexes(db: Database) -> None:
    for query in (_ACTIVATIONS, _RENTS):
        plan = await db.fetchall("EXPLAIN QUERY PLAN " + query, {"user": 1, "since": 0.0})
        text = " ".join(str(row[-1]) for row in plan)
        assert "SCAN" not in text, text
