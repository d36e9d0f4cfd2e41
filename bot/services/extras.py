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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

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
from bot.services.activations import owned_activation
from bot.services.multi import MultiPurchase, MultiRequest, MultiResult
from bot.services.paid_extras import PaidExtras
from bot.services.purchases import (
    PurchaseResult,
    PurchaseService,
    PurchaseStatus,
)
from storage.activations import Activation
from storage.errors import DuplicateIntentError

log = logging.getLogger(__name__)

__all__ = ["ExtraQuote", "ExtrasService", "MultiRequest", "MultiResult", "is_missing_action"]

_CARRIED_OPTIONS: Final = ("service_name", "country_names", "forward", "verification")


@dataclass(frozen=True, slots=True)
class ExtraQuote:
    """What another activation on ``parent``'s number costs, as the provider says now, and
    the balance to pay it with."""

    parent: Activation
    offer: ExtraActivationOffer
    balance: Decimal


class ExtrasService(PaidExtras):
    """Buys extras and reads call-verification state for users (the parts:
    :class:`~bot.services.paid_extras.PaidExtras`)."""

    def __init__(self, purchases: PurchaseService) -> None:
        super().__init__(purchases)
        self._without_outgoing_calls: set[str] = set()  # providers that answered BAD_ACTION
        self._multi = MultiPurchase(purchases)

    async def owned(self, user_id: int, ledger_id: int) -> Activation:
        """The user's own bought activation.

        Raises:
            NotYoursError: it does not exist, was never bought, or belongs to someone else.
        """
        return await owned_activation(self.purchases.ledger, user_id, ledger_id)

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
        return await self._buy_on_parent(
            user_id, chat_id, parent_ledger_id, price, key,
            lambda client, parent_id: client.get_extra_activation(parent_id),
        )

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
        return await self._buy_on_parent(
            user_id, chat_id, parent_ledger_id, price, key,
            lambda client, parent_id: client.get_additional_service(parent_id, service),
            service=service,
            service_name=service_name,
        )

    # --- one number for several services -------------------------------------------------

    async def buy_multi(
        self, user_id: int, chat_id: int, request: MultiRequest, key: str, *,
        provider: str | None = None,
    ) -> MultiResult:
        """One ``getMultiServiceNumber`` for ``key`` at ``provider`` (None: the user's
        current one; see :meth:`MultiPurchase.buy`).

        Raises:
            AccountError: no usable key (nothing was recorded).
        """
        return await self._multi.buy(user_id, chat_id, request, key, provider=provider)

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

    async def _buy_on_parent(
        self,
        user_id: int,
        chat_id: int,
        parent_ledger_id: int,
        price: Decimal,
        key: str,
        call: Callable[[ProviderClient, str], Awaitable[NumberPurchase]],
        *,
        service: str | None = None,
        service_name: str | None = None,
    ) -> PurchaseResult:
        """One paid call on the number of the user's activation, at most once for ``key``:
        ``call(client, parent_activation_id)`` buys ``service`` (the parent's by default)."""
        parent = await self.owned(user_id, parent_ledger_id)
        assert parent.activation_id is not None
        parent_id = parent.activation_id
        async with self.purchases.user_lock(user_id):
            client = await self._client(parent)
            await self.purchases.check_spending(user_id, price, key)
            try:
                intent = await self._intent(
                    key, user_id, chat_id, parent, service or parent.service, price,
                    service_name=service_name,
                )
            except DuplicateIntentError as duplicate:
                return PurchaseResult(PurchaseStatus.DUPLICATE, duplicate.existing)
            return await self._pay(intent, lambda: call(client, parent_id))

    async def _client(self, row: Activation) -> ProviderClient:
        return await self.purchases.accounts.require_client(row.user_id, row.provider)

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
        return await self.purchases.ledger.record_intent(
            idempotency_key=key,
            user_id=user_id,
            chat_id=chat_id,
            provider=parent.provider,
            service=service,
            country=parent.country,
            operator=parent.operator,
            options=options,
        )


def is_missing_action(error: ProviderError) -> bool:
    """Whether the provider answered that it has no such action (hide the feature then)."""
    return isinstance(error, InvalidRequestError) and error.token == "BAD_ACTION"
