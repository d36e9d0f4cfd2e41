"""What the services that buy extras on the activation ledger share (another activation,
an added service, one number for several services): their parts, and the one paid call of
:mod:`bot.services.paid_call` with the cost the confirm screen showed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.core.clock import Clock
from bot.provider import ProviderError
from bot.provider.models import NumberPurchase
from bot.services.accounts import AccountService
from bot.services.paid_call import (
    PurchaseResult,
    as_purchase,
    confirm_purchase,
    pay_once,
    settle_failed_call,
    shown_cost,
)
from bot.services.purchases import DEFAULT_LIFETIME, PurchaseService
from bot.services.reconciliation import Reconciler
from storage.activations import Activation, ActivationLedger


class PaidExtras:
    """The parts of a service that buys extras.

    Args:
        accounts: builds the user's provider client.
        ledger: the activation ledger.
        reconciler: resolves unknown outcomes.
        purchases: its per-user lock and spending caps are shared, so one user makes one paid
            call at a time.
        clock: the source of "now".
        lifetime: the activation lifetime to assume when the provider does not tell the end.
    """

    def __init__(
        self,
        accounts: AccountService,
        ledger: ActivationLedger,
        reconciler: Reconciler,
        purchases: PurchaseService,
        *,
        clock: Clock,
        lifetime: float | None = DEFAULT_LIFETIME,
    ) -> None:
        self._accounts = accounts
        self._ledger = ledger
        self._reconciler = reconciler
        self._purchases = purchases
        self._clock = clock
        self._lifetime = lifetime

    async def _pay(
        self, intent: Activation, call: Callable[[], Awaitable[NumberPurchase]]
    ) -> PurchaseResult:
        settled = await pay_once(
            self._ledger, self._reconciler, intent, call, lambda sold: self._confirm(intent, sold)
        )
        return as_purchase(settled)

    async def _confirm(self, intent: Activation, purchase: NumberPurchase) -> Activation:
        return await confirm_purchase(
            self._ledger,
            intent,
            purchase,
            clock=self._clock,
            lifetime=self._lifetime,
            shown_cost=shown_cost(intent),
        )

    async def _failed_all(
        self, intents: Sequence[Activation], error: ProviderError
    ) -> list[PurchaseResult]:
        settled = await settle_failed_call(self._ledger, self._reconciler, intents, error)
        return [as_purchase(one) for one in settled]
