"""Paid extras beyond one plain activation: another activation on a used number, one number
for several services, an additional service on a forwarded number; and call-verification reads.

PTB-free. The same rules as :mod:`bot.services.purchases`, which this module shares its per-user
lock with:

* every paid call is recorded as an intent (one ledger row per activation it may bring) under
  the confirm screen's idempotency key BEFORE it is made, so a double tap is refused by the
  ledger and never reaches the provider;
* the paid call is made once; a definite "no" fails the intents; an unknown outcome is
  reconciled with ``getActiveActivations`` at once, never guessed and never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    InvalidRequestError,
    ProviderClient,
    ProviderError,
)
from bot.provider.models import (
    ExtraActivationOffer,
    IncomingCallStatus,
    NumberPurchase,
    Service,
)
from bot.services.accounts import AccountService, NoApiKeyError
from bot.services.activations import owned_activation
from bot.services.purchases import (
    DEFAULT_LIFETIME,
    PurchaseResult,
    PurchaseService,
    PurchaseStatus,
    confirm_purchase,
    pay_once,
    settle_failed_call,
)
from bot.services.reconciliation import Reconciler
from storage.activations import Activation, ActivationLedger
from storage.errors import DuplicateIntentError

log = logging.getLogger(__name__)

_CARRIED_OPTIONS: Final = ("service_name", "country_names", "forward", "verification")


@dataclass(frozen=True, slots=True)
class ExtraQuote:
    """What another activation on ``parent``'s number costs, as the provider says now, and
    the balance to pay it with."""

    parent: Activation
    offer: ExtraActivationOffer
    balance: Decimal


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


class ExtrasService:
    """Buys extras and reads call-verification state for users.

    Args:
        accounts: builds the user's provider client.
        ledger: the activation ledger.
        reconciler: resolves unknown outcomes.
        purchases: its per-user lock is shared, so one user makes one paid call at a time.
        clock: the source of "now".
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
        self._without_outgoing_calls: set[str] = set()  # providers that answered BAD_ACTION

    async def owned(self, user_id: int, ledger_id: int) -> Activation:
        """The user's own bought activation.

        Raises:
            NotYoursError: it does not exist, was never bought, or belongs to someone else.
        """
        return await owned_activation(self._ledger, user_id, ledger_id)

    # --- another activation on a used number ---------------------------------------------

    async def quote_extra(self, user_id: int, ledger_id: int) -> ExtraQuote:
        """Asks the provider (``checkExtraActivation``) whether and at what price the number of
        the user's activation can be used again. The provider judges; we do not pre-refuse.

        Raises:
            NotYoursError: not the user's activation.
            AccountError: no usable key for the activation's provider.
            ProviderError: the provider refused (e.g. StateConflictError) or could not be asked.
        """
        parent = await self.owned(user_id, ledger_id)
        assert parent.activation_id is not None
        client = await self._client(parent)
        offer = await client.check_extra_activation(parent.activation_id)
        return ExtraQuote(parent, offer, await client.get_balance())

    async def buy_extra(
        self, user_id: int, chat_id: int, parent_ledger_id: int, price: Decimal, key: str
    ) -> PurchaseResult:
        """Buys another activation on the parent's number, at most once for ``key``.

        Args:
            price: the price the confirm screen showed (recorded as the cost).

        Raises:
            NotYoursError: the parent is not the user's.
            AccountError: no usable key (nothing was recorded).
        """
        parent = await self.owned(user_id, parent_ledger_id)
        assert parent.activation_id is not None
        parent_id = parent.activation_id
        async with self._purchases.user_lock(user_id):
            client = await self._client(parent)
            await self._purchases.check_spending(user_id, price, key)
            try:
                intent = await self._intent(key, user_id, chat_id, parent, parent.service, price)
            except DuplicateIntentError as duplicate:
                return PurchaseResult(PurchaseStatus.DUPLICATE, duplicate.existing)
            return await self._pay(intent, lambda: client.get_extra_activation(parent_id))

    # --- an additional service on a forwarded number -------------------------------------

    async def buy_additional(
        self,
        user_id: int,
        chat_id: int,
        parent_ledger_id: int,
        service: str,
        service_name: str,
        price: Decimal,
        key: str,
    ) -> PurchaseResult:
        """Adds ``service`` to the forwarded number of the user's activation, at most once for
        ``key`` (``getAdditionalService``; the provider judges whether it may).

        Raises:
            NotYoursError: the parent is not the user's.
            AccountError: no usable key (nothing was recorded).
        """
        parent = await self.owned(user_id, parent_ledger_id)
        assert parent.activation_id is not None
        parent_id = parent.activation_id
        async with self._purchases.user_lock(user_id):
            client = await self._client(parent)
            await self._purchases.check_spending(user_id, price, key)
            try:
                intent = await self._intent(
                    key, user_id, chat_id, parent, service, price, service_name=service_name
                )
            except DuplicateIntentError as duplicate:
                return PurchaseResult(PurchaseStatus.DUPLICATE, duplicate.existing)
            return await self._pay(
                intent, lambda: client.get_additional_service(parent_id, service)
            )

    # --- one number for several services -------------------------------------------------

    async def buy_multi(
        self, user_id: int, chat_id: int, request: MultiRequest, key: str
    ) -> MultiResult:
        """One ``getMultiServiceNumber`` for ``key``: one ledger row per service, each recorded
        as an intent (``<key>:<n>``) before the one call.

        A crash between two of these intents leaves intents without a call; the Reconciler
        finds no activation for them and fails them, which is the truth.

        Raises:
            AccountError: no usable key (nothing was recorded).
        """
        async with self._purchases.user_lock(user_id):
            client = await self._accounts.client_for(user_id)
            # The screen shows no total for /multi: with a cap used up, it is refused anyway.
            await self._purchases.check_spending(user_id, Decimal(0), key)
            intents: list[Activation] = []
            for index, service in enumerate(request.services):
                try:
                    intent = await self._ledger.record_intent(
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
                    await self._ledger.fail_intent(intent, "not in the multi-service answer")
                    continue
                purchase = NumberPurchase(
                    item.activation_id, item.phone, cost=costs.get(item.activation_id)
                )
                rows_bought.append(await self._confirm(intent, purchase))
            return MultiResult(PurchaseStatus.BOUGHT, tuple(rows_bought))

    # --- call verification ---------------------------------------------------------------

    async def incoming_call(self, user_id: int, ledger_id: int) -> IncomingCallStatus:
        """The incoming call of the user's call-verification activation.

        Raises:
            NotYoursError, AccountError, ProviderError (InvalidRequestError for NOT_INCOMING
            or a provider without the action).
        """
        row = await self.owned(user_id, ledger_id)
        assert row.activation_id is not None
        client = await self._client(row)
        return await client.get_incoming_call_status(row.activation_id)

    async def order_call(self, user_id: int, ledger_id: int, phone: str) -> str:
        """Orders an outgoing call from the activation's number (``createTaskForCall``).

        Returns:
            The provider's text about the task.

        Raises:
            NotYoursError, AccountError, ProviderError (InvalidRequestError with ``BAD_ACTION``
            where the provider has no outgoing calls).
        """
        row = await self.owned(user_id, ledger_id)
        assert row.activation_id is not None
        client = await self._client(row)
        return await client.create_task_for_call(row.activation_id, phone)

    async def outgoing_calls_offered(self, user_id: int, ledger_id: int) -> bool:
        """Whether the activation's provider has outgoing calls (``getOutgoingCalls`` is a
        read; a provider without it answers BAD_ACTION, remembered so it is asked once)."""
        row = await self.owned(user_id, ledger_id)
        if row.provider in self._without_outgoing_calls:
            return False
        client = await self._client(row)
        try:
            await client.get_outgoing_calls(row.activation_id)
        except InvalidRequestError as error:
            if error.token == "BAD_ACTION":
                self._without_outgoing_calls.add(row.provider)
            return False
        except ProviderError:
            return False  # unknown now: not offered this time, asked again next time
        return True

    async def additional_choices(self, user_id: int, ledger_id: int) -> list[tuple[str, str]]:
        """Services that can be added to the activation's forwarded number: (code, name) of
        those the provider sells with forwarding in its country, but its own service."""
        row = await self.owned(user_id, ledger_id)
        client = await self._client(row)
        forwarding = {
            s.service for s in await client.get_numbers_status(row.country) if s.forwarding
        }
        names = {s.code: s.name for s in await self._catalog_services(client)}
        return sorted(
            ((code, names.get(code, code)) for code in forwarding if code != row.service),
            key=lambda choice: choice[1].casefold(),
        )

    async def _catalog_services(self, client: ProviderClient) -> tuple[Service, ...]:
        try:
            return await client.get_services_list()
        except InvalidRequestError:
            return ()

    # --- internals -----------------------------------------------------------------------

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

    async def _client(self, row: Activation) -> ProviderClient:
        client = await self._accounts.client_for_provider(row.user_id, row.provider)
        if client is None:
            raise NoApiKeyError(row.provider)
        return client

    async def _intent(
        self,
        key: str,
        user_id: int,
        chat_id: int,
        parent: Activation,
        service: str,
        price: Decimal,
        *,
        service_name: str | None = None,
    ) -> Activation:
        options: dict[str, object] = {
            name: parent.options[name] for name in _CARRIED_OPTIONS if name in parent.options
        }
        options.update(parent=parent.ledger_id, shown_price=str(price))
        if service_name is not None:
            options["service_name"] = service_name
            options["forward"] = False  # the added service is not itself forwarded
        return await self._ledger.record_intent(
            idempotency_key=key,
            user_id=user_id,
            chat_id=chat_id,
            provider=parent.provider,
            service=service,
            country=parent.country,
            operator=parent.operator,
            options=options,
        )

    async def _pay(
        self, intent: Activation, call: Callable[[], Awaitable[NumberPurchase]]
    ) -> PurchaseResult:
        return await pay_once(
            self._ledger,
            self._reconciler,
            intent,
            call,
            clock=self._clock,
            lifetime=self._lifetime,
            shown_cost=_shown_cost(intent),
        )

    async def _confirm(self, intent: Activation, purchase: NumberPurchase) -> Activation:
        return await confirm_purchase(
            self._ledger,
            intent,
            purchase,
            clock=self._clock,
            lifetime=self._lifetime,
            shown_cost=_shown_cost(intent),
        )

    async def _failed_all(
        self, intents: Sequence[Activation], error: ProviderError
    ) -> list[PurchaseResult]:
        return await settle_failed_call(self._ledger, self._reconciler, intents, error)


def _shown_cost(intent: Activation) -> Decimal:
    """The price the confirm screen showed, kept on the intent (0 when none was shown)."""
    shown = intent.options.get("shown_price")
    return Decimal(str(shown or 0))


def is_missing_action(error: ProviderError) -> bool:
    """Whether the provider answered that it has no such action (hide the feature then)."""
    return isinstance(error, InvalidRequestError) and error.token == "BAD_ACTION"


def _worst(results: Sequence[PurchaseResult]) -> PurchaseStatus:
    """A multi purchase's outcome from its rows': bought if any row was found bought."""
    statuses = {r.status for r in results}
    for status in (PurchaseStatus.BOUGHT, PurchaseStatus.UNRESOLVED):
        if status in statuses:
            return status
    return PurchaseStatus.REFUSED
