"""Buying an activation: intent first, one paid call, then the outcome the provider knows.

PTB-free. The rules this module exists for:

* the intent is written durably under the confirm screen's idempotency key BEFORE the paid
  call, so a double tap (same key) is refused by the ledger and never reaches the provider;
* the paid call is made once; a definite "no" fails the intent; an unknown outcome is
  reconciled with ``getActiveActivations`` at once, under the user's purchase lock, never
  guessed and never retried;
* a user buys one thing at a time (a per-user lock), so reconciliation cannot take one
  purchase for another.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    InvalidRequestError,
    ProviderClient,
)
from bot.provider.client import NumberOptions
from bot.provider.models import NumberPurchase
from bot.services.accounts import AccountService
from bot.services.paid_call import (
    PurchaseResult,
    PurchaseStatus,
    buy_once,
    confirm_purchase,
    purchase_deadline,
)
from bot.services.purchase_options import OfferedOptions, forward_number, offered_options
from bot.services.reconciliation import Reconciler
from bot.services.spending import SpendingGuard
from storage.activations import Activation, ActivationLedger
from storage.db import WRITE_FAILURES, InProcessLocks, LockFactory
from storage.errors import DuplicateIntentError

log = logging.getLogger(__name__)

__all__ = [  # the paid call and the purchase options live beside; callers import them from here
    "DEFAULT_LIFETIME", "LedgerUnavailableError", "OfferedOptions", "PurchaseRequest",
    "PurchaseResult", "PurchaseService", "PurchaseStatus", "confirm_purchase", "forward_number",
    "offered_options", "purchase_deadline",
]

DEFAULT_LIFETIME: Final = None
"""Assume each service's usual lifetime (bot/provider/lifetimes.py) where a reply has no end."""
# A write the database refused: busy past its timeout ("database is locked"), full, or (on
# PostgreSQL) a lost connection or a statement timeout.
_WRITE_FAILURES: Final = WRITE_FAILURES


class LedgerUnavailableError(Exception):
    """The intent could not be written, so the provider was not asked: nothing was bought,
    nothing recorded, and the same confirmation may be tapped again."""


@dataclass(frozen=True, slots=True)
class PurchaseRequest:
    """What the user confirmed.

    Attributes:
        service: the service code.
        country: the provider's country id.
        operator: an operator name, or None for any.
        shown_price: the price the confirm screen showed (the cost recorded when the provider
            does not say; never sent as a limit unless ``max_price`` is set).
        max_price: a Free Price limit, or None.
        forward: call forwarding.
        forward_number: the phone number calls are forwarded to (digits), with ``forward``.
        verification: a number that can take a verification call (the provider then takes
            no Free Price limit, so ``max_price`` is not sent).
        service_name: the service's name, kept for messages.
        country_names: the country's name by locale, kept for messages.
    """

    service: str
    country: int
    operator: str | None
    shown_price: Decimal
    max_price: Decimal | None = None
    forward: bool = False
    forward_number: str | None = None
    verification: bool = False
    service_name: str = ""
    country_names: Mapping[str, str] = field(default_factory=dict)


class PurchaseService:
    """Buys activations for users.

    Args:
        accounts: builds the user's provider client.
        ledger: the activation ledger.
        reconciler: resolves unknown outcomes.
        clock: the source of "now".
        lifetime: the activation lifetime to assume when the provider does not tell the end;
            None (the default) assumes each service's usual one.
        locks: named locks; ``Database.lock`` where several processes share the database
            (PostgreSQL advisory locks), in-process locks by default.
        spending: the user's spending caps, checked before every paid call (None: no caps).
    """

    def __init__(
        self,
        accounts: AccountService,
        ledger: ActivationLedger,
        reconciler: Reconciler,
        *,
        clock: Clock,
        lifetime: float | None = DEFAULT_LIFETIME,
        locks: LockFactory | None = None,
        spending: SpendingGuard | None = None,
    ) -> None:
        self._accounts = accounts
        self._ledger = ledger
        self._reconciler = reconciler
        self._clock = clock
        self._lifetime = lifetime
        self._locks: LockFactory = locks or InProcessLocks()
        self._holding: dict[int, int] = {}
        self._spending = spending

    @contextlib.asynccontextmanager
    async def user_lock(self, user_id: int) -> AsyncIterator[None]:
        """The user's purchase lock: every paid call of theirs (here, in ExtrasService or in
        RentService) runs under it, so reconciling one unknown outcome (which resolves every
        kind of the user's intents) cannot take another purchase for it."""
        async with self._locks(f"purchase:{user_id}"):
            # Counted here too: the reconciler asks this process which users have a paid
            # call waiting for its answer (the lock itself may live in the database).
            self._holding[user_id] = self._holding.get(user_id, 0) + 1
            try:
                yield
            finally:
                self._holding[user_id] -= 1
                if not self._holding[user_id]:
                    del self._holding[user_id]

    def in_flight(self, user_id: int) -> bool:
        """Whether one of the user's paid calls is waiting for its answer in this process."""
        return user_id in self._holding

    async def check_spending(self, user_id: int, price: Decimal, idempotency_key: str) -> None:
        """Refuses a paid call of ``price`` that would pass the user's caps. Call it under the
        user's lock, just before the intent is written.

        Raises:
            SpendingCapError: with the amount that remains.
        """
        if self._spending is not None:
            await self._spending.check(user_id, price, idempotency_key)

    async def buy(
        self,
        user_id: int,
        chat_id: int,
        request: PurchaseRequest,
        idempotency_key: str,
        *,
        provider: str | None = None,
    ) -> PurchaseResult:
        """Buys at most one activation for this idempotency key.

        Args:
            provider: buy at this one of the user's providers (the best row of a comparison)
                instead of their current one.

        Raises:
            AccountError: the user has no usable key (nothing was recorded).
            SpendingCapError: the purchase would pass a spending cap (nothing was recorded).
            LedgerUnavailableError: the intent could not be written (nothing was bought).
        """
        async with self.user_lock(user_id):
            client = await self._accounts.client_at(user_id, provider)
            price = max(request.shown_price, request.max_price or Decimal(0))
            await self.check_spending(user_id, price, idempotency_key)
            try:
                intent = await self._ledger.record_intent(
                    idempotency_key=idempotency_key,
                    user_id=user_id,
                    chat_id=chat_id,
                    provider=client.endpoint.key,
                    service=request.service,
                    country=request.country,
                    operator=request.operator,
                    max_price=None if request.verification else request.max_price,
                    options={
                        "shown_price": str(request.shown_price),
                        "forward": request.forward,
                        "forward_number": request.forward_number if request.forward else None,
                        "verification": request.verification,
                        "service_name": request.service_name or request.service,
                        "country_names": dict(request.country_names),
                    },
                )
            except DuplicateIntentError as duplicate:
                return PurchaseResult(PurchaseStatus.DUPLICATE, duplicate.existing)
            except _WRITE_FAILURES as error:
                log.error("purchase not started: the ledger refused the intent (%s)", error)
                raise LedgerUnavailableError from None
            try:
                return await self._pay(client, intent, request)
            except _WRITE_FAILURES as error:
                # The provider was asked; only the recording failed. The intent row stays
                # pending (never lost): the reconciler finds out what the provider did.
                log.error("purchase %s: outcome not recorded (%s)", intent.ledger_id, error)
                return PurchaseResult(PurchaseStatus.UNRECORDED, intent)

    async def _pay(
        self, client: ProviderClient, intent: Activation, request: PurchaseRequest
    ) -> PurchaseResult:
        return await buy_once(
            self._ledger,
            self._reconciler,
            intent,
            lambda: self._call_provider(client, intent, request),
            clock=self._clock,
            lifetime=self._lifetime,
            shown_cost=request.shown_price,
        )

    async def _call_provider(
        self, client: ProviderClient, intent: Activation, request: PurchaseRequest
    ) -> NumberPurchase:
        options: NumberOptions = {
            "country": request.country,
            "operator": None if request.operator in (None, "any") else request.operator,
            # The protocol: verification disables Free Price, so a limit would only be refused.
            "max_price": None if request.verification else request.max_price,
            "forward": request.forward,
            "verification": request.verification,
        }
        try:
            # V2 tells the cost and the provider's deadline; orderId makes the purchase
            # idempotent at providers that know it.
            return await client.get_number_v2(
                request.service, order_id=intent.idempotency_key, **options
            )
        except InvalidRequestError as refused:
            if refused.token != "BAD_ACTION":
                raise
        # BAD_ACTION: this provider has no getNumberV2, and so sold nothing; the classic call.
        return await client.get_number(request.service, **options)
