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
import enum
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    InvalidRequestError,
    OutcomeUnknownError,
    ProviderClient,
    ProviderError,
    ProviderRejection,
    TransportError,
)
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import NumberPurchase
from bot.services.accounts import AccountService, NoApiKeyError
from bot.services.reconciliation import Reconciler
from bot.services.spending import SpendingGuard
from storage.activations import Activation, ActivationLedger
from storage.db import WRITE_FAILURES, InProcessLocks, LockFactory
from storage.errors import DuplicateIntentError

log = logging.getLogger(__name__)

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
            client = await self._client(user_id, provider)
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

    async def _client(self, user_id: int, provider: str | None) -> ProviderClient:
        if provider is None:
            return await self._accounts.client_for(user_id)
        client = await self._accounts.client_for_provider(user_id, provider)
        if client is None:
            raise NoApiKeyError(provider)
        return client

    async def _pay(
        self, client: ProviderClient, intent: Activation, request: PurchaseRequest
    ) -> PurchaseResult:
        return await pay_once(
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
        operator = None if request.operator in (None, "any") else request.operator
        # The protocol: verification disables Free Price, so a limit would only be refused.
        max_price = None if request.verification else request.max_price
        try:
            # V2 tells the cost and the provider's deadline; orderId makes the purchase
            # idempotent at providers that know it.
            return await client.get_number_v2(
                request.service,
                country=request.country,
                operator=operator,
                max_price=max_price,
                forward=request.forward,
                verification=request.verification,
                order_id=intent.idempotency_key,
            )
        except InvalidRequestError as refused:
            if refused.token != "BAD_ACTION":
                raise
        # BAD_ACTION: this provider has no getNumberV2, and so sold nothing; the classic call.
        return await client.get_number(
            request.service,
            country=request.country,
            operator=operator,
            max_price=max_price,
            forward=request.forward,
            verification=request.verification,
        )



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


@dataclass(frozen=True, slots=True)
class OfferedOptions:
    """What the provider offers for one service in one country, beyond a plain SMS number.

    Attributes:
        verification_price: the price of a call-verification number there, or None when the
            provider sells none (or cannot say).
        verification_count: how many call-verification numbers are free there.
        forward: numbers with call forwarding are sold there.
    """

    verification_price: Decimal | None = None
    verification_count: int = 0
    forward: bool = False


async def offered_options(client: ProviderClient, service: str, country: int) -> OfferedOptions:
    """Asks the provider which options it offers: ``getPricesVerification`` for call
    verification, the ``<service>_1`` entries of ``getNumbersStatus`` for forwarding.

    A provider that lacks an action, or fails to answer, offers nothing by it: the user then
    buys a plain number, which every provider sells.
    """
    verification_price: Decimal | None = None
    verification_count = 0
    forward = False
    try:
        for offer in await client.get_prices_verification(service):
            if offer.service == service and offer.country == country and offer.count > 0:
                verification_price, verification_count = offer.price, offer.count
    except ProviderError as error:
        log.info("getPricesVerification unavailable: %s", type(error).__name__)
    try:
        forward = any(
            entry.service == service and entry.forwarding and entry.count > 0
            for entry in await client.get_numbers_status(country)
        )
    except ProviderError as error:
        log.info("getNumbersStatus unavailable: %s", type(error).__name__)
    return OfferedOptions(verification_price, verification_count, forward)


_PHONE_DIGITS: Final = re.compile(r"^[0-9]{7,15}$")


def forward_number(text: str) -> str | None:
    """The digits of a phone number to forward calls to (international form, 7 to 15
    digits, as E.164 allows), or None when ``text`` is not one. Spaces, dashes, dots,
    brackets and a leading ``+`` are allowed and dropped."""
    cleaned = re.sub(r"[\s\-.()]", "", text.strip())
    cleaned = cleaned.removeprefix("+")
    return cleaned if _PHONE_DIGITS.match(cleaned) else None
