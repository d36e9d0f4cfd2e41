"""One number for several services (``getMultiServiceNumber``): one ledger row per service,
each written as an intent before the one paid call (the rules: :mod:`bot.services.paid_call`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from bot.provider import ProviderClient, ProviderError
from bot.provider.models import NumberPurchase
from bot.services.paid_call import (
    PurchaseResult,
    PurchaseStatus,
)
from bot.services.paid_extras import PaidExtras
from storage.activations import Activation
from storage.errors import DuplicateIntentError

log = logging.getLogger("bot.services.extras")


@dataclass(frozen=True, slots=True)
class MultiRequest:
    """What the user confirmed on the /multi screen.

    Attributes:
        services: the service codes, in the order sent.
        country: the provider's country id.
        forward_service: the one service bought with call forwarding, or None.
        service_names: names by code, kept for messages.
        country_names: the country's name by locale, kept for messages.
        shown_prices: each service's price as the confirm screen showed it: its cost where
            the provider does not tell one.
    """

    services: tuple[str, ...]
    country: int
    forward_service: str | None = None
    service_names: Mapping[str, str] = field(default_factory=dict)
    country_names: Mapping[str, str] = field(default_factory=dict)
    shown_prices: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MultiResult:
    """The outcome of one getMultiServiceNumber: ``activations`` holds one row per service
    bought (BOUGHT), or the rows of an earlier use of the same key (DUPLICATE)."""

    status: PurchaseStatus
    activations: tuple[Activation, ...] = ()
    error: ProviderError | None = None


class MultiPurchase(PaidExtras):
    """Buys one number for several services, under the user's purchase lock (the parts:
    :class:`~bot.services.paid_extras.PaidExtras`)."""

    async def buy(
        self,
        user_id: int,
        chat_id: int,
        request: MultiRequest,
        key: str,
        *,
        provider: str | None = None,
    ) -> MultiResult:
        """One ``getMultiServiceNumber`` for ``key``: one ledger row per service, each recorded
        as an intent (``<key>:<n>``) before the one call, at ``provider`` (one of the user's,
        in its codes: the chosen row of a comparison; None: their current one). Each row
        names the provider, so the watcher asks that one for its codes.

        A crash between two of these intents leaves intents without a call; the Reconciler
        finds no activation for them and fails them, which is the truth.

        Raises:
            AccountError: no usable key (nothing was recorded).
        """
        async with self.purchases.user_lock(user_id):
            client = await self.purchases.accounts.client_at(user_id, provider)
            # The prices the screen showed, one per service; with none shown (so none known),
            # a cap used up still refuses it.
            shown = sum(request.shown_prices.values(), Decimal(0))
            await self.purchases.check_spending(user_id, shown, key)
            intents: list[Activation] = []
            for index, service in enumerate(request.services):
                try:
                    intent = await self.purchases.ledger.record_intent(
                        idempotency_key=f"{key}:{index}",
                        user_id=user_id,
                        chat_id=chat_id,
                        provider=client.endpoint.key,
                        service=service,
                        country=request.country,
                        options={
                            "multi": key,
                            "forward": service == request.forward_service,
                            "service_name": request.service_names.get(service) or service,
                            "country_names": dict(request.country_names),
                            "shown_price": str(request.shown_prices.get(service, "")) or None,
                        },
                    )
                except DuplicateIntentError as duplicate:
                    # Only a second tap of the same confirm screen reaches here (under the
                    # lock, the first tap recorded all its intents before calling).
                    earlier = [duplicate.existing, *intents]
                    return MultiResult(PurchaseStatus.DUPLICATE, tuple(earlier))
                intents.append(intent)
            try:
                bought = await client.get_multi_service_number(
                    request.services,
                    country=request.country,
                    forward_service=request.forward_service,
                )
            except ProviderError as error:
                results = await self._failed_all(intents, error)
                status = _worst(results)
                rows = tuple(
                    r.activation
                    for r in results
                    if r.status is PurchaseStatus.BOUGHT and r.activation is not None
                )
                if status is PurchaseStatus.BOUGHT:
                    return MultiResult(status, rows)
                return MultiResult(status, rows, error)
            by_service = {item.service: item for item in bought}
            # getMultiServiceNumber tells no prices: what each one cost is asked of the
            # provider's list (forwarding surcharge included), else it is the price shown.
            costs = await self._listed_costs(client, {item.activation_id for item in bought})
            rows_bought: list[Activation] = []
            for intent in intents:
                item = by_service.get(intent.service)
                if item is None:
                    # The provider sold a number but not for this service: nothing to watch.
                    await self.purchases.ledger.fail_intent(
                        intent, "not in the multi-service answer"
                    )
                    continue
                purchase = NumberPurchase(
                    item.activation_id, item.phone, cost=costs.get(item.activation_id)
                )
                rows_bought.append(await self._confirm(intent, purchase))
            return MultiResult(PurchaseStatus.BOUGHT, tuple(rows_bought))

    async def _listed_costs(
        self, client: ProviderClient, activation_ids: set[str]
    ) -> dict[str, Decimal]:
        """What the provider's active list says these activations cost; empty if it cannot
        say (a read, never retried into a purchase: the rows are bought either way)."""
        try:
            listed = await client.get_active_activations()
        except ProviderError as error:
            log.info("costs of a multi-service purchase not listed: %s", type(error).__name__)
            return {}
        return {
            a.activation_id: a.cost
            for a in listed
            if a.activation_id in activation_ids and a.cost > 0  # 0: a list without costs
        }


def _worst(results: Sequence[PurchaseResult]) -> PurchaseStatus:
    """A multi purchase's outcome from its rows': bought if any row was found bought."""
    statuses = {r.status for r in results}
    for status in (PurchaseStatus.BOUGHT, PurchaseStatus.UNRESOLVED):
        if status in statuses:
            return status
    return PurchaseStatus.REFUSED
