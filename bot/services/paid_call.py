"""The one paid call on the activation ledger, written once for /buy, /multi, extra activations
and added services: the intent is already durable; the call is made once, never retried; a sale
is confirmed on the intent, a failure is recorded as refused, never sent, or unknown and then
reconciled with what the provider lists at once.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.core.clock import Clock
from bot.provider import OutcomeUnknownError, ProviderError, ProviderRejection, TransportError
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import NumberPurchase
from bot.services.reconciliation import Reconciler
from storage.activations import Activation, ActivationLedger

log = logging.getLogger("bot.services.purchases")


class PurchaseStatus(enum.Enum):
    BOUGHT = "bought"  # the provider sold a number; ``activation`` holds it
    REFUSED = "refused"  # the provider said no; ``error`` says why; nothing was bought
    DUPLICATE = "duplicate"  # this confirmation was already used; ``activation`` is its row
    UNRESOLVED = "unresolved"  # outcome unknown and the provider could not be asked yet
    # The provider answered, but the ledger refused to record it: the intent stays pending,
    # and the reconciler asks the provider about it as it does after a crash.
    UNRECORDED = "unrecorded"


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    status: PurchaseStatus
    activation: Activation | None = None
    error: ProviderError | None = None


def purchase_deadline(
    purchase: NumberPurchase, service: str, now: float, lifetime: float | None = None
) -> tuple[float, bool]:
    """When a bought activation ends, and whether that is assumed: the provider's end time if
    its reply told one, else ``now`` plus the service's usual lifetime (or ``lifetime``)."""
    if purchase.end_time is not None:
        return purchase.end_time.timestamp(), False
    return now + (lifetime if lifetime is not None else assumed_lifetime(service)), True


async def pay_once(
    ledger: ActivationLedger,
    reconciler: Reconciler,
    intent: Activation,
    call: Callable[[], Awaitable[NumberPurchase]],
    *,
    clock: Clock,
    lifetime: float | None,
    shown_cost: Decimal,
) -> PurchaseResult:
    """Makes the one paid call for an intent already written to the ledger, and settles it.

    The rule every paid call on the activation ledger follows (/buy, extra activations, added
    services): the intent is durable before ``call`` runs; ``call`` runs once, never retried; a
    sale is confirmed on the intent, a failure goes through :func:`settle_failed_call`.

    Args:
        call: the one paid call (not yet awaited).
        shown_cost: the cost recorded when the provider's answer tells none.
    """
    try:
        purchase = await call()
    except ProviderError as error:
        [result] = await settle_failed_call(ledger, reconciler, [intent], error)
        return result
    bought = await confirm_purchase(
        ledger, intent, purchase, clock=clock, lifetime=lifetime, shown_cost=shown_cost
    )
    return PurchaseResult(PurchaseStatus.BOUGHT, bought)


async def confirm_purchase(
    ledger: ActivationLedger,
    intent: Activation,
    purchase: NumberPurchase,
    *,
    clock: Clock,
    lifetime: float | None,
    shown_cost: Decimal,
) -> Activation:
    """Records what the provider sold on the intent: number, cost (``shown_cost`` when the
    answer tells none) and deadline (the provider's, else assumed from ``lifetime``)."""
    deadline, assumed = purchase_deadline(purchase, intent.service, clock.now(), lifetime)
    return await ledger.confirm_intent(
        intent,
        activation_id=purchase.activation_id,
        phone=purchase.phone,
        cost=purchase.cost if purchase.cost is not None else shown_cost,
        deadline=deadline,
        deadline_assumed=assumed,
    )


async def settle_failed_call(
    ledger: ActivationLedger,
    reconciler: Reconciler,
    intents: Sequence[Activation],
    error: ProviderError,
) -> list[PurchaseResult]:
    """Records one paid call's failure on its intents (one per activation it was to buy):
    refused, never sent, or unknown, then reconciled at once with what the provider lists and
    never retried. Shared by every paid call on the activation ledger (/buy, /multi, extras).
    An intent the provider may still be completing comes back UNRESOLVED ("checking"); the
    periodic reconciliation settles it later.

    Raises:
        ProviderError: ``error`` itself when it is none of those (a bug to surface, not hide).
    """
    if isinstance(error, ProviderRejection | TransportError):
        reason = error.token if isinstance(error, ProviderRejection) else f"not sent: {error}"
        for intent in intents:
            await ledger.fail_intent(intent, reason)
        return [PurchaseResult(PurchaseStatus.REFUSED, error=error) for _ in intents]
    if not isinstance(error, OutcomeUnknownError):
        raise error
    log.warning("purchase %s: outcome unknown, reconciling", intents[0].ledger_id)
    for intent in intents:  # all of them first: one reconciliation judges them together
        await ledger.mark_intent_unknown(intent)
    # A reply that came back unreadable means the provider was done: judge at once. No reply:
    # the provider may still be selling, so what is not listed yet stays "checking".
    report = await reconciler.reconcile_user(
        intents[0].user_id,
        intents[0].provider,
        answered=[i.ledger_id for i in intents] if error.answered else (),
    )
    confirmed = {r.ledger_id for r in report.confirmed}
    failed = {r.ledger_id for r in report.failed}
    results = []
    for intent in intents:
        row = await ledger.get(intent.ledger_id)
        if intent.ledger_id in confirmed:
            results.append(PurchaseResult(PurchaseStatus.BOUGHT, row))
        elif intent.ledger_id in failed:
            results.append(PurchaseResult(PurchaseStatus.REFUSED, row, error=error))
        else:
            results.append(PurchaseResult(PurchaseStatus.UNRESOLVED, row, error=error))
    return results


def shown_cost(intent: Activation) -> Decimal:
    """The price the confirm screen showed, kept on the intent (0 when none was shown)."""
    shown = intent.options.get("shown_price")
    return Decimal(str(shown or 0))
