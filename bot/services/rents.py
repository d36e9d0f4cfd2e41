"""Renting numbers: the paid calls (rent, extend) and the buttons on a rent (finish, cancel).

PTB-free. The rules this module exists for, as in :mod:`bot.services.purchases`:

* the intent (a rent, or an extension) is written durably under the confirm screen's token
  BEFORE the paid call, so a double tap (same token) is refused by the ledger and never
  reaches the provider;
* a paid call is made once; a definite "no" fails the intent; an unknown outcome of
  ``getRentNumber`` is reconciled at once with ``getRentList`` under the user's purchase lock;
  an unknown outcome of ``continueRentNumber`` stays open until the provider shows it (the
  rent still live past its old end means it was extended; see :class:`RentWatcher`);
* the provider decides whether a rent may be finished, cancelled or extended: a press asks it,
  and its refusal is told to the user with the reason.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    NotFoundError,
    ProviderClient,
    ProviderError,
    RentExpiredError,
    StateConflictError,
)
from bot.provider.models import RentState as ProviderRentState
from bot.provider.models import RentStatus
from bot.services.accounts import AccountService
from bot.services.paid_call import PurchaseStatus, pay_once, refusal_reason
from bot.services.reconciliation import Reconciler
from bot.services.recorder import Recorder
from bot.services.results import NotYoursError, Outcome, RentActionResult
from bot.services.spending import SpendingGuard
from storage.errors import DuplicateIntentError, InvalidTransitionError
from storage.rents import Rent, RentExtension, RentLedger, RentState, WatchedRent

log = logging.getLogger(__name__)

RENT_RECONCILED_EVENT: Final = "rent_reconciled"  # a rent whose outcome was found out later
CANCEL_WINDOW: Final = 20 * 60.0  # the provider's cancel window (PROTOCOL §6)
# A rent the provider reports finished within this many seconds of its end date ran out
# (rather than being finished early): the clocks of the bot and the provider differ a little.
_EXPIRY_SLACK: Final = 120.0


@dataclass(frozen=True, slots=True)
class RentRequest:
    """What the user confirmed on /rent's confirm screen.

    Attributes:
        service: the service code, or ``full`` for the whole number.
        hours: the duration.
        country: the provider's country id.
        operator: an operator name, or None for any.
        shown_price: the price the confirm screen showed (recorded as the cost).
        service_name: the service's name, kept for messages.
        country_names: the country's name by locale, kept for messages.
    """

    service: str
    hours: int
    country: int
    operator: str | None
    shown_price: Decimal
    service_name: str = ""
    country_names: Mapping[str, str] = field(default_factory=dict)


class RentStatusKind(enum.Enum):
    RENTED = "rented"  # the provider rented a number; ``rent`` holds it
    REFUSED = "refused"  # the provider said no (``error`` says why); nothing was paid
    DUPLICATE = "duplicate"  # this confirmation was already used; ``rent`` is its row
    UNRESOLVED = "unresolved"  # outcome unknown and the provider could not be asked yet


@dataclass(frozen=True, slots=True)
class RentResult:
    status: RentStatusKind
    rent: Rent | None = None
    error: ProviderError | None = None


# What a paid call's settlement (PurchaseStatus) is called for a rent; DUPLICATE never comes
# from a settlement.
_RENT_STATUS: Final = {
    PurchaseStatus.BOUGHT: RentStatusKind.RENTED,
    PurchaseStatus.REFUSED: RentStatusKind.REFUSED,
    PurchaseStatus.UNRESOLVED: RentStatusKind.UNRESOLVED,
}


class ExtensionKind(enum.Enum):
    EXTENDED = "extended"
    REFUSED = "refused"  # ``error`` says why (RENT_DIE, MAX_HOURS_EXCEED, NO_BALANCE, …)
    DUPLICATE = "duplicate"  # this confirmation was already used
    UNRESOLVED = "unresolved"  # the answer was lost; settled when the provider shows it


@dataclass(frozen=True, slots=True)
class ExtensionResult:
    status: ExtensionKind
    rent: Rent
    error: ProviderError | None = None


class RentService:
    """Rents numbers for users and carries out their presses on them.

    Args:
        accounts: builds the user's provider client.
        ledger: the rent ledger.
        reconciler: resolves an unknown rent outcome.
        recorder: records what the provider reports (SMS, endings) with its push.
        clock: the source of "now".
        user_lock: the user's purchase lock (shared with activations: the Reconciler resolves
            both kinds of a user's intents at once, so no purchase of either may be in flight).
        webhook_url: where the provider should push a rent's SMS (a URL for each rent: it
            goes to the provider the user chose), or None.
        spending: the user's spending caps, checked before each paid call (None: no caps).
    """

    def __init__(
        self,
        accounts: AccountService,
        ledger: RentLedger,
        reconciler: Reconciler,
        recorder: Recorder,
        *,
        clock: Clock,
        user_lock: Callable[[int], AbstractAsyncContextManager[object]],
        webhook_url: Callable[[Rent], str] | None = None,
        spending: SpendingGuard | None = None,
    ) -> None:
        self._accounts = accounts
        self._ledger = ledger
        self._reconciler = reconciler
        self._recorder = recorder
        self._clock = clock
        self._user_lock = user_lock
        self.webhook_url = webhook_url
        self.spending = spending

    # --- renting -------------------------------------------------------------------------

    async def rent(
        self,
        user_id: int,
        chat_id: int,
        request: RentRequest,
        idempotency_key: str,
        *,
        provider: str | None = None,
    ) -> RentResult:
        """Rents at most one number for this idempotency key.

        Args:
            provider: rent at this one of the user's providers (the chosen row of a
                comparison, in its codes) instead of their current one; the ledger row names
                it, so the watcher and the reconciler ask that provider.

        Raises:
            AccountError: the user has no usable key (nothing was recorded).
        """
        async with self._user_lock(user_id):
            client = await self._accounts.client_at(user_id, provider)
            if self.spending is not None:
                await self.spending.check(user_id, request.shown_price, idempotency_key)
            try:
                intent = await self._ledger.record_intent(
                    idempotency_key=idempotency_key,
                    user_id=user_id,
                    chat_id=chat_id,
                    provider=client.endpoint.key,
                    service=request.service,
                    hours=request.hours,
                    country=request.country,
                    operator=request.operator,
                    options={
                        "shown_price": str(request.shown_price),
                        "service_name": request.service_name or request.service,
                        "country_names": dict(request.country_names),
                    },
                )
            except DuplicateIntentError as duplicate:
                existing = duplicate.existing
                return RentResult(
                    RentStatusKind.DUPLICATE, existing if isinstance(existing, Rent) else None
                )
            return await self._pay(client, intent, request)

    async def _pay(self, client: ProviderClient, intent: Rent, request: RentRequest) -> RentResult:
        operator = None if request.operator in (None, "any") else request.operator
        settled = await pay_once(
            self._ledger,
            self._reconciler,
            intent,
            lambda: client.get_rent_number(
                request.service,
                request.hours,
                country=request.country,
                operator=operator,
                webhook_url=None if self.webhook_url is None else self.webhook_url(intent),
            ),
            lambda rented: self._ledger.confirm_intent(
                intent,
                rent_id=rented.rent_id,
                phone=rented.phone,
                end_date=rented.end_date.timestamp(),
                cost=request.shown_price,
            ),
        )
        return RentResult(_RENT_STATUS[settled.status], settled.row, settled.error)

    # --- the rent's buttons --------------------------------------------------------------

    async def owned(self, user_id: int, ledger_id: int) -> Rent:
        """The user's own rented number.

        Raises:
            NotYoursError: no such row, never rented, or someone else's.
        """
        row = await self._ledger.get(ledger_id)
        if row is None or row.user_id != user_id or row.rent_id is None:
            raise NotYoursError(ledger_id)
        return row

    async def finish(self, user_id: int, ledger_id: int) -> RentActionResult:
        """Ends the rent early (setRentStatus 1); the charge is kept."""
        return await self._set_status(user_id, ledger_id, cancel=False)

    async def cancel(self, user_id: int, ledger_id: int) -> RentActionResult:
        """Cancels the rent for a refund (setRentStatus 2); the provider decides if it may."""
        return await self._set_status(user_id, ledger_id, cancel=True)

    async def _set_status(self, user_id: int, ledger_id: int, *, cancel: bool) -> RentActionResult:
        """Raises NotYoursError, AccountError, or ProviderError when the provider could not be
        asked (nothing changed)."""
        row = await self.owned(user_id, ledger_id)
        assert row.rent_id is not None
        client = await self._client(row)
        try:
            if cancel:
                await client.cancel_rent(row.rent_id)
            else:
                await client.finish_rent(row.rent_id)
        except (StateConflictError, NotFoundError) as refusal:
            log.info("setRentStatus refused for rent %s: %s", ledger_id, refusal.token)
            synced = await self.sync(client, row)
            if synced.state is not RentState.ACTIVE:
                return RentActionResult(Outcome.ENDED, synced, refusal)
            if cancel and refusal.token == "CANT_CANCEL":
                return RentActionResult(Outcome.CANCEL_REFUSED, synced, refusal)
            return RentActionResult(Outcome.REFUSED, synced, refusal)
        await self._ledger.end(row.ledger_id, RentState.CANCELLED if cancel else RentState.FINISHED)
        return RentActionResult(Outcome.DONE, await self._reload(row))

    async def extension_price(self, user_id: int, ledger_id: int, hours: int) -> Decimal:
        """What extending the rent by ``hours`` costs now (getContinueRentPriceNumber).

        Raises:
            NotYoursError, AccountError.
            ProviderError: the provider refused (RentExpiredError once the rent ended — the
                ledger then learns how it ended — MaxHoursExceededError, …) or was not reached.
        """
        row = await self.owned(user_id, ledger_id)
        assert row.rent_id is not None
        client = await self._client(row)
        try:
            return await client.get_continue_rent_price_number(row.rent_id, hours)
        except (RentExpiredError, NotFoundError):
            await self.sync(client, row)
            raise

    async def extend(
        self, user_id: int, ledger_id: int, hours: int, shown_price: Decimal, idempotency_key: str
    ) -> ExtensionResult:
        """Extends the rent by ``hours`` at most once for this idempotency key.

        Raises:
            NotYoursError, AccountError.
        """
        async with self._user_lock(user_id):
            row = await self.owned(user_id, ledger_id)
            assert row.rent_id is not None
            client = await self._client(row)
            if await self._ledger.open_extensions(row.ledger_id):
                # An earlier extension's answer was lost: paying again could pay twice.
                return ExtensionResult(ExtensionKind.UNRESOLVED, row)
            if self.spending is not None:
                await self.spending.check(user_id, shown_price, idempotency_key)
            try:
                extension = await self._ledger.begin_extension(
                    row, hours=hours, idempotency_key=idempotency_key, shown_cost=shown_price
                )
            except DuplicateIntentError:
                return ExtensionResult(ExtensionKind.DUPLICATE, await self._reload(row))
            except InvalidTransitionError:
                # The ledger holds the end the provider reported: nothing is paid for an
                # ended rent (the provider would answer RENT_DIE).
                return ExtensionResult(ExtensionKind.REFUSED, row, RentExpiredError("RENT_DIE"))
            return await self._pay_extension(client, row, extension, shown_price)

    async def _pay_extension(
        self, client: ProviderClient, row: Rent, extension: RentExtension, price: Decimal
    ) -> ExtensionResult:
        """The one paid ``continueRentNumber``, as :func:`~bot.services.paid_call.pay_once`
        makes it, but for its ledger: getRentStatus and getRentList tell no end date, so an
        unknown outcome cannot be reconciled at once and stays open until the provider shows
        whether the rent outlives its old end (the watcher checks)."""
        assert row.rent_id is not None
        try:
            extended = await client.continue_rent_number(row.rent_id, extension.hours)
        except ProviderError as error:
            reason = refusal_reason(error)
            if reason is None:
                log.warning("rent %s: extension outcome unknown, left open", row.ledger_id)
                return ExtensionResult(ExtensionKind.UNRESOLVED, row, error)
            await self._ledger.fail_extension(extension, reason)
            if isinstance(error, RentExpiredError | NotFoundError):
                await self.sync(client, row)
            return ExtensionResult(ExtensionKind.REFUSED, await self._reload(row), error)
        updated = await self._ledger.confirm_extension(
            extension, end_date=extended.end_date.timestamp(), cost=price
        )
        return ExtensionResult(ExtensionKind.EXTENDED, updated)

    # --- the provider's view -------------------------------------------------------------

    async def sync(self, client: ProviderClient, row: Rent) -> Rent:
        """Asks getRentStatus and brings the ledger in line (SMS pushed, an end recorded)."""
        assert row.rent_id is not None
        try:
            status = await client.get_rent_status(row.rent_id)
        except NotFoundError:
            return await self._reload(row)  # the provider does not say how: leave it to it
        await apply_status(self._recorder, watched(row), status, self._clock.now())
        return await self._reload(row)

    async def _client(self, row: Rent) -> ProviderClient:
        return await self._accounts.require_client(row.user_id, row.provider)

    async def _reload(self, row: Rent) -> Rent:
        fresh = await self._ledger.get(row.ledger_id)
        assert fresh is not None
        return fresh


def watched(row: Rent) -> WatchedRent:
    """The watcher's view of a confirmed rent row."""
    assert row.rent_id is not None
    return WatchedRent(
        row.ledger_id,
        row.user_id,
        row.chat_id,
        row.message_id,
        row.provider,
        row.rent_id,
        row.phone or "",
        row.end_date,
    )


async def apply_status(
    recorder: Recorder, rent: WatchedRent, status: RentStatus, now: float
) -> tuple[int, bool]:
    """Records what a getRentStatus reply says: each SMS once (oldest first), and an end.

    Returns:
        How many SMS were new, and whether the rent ended now.
    """
    new = 0
    for message in reversed(status.messages):  # the provider lists them newest first
        if await recorder.rent_sms(rent, message):
            new += 1
    if status.state is ProviderRentState.CANCELLED:
        return new, await recorder.rent_ended(rent, RentState.CANCELLED, "cancelled")
    if status.state is ProviderRentState.FINISHED:
        ran_out = rent.end_date is not None and now >= rent.end_date - _EXPIRY_SLACK
        state, why = (RentState.EXPIRED, "expired") if ran_out else (RentState.FINISHED, "finished")
        return new, await recorder.rent_ended(rent, state, why)
    return new, False
