"""What the services that buy extras on the activation ledger share (another activation,
an added service, one number for several services): their parts, and the one paid call of
:mod:`bot.services.paid_call` with the cost the confirm screen showed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.provider import ProviderError
from bot.provider.models import NumberPurchase
from bot.services.paid_call import (
    PurchaseResult,
    as_purchase,
    confirm_purchase,
    pay_once,
    settle_failed_call,
    shown_cost,
)
from bot.services.purchases import PurchaseService
from storage.activations import Activation


@dataclass(eq=False)
class PaidExtras:
    """The parts of a service that buys extras: those of ``purchases``, whose per-user lock
    and spending caps it shares, so one user makes one paid call at a time.

    Args:
        purchases: gives the user's provider client (``accounts``), the activation ledger,
            the reconciler that resolves unknown outcomes, the clock, and the lifetime to
            assume when the provider does not tell the end.
    """

    purchases: PurchaseService

    async def _pay(
        self, intent: Activation, call: Callable[[], Awaitable[NumberPurchase]]
    ) -> PurchaseResult:
        parts = self.purchases
        settled = await pay_once(
            parts.ledger, parts.reconciler, intent, call, lambda sold: self._confirm(intent, sold)
        )
        return as_purchase(settled)

    async def _confirm(self, intent: Activation, purchase: NumberPurchase) -> Activation:
        parts = self.purchases
        return await confirm_purchase(
            parts.ledger,
            intent,
            purchase,
            clock=parts.clock,
            lifetime=parts.lifetime,
            shown_cost=shown_cost(intent),
        )

    async def _failed_all(
        self, intents: Sequence[Activation], error: ProviderError
    ) -> list[PurchaseResult]:
        parts = self.purchases
        settled = await settle_failed_call(parts.ledger, parts.reconciler, intents, error)
        return [as_purchase(one) for one in settled]
