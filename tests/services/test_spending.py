"""Spending caps per UTC day and month: refused before any paid call, with what remains."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from bot.services.purchases import PurchaseStatus
from bot.services.rents import RentRequest, RentService
from bot.services.spending import SpendingCapError, SpendingGuard
from storage.activations import ActivationLedger, ActivationState
from storage.db import Database
from storage.rents import RentLedger
from storage.spending import SpendingLedger
from storage.users import UserStore
from tests.services.providers import COUNTRY, SERVICE, USER, Providers, providers, request

_NOON: float = datetime(2026, 3, 15, 12, 0, tzinfo=UTC).timestamp()


async def _caps(db: Database, *, day: str | None = None, month: str | None = None) -> None:
    users = UserStore(db)
    user = await users.ensure(USER)
    await users.set_preferences(
        USER,
        replace(
            user.preferences,
            daily_cap=None if day is None else Decimal(day),
            monthly_cap=None if month is None else Decimal(month),
        ),
    )


def _paid_calls(found: Providers) -> int:
    return sum(
        1 for r in found.sandbox(0).request_log
        if r.action in ("getNumber", "getNumberV2", "getRentNumber", "continueRentNumber")
    )


@pytest.fixture
def noon(clock: ManualClock) -> ManualClock:
    clock.advance(_NOON - clock.now())
    return clock


async def test_a_purchase_past_the_daily_cap_is_refused_before_any_paid_call(
    db: Database, noon: ManualClock
) -> None:
    async with providers(db, ["1.0"]) as found:
        price = found.price(0)
        await _caps(db, day=str(price * 2 - Decimal("0.01")))
        buyer = found.purchases()
        first = await buyer.buy(USER, USER, request(price), "k1")
        with pytest.raises(SpendingCapError) as refused:
            await buyer.buy(USER, USER, request(price), "k2")
        calls = _paid_calls(found)
        again = await buyer.buy(USER, USER, request(price), "k1")  # a double tap of the first

    assert first.status is PurchaseStatus.BOUGHT
    assert calls == 1
    assert (refused.value.period, refused.value.remaining) == ("day", price - Decimal("0.01"))
    assert again.status is PurchaseStatus.DUPLICATE
    assert await ActivationLedger(db).by_idempotency_key("k2") is None


async def test_a_refunded_number_gives_its_amount_back_and_a_new_day_a_new_cap(
    db: Database, noon: ManualClock
) -> None:
    async with providers(db, ["1.0"]) as found:
        price = found.price(0)
        await _caps(db, day=str(price))
        buyer = found.purchases()
        first = await buyer.buy(USER, USER, request(price), "k1")
        assert first.activation is not None
        with pytest.raises(SpendingCapError):
            await buyer.buy(USER, USER, request(price), "k2")
        await ActivationLedger(db).end(first.activation.ledger_id, ActivationState.CANCELLED)
        second = await buyer.buy(USER, USER, request(price), "k3")
        assert second.activation is not None
        await ActivationLedger(db).record_sms(second.activation.ledger_id, code="1", text=None)
        with pytest.raises(SpendingCapError):
            await buyer.buy(USER, USER, request(price), "k4")
        noon.advance(12 * 3600)  # past midnight UTC
        third = await buyer.buy(USER, USER, request(price), "k5")

    assert (second.status, third.status) == (PurchaseStatus.BOUGHT, PurchaseStatus.BOUGHT)


async def test_the_monthly_cap_counts_the_whole_utc_month(db: Database, noon: ManualClock) -> None:
    async with providers(db, ["1.0"]) as found:
        price = found.price(0)
        await _caps(db, month=str(price * 2))
        buyer = found.purchases()
        await buyer.buy(USER, USER, request(price), "k1")
        noon.advance(86_400)
        await buyer.buy(USER, USER, request(price), "k2")
        noon.advance(86_400)
        with pytest.raises(SpendingCapError) as refused:
            await buyer.buy(USER, USER, request(price), "k3")
        noon.advance(20 * 86_400)  # April
        fourth = await buyer.buy(USER, USER, request(price), "k4")

    assert (refused.value.period, refused.value.remaining) == ("month", Decimal(0))
    assert fourth.status is PurchaseStatus.BOUGHT


async def test_a_rent_and_its_extension_count_and_are_capped(
    db: Database, noon: ManualClock
) -> None:
    async with providers(db, ["1.0"]) as found:
        spending = SpendingGuard(UserStore(db), SpendingLedger(db), clock=db.clock)
        buyer = found.purchases()
        renting = RentService(
            found.accounts, RentLedger(db), buyer.reconciler, None,  # type: ignore[arg-type]
            clock=db.clock, user_lock=buyer.user_lock, spending=spending,
        )
        price = found.sandbox(0).catalog.rent_price(COUNTRY, SERVICE, 4)
        await _caps(db, day=str(price + Decimal("1.00")))
        rented = await renting.rent(
            USER, USER, RentRequest(SERVICE, 4, COUNTRY, None, price), "r1"
        )
        assert rented.rent is not None
        with pytest.raises(SpendingCapError) as refused:
            await renting.extend(USER, rented.rent.ledger_id, 4, price, "e1")
        calls = _paid_calls(found)

    assert calls == 1
    assert refused.value.remaining == Decimal("1.00")
