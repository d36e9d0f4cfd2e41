"""ExtrasService on its own (no buttons): idempotency keys, refusals, unknown outcomes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import POOR_KEY
from bot.services.extras import MultiRequest
from bot.services.purchases import PurchaseStatus
from bot.services.results import NotYoursError
from bot.services.spending import SpendingCapError
from storage.activations import ActivationState
from tests.bot.conftest import Harness, provider_calls, with_key

REQUEST = MultiRequest(services=("tg", "wa"), country=0)


async def test_the_same_key_makes_one_multi_call(harness: Harness, alice: FakeUser) -> None:
    extras = harness.services.extras
    first = await extras.buy_multi(alice.id, alice.id, REQUEST, "key-1")
    again = await extras.buy_multi(alice.id, alice.id, REQUEST, "key-1")
    assert first.status is PurchaseStatus.BOUGHT and len(first.activations) == 2
    assert again.status is PurchaseStatus.DUPLICATE
    assert again.activations[0].ledger_id == first.activations[0].ledger_id
    assert provider_calls(harness, "getMultiServiceNumber") == 1
    other = await extras.buy_multi(alice.id, alice.id, REQUEST, "key-2")
    assert other.status is PurchaseStatus.BOUGHT
    assert provider_calls(harness, "getMultiServiceNumber") == 2


async def test_a_refused_multi_call_fails_every_intent_and_is_not_retried(
    harness: Harness,
) -> None:
    poor = harness.user(3003, "Poor")
    await with_key(harness, poor, POOR_KEY)
    result = await harness.services.extras.buy_multi(poor.id, poor.id, REQUEST, "k")
    assert result.status is PurchaseStatus.REFUSED and result.error is not None
    rows = await harness.services.activations.history(poor.id, include_failed=True)
    assert [r.state for r in rows] == [ActivationState.FAILED, ActivationState.FAILED]
    assert provider_calls(harness, "getMultiServiceNumber") == 1


async def test_a_multi_call_that_never_left_is_failed_and_not_retried(
    harness: Harness, alice: FakeUser
) -> None:
    harness.sandbox.inject_fault("getMultiServiceNumber", "drop")  # not performed
    result = await harness.services.extras.buy_multi(alice.id, alice.id, REQUEST, "k")
    assert result.status in (PurchaseStatus.REFUSED, PurchaseStatus.UNRESOLVED)
    assert result.activations == ()
    assert await harness.services.activations.active_for_user(alice.id) == []
    assert provider_calls(harness, "getMultiServiceNumber") == 1


async def test_extras_on_someone_elses_row_are_refused_before_the_provider(
    harness: Harness, alice: FakeUser
) -> None:
    bought = await harness.services.extras.buy_multi(alice.id, alice.id, REQUEST, "k")
    row = bought.activations[0]
    extras = harness.services.extras
    for attempt in (
        extras.quote_extra(2002, row.ledger_id),
        extras.buy_extra(2002, 2002, row.ledger_id, Decimal("1"), "x"),
        extras.buy_additional(2002, 2002, row.ledger_id, "ya", "Yandex", Decimal("5"), "y"),
        extras.incoming_call(2002, row.ledger_id),
        extras.order_call(2002, row.ledger_id, "79001234567"),
    ):
        try:
            await attempt
        except NotYoursError:
            continue
        raise AssertionError("another user's row was acted on")
    assert provider_calls(harness, "checkExtraActivation") == 0
    assert provider_calls(harness, "getExtraActivation") == 0
    assert provider_calls(harness, "getAdditionalService") == 0
    assert provider_calls(harness, "createTaskForCall") == 0


async def test_a_multi_purchase_past_the_daily_cap_is_refused_before_the_paid_call(
    harness: Harness, alice: FakeUser
) -> None:
    """/multi shows a price per service: their sum counts against the cap, as /buy's does."""
    users = harness.services.users
    user = await users.ensure(alice.id)
    await users.set_preferences(alice.id, replace(user.preferences, daily_cap=Decimal("1.00")))
    priced = replace(REQUEST, shown_prices={"tg": Decimal("5.00"), "wa": Decimal("5.00")})
    with pytest.raises(SpendingCapError):
        await harness.services.extras.buy_multi(alice.id, alice.id, priced, "k")
    assert provider_calls(harness, "getMultiServiceNumber") == 0
    assert await harness.services.activations.history(alice.id, include_failed=True) == []
