"""The one paid call's settlement: what a user is told when the answer to a paid call is lost."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.provider import OutcomeUnknownError
from bot.provider.models import RentListItem
from bot.services.paid_call import PurchaseStatus, settle_failed_call
from storage.activations import ActivationLedger, ActivationState
from storage.db import Database
from storage.rents import RentLedger, RentState
from tests.services.test_reconciliation import FakeSource, _reconciler


async def test_a_lost_purchase_is_not_taken_for_bought_by_a_rent_with_the_same_ledger_id(
    db: Database, clock: ManualClock
) -> None:
    # The user's rent intent from earlier (its answer lost in a crash) and the purchase whose
    # answer was just lost are each the first row of their ledger: the same ledger id.
    rent = await RentLedger(db).record_intent(
        idempotency_key="rent", user_id=5, chat_id=50, provider="p", service="full", hours=4
    )
    activations = ActivationLedger(db)
    intent = await activations.record_intent(
        idempotency_key="buy", user_id=5, chat_id=50, provider="p", service="tg", country=6
    )
    assert intent.ledger_id == rent.ledger_id
    # The provider lists the rent, not (yet) the activation.
    source = FakeSource(rents=[RentListItem("9", "79000000009")])

    [result] = await settle_failed_call(
        activations,
        _reconciler(db, clock, source),
        [intent],
        OutcomeUnknownError("getNumber", "timeout"),
    )

    rented = await RentLedger(db).get(rent.ledger_id)
    assert rented is not None and rented.state is RentState.ACTIVE
    # The purchase is still being checked: the user is not told a number was bought.
    assert result.status is PurchaseStatus.UNRESOLVED
    row = await activations.get(intent.ledger_id)
    assert row is not None and row.state is ActivationState.UNKNOWN
