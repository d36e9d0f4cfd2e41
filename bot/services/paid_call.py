"""The one paid call, written once for every purchase: /buy, /multi, extra activations, added
services, rents and rent extensions. The intent is already durable; the call is made once, never
retried; a sale is confirmed on the intent; a failure is recorded as refused or never sent, or
as unknown and then reconciled with what the provider lists at once.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from bot.core.clock import Clock
from bot.provider import OutcomeUnknownError, ProviderError, ProviderRejection, TransportError
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import NumberPurchase
from bot.services.reconciliation import Reconciler
from storage.activations import Activation, ActivationLedger
from storage.ledger import IntentLedger
from storage.rents import Rent

log = logging.getLogger("bot.services.purchases")

RowT = TypeVar("RowT", Activation, Rent)
AnswerT = TypeVar("AnswerT")


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


@dataclass(frozen=True, slots=True)
class Settled(Generic[RowT]):
    """What one intent of a paid call came to: BOUGHT (``row`` holds it), REFUSED (nothing was
    bought; ``error`` says why) or UNRESOLVED (the provider could not tell yet)."""

    status: PurchaseStatus
    row: RowT | None = None
    error: ProviderError | None = None


def refusal_reason(error: ProviderError) -> str | None:
    """The failure to record when ``error`` proves a paid call bought nothing: the provider's
    token for a refusal, ``not sent: …`` when the request never left. None when the outcome is
    unknown (the call may have bought something: reconcile, never retry).

    Raises:
        ProviderError: ``error`` itself when it is none of those (a bug to surface, not hide).
    """
    if isinstance(error, ProviderRejection):
        return error.token
    if isinstance(error, TransportError):
        return f"not sent: {error}"
    if isinstance(error, OutcomeUnknownError):
        return None
    raise error


async def pay_once(
    ledger: IntentLedger[RowT, Any],
    reconciler: Reconciler,
    intent: RowT,
    call: Callable[[], Awaitable[AnswerT]],
    confirm: Callable[[AnswerT], Awaitable[RowT]],
) -> Settled[RowT]:
    """Makes the one paid call for an intent already written to its ledger, and settles it.

    The rule every paid call follows: the intent is durable before ``call`` runs; ``call``
    runs once, never retried; ``confirm`` records the sale on the intent; a failure goes
    through :func:`settle_failed_call`.

    Args:
        call: the one paid call (not yet awaited).
        confirm: records what the provider's answer sold, returning the confirmed row.
    """
    try:
        answer = await call()
    except ProviderError as error:
        [settled] = await settle_failed_call(ledger, reconciler, [intent], error)
        return settled
    return Settled(PurchaseStatus.BOUGHT, await confirm(answer))


async def settle_failed_call(
    ledger: IntentLedger[RowT, Any],
    reconciler: Reconciler,
    intents: Sequence[RowT],
    error: ProviderError,
) -> list[Settled[RowT]]:
    """Records one paid call's failure on its intents (one per row it was to bring): refused,
    never sent, or unknown, then reconciled at once with what the provider lists and never
    retried. An intent the provider may still be completing comes back UNRESOLVED
    ("checking"); the periodic reconciliation settles it later.

    Raises:
        ProviderError: ``error`` itself when it is none of those (a bug to surface, not hide).
    """
    reason = refusal_reason(error)
    if reason is not None:
        for intent in intents:
            await ledger.fail_intent(intent, reason)
        return [Settled(PurchaseStatus.REFUSED, error=error) for _ in intents]
    assert isinstance(error, OutcomeUnknownError)
    first = intents[0]
    kind = "rent" if isinstance(first, Rent) else "activation"
    log.warning("%s %s: outcome unknown, reconciling", kind, first.ledger_id)
    for intent in intents:  # all of them first: one reconciliation judges them together
        await ledger.mark_intent_unknown(intent)
    # A reply that came back unreadable means the provider was done: judge at once. No reply:
    # the provider may still be selling, so what is not listed yet stays "checking".
    answered = [i.ledger_id for i in intents] if error.answered else []
    if kind == "rent":
        report = await reconciler.reconcile_user(
            first.user_id, first.provider, answered_rents=answered
        )
    else:
        report = await reconciler.reconcile_user(first.user_id, first.provider, answered=answered)
    # The report holds both ledgers' rows, whose ids may coincide: match the kind too.
    confirmed = {r.ledger_id for r in report.confirmed if r.kind == kind}
    failed = {r.ledger_id for r in report.failed if r.kind == kind}
    results: list[Settled[RowT]] = []
    for intent in intents:
        row = await ledger.get(intent.ledger_id)
        if intent.ledger_id in confirmed:
            results.append(Settled(PurchaseStatus.BOUGHT, row))
        elif intent.ledger_id in failed:
            results.append(Settled(PurchaseStatus.REFUSED, row, error))
        else:
            results.append(Settled(PurchaseStatus.UNRESOLVED, row, error))
    return results


def purchase_deadline(
    purchase: NumberPurchase, service: str, now: float, lifetime: float | None = None
) -> tuple[float, bool]:
    """When a bought activation ends, and whether that is assumed: the provider's end time if
    its reply told one, else ``now`` plus the service's usual lifetime (or ``lifetime``)."""
    if purchase.end_time is not None:
        return purchase.end_time.timestamp(), False
    return now + (lifetime if lifetime is not None else assumed_lifetime(service)), True


async def buy_once(
    ledger: ActivationLedger,
    reconciler: Reconciler,
    intent: Activation,
    call: Callable[[], Awaitable[NumberPurchase]],
    *,
    clock: Clock,
    lifetime: float | None,
    shown_cost: Decimal,
) -> PurchaseResult:
    """:func:`pay_once` for an activation (/buy, extra activations, added services).

    Args:
        shown_cost: the cost recorded when the provider's answer tells none.
    """
    settled = await pay_once(
        ledger,
        reconciler,
        intent,
        call,
        lambda purchase: confirm_purchase(
            ledger, intent, purchase, clock=clock, lifetime=lifetime, shown_cost=shown_cost
        ),
    )
    return as_purchase(settled)


def as_purchase(settled: Settled[Activation]) -> PurchaseResult:
    return PurchaseResult(settled.status, settled.row, settled.error)


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


def shown_cost(intent: Activation) -> Decimal:
    """The price the confirm screen showed, kept on the intent (0 when none was shown)."""
    shown = intent.options.get("shown_price")
    return Decimal(str(shown or 0))
