"""The async provider client: one method per handler_api.php action, named after it.

A :class:`ProviderClient` is cheap: it binds one endpoint and one user's key to the shared
:class:`~bot.provider.transport.ProviderTransport`. Make one per call site::

    client = ProviderClient(transport, resolve_endpoint("herosms"), api_key)
    purchase = await client.get_number("tg", country=6)

Paid actions (``get_number*``, ``get_multi_service_number``, ``get_rent_number``,
``continue_rent_number``, ``get_additional_service``, ``get_extra_activation``) are sent
exactly once. Their outcome is one of: a result (bought), a
:class:`~bot.provider.errors.ProviderRejection` (not bought), a
:class:`~bot.provider.errors.TransportError` (never sent, not bought), or an
:class:`~bot.provider.errors.OutcomeUnknownError` (reconcile before doing anything else).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Final, TypeVar

from bot.core.secret import Secret
from bot.provider import parsing
from bot.provider.errors import OutcomeUnknownError, ProviderServerError, UnexpectedReplyError
from bot.provider.models import (
    ActivationAction,
    ActivationStatus,
    ActivationStatusV2,
    ActiveActivation,
    Country,
    ExtraActivationOffer,
    FullSms,
    IncomingCallStatus,
    MultiServiceActivation,
    NumberPurchase,
    OutgoingCall,
    Price,
    RentCatalog,
    RentedNumber,
    RentListItem,
    RentStatus,
    Service,
    ServiceAvailability,
    StatusChange,
    TopCountry,
    VerificationPrice,
)
from bot.provider.parsing import RawReply
from bot.provider.presets import ProviderEndpoint
from bot.provider.transport import ProviderTransport

T = TypeVar("T")

RENT_FINISH: Final = 1
RENT_CANCEL: Final = 2

PAID_ACTIONS: Final = frozenset(
    {
        "getNumber",
        "getNumberV2",
        "getMultiServiceNumber",
        "getRentNumber",
        "continueRentNumber",
        "getAdditionalService",
        "getExtraActivation",
    }
)


class ProviderClient:
    """One provider account: an endpoint and a key, over the shared transport.

    Args:
        transport: the process-wide transport.
        endpoint: where the provider is.
        api_key: the user's key; it is sent in the request body (or query, for GET presets)
            and nowhere else.
    """

    __slots__ = ("_api_key", "_endpoint", "_transport")

    def __init__(
        self, transport: ProviderTransport, endpoint: ProviderEndpoint, api_key: Secret
    ) -> None:
        self._transport = transport
        self._endpoint = endpoint
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"ProviderClient(endpoint={self._endpoint.name!r}, api_key={self._api_key!r})"

    @property
    def endpoint(self) -> ProviderEndpoint:
        return self._endpoint

    async def _read(self, action: str, parse: Callable[[RawReply], T], **params: object) -> T:
        reply = await self._transport.call(
            self._endpoint, self._api_key, action, _form(params), paid=False
        )
        return parse(reply)

    async def _buy(self, action: str, parse: Callable[[RawReply], T], **params: object) -> T:
        reply = await self._transport.call(
            self._endpoint, self._api_key, action, _form(params), paid=True
        )
        try:
            return parse(reply)
        except (UnexpectedReplyError, ProviderServerError) as exc:
            # Garbage, an HTML page, a 5xx or the provider's own "internal error" after a
            # purchase request: it may have been carried out. Never guess; reconcile.
            raise OutcomeUnknownError(action, str(exc), answered=True) from None

    # --- account ---------------------------------------------------------------------------

    async def get_balance(self) -> Decimal:
        """The account balance."""
        return await self._read("getBalance", parsing.parse_balance)

    async def get_balance_and_cashback(self) -> Decimal:
        """The balance plus cashback (counted only if the account spends cashback)."""
        return await self._read("getBalanceAndCashBack", parsing.parse_balance)

    # --- catalogue -------------------------------------------------------------------------

    async def get_numbers_status(
        self, country: int | None = None, operator: str | Iterable[str] | None = None
    ) -> tuple[ServiceAvailability, ...]:
        """How many numbers each service has free."""
        return await self._read(
            "getNumbersStatus", parsing.parse_numbers_status, country=country, operator=operator
        )

    async def get_top_countries_by_service(
        self, service: str | None = None, *, free_price: bool = False
    ) -> tuple[TopCountry, ...]:
        """The best countries for a service, by rank."""
        return await self._read(
            "getTopCountriesByService",
            parsing.parse_top_countries,
            service=service,
            freePrice=_true_or_none(free_price),
        )

    async def get_operators(self, country: int | None = None) -> dict[int, tuple[str, ...]]:
        """Operators by country; empty where the provider has none."""
        return await self._read("getOperators", parsing.parse_operators, country=country)

    async def get_prices(
        self, service: str | None = None, country: int | None = None
    ) -> tuple[Price, ...]:
        """Prices and stock by country and service."""
        return await self._read("getPrices", parsing.parse_prices, service=service, country=country)

    async def get_prices_verification(
        self, service: str | None = None
    ) -> tuple[VerificationPrice, ...]:
        """Prices of call-verification numbers."""
        return await self._read(
            "getPricesVerification", parsing.parse_prices_verification, service=service
        )

    async def get_countries(self) -> tuple[Country, ...]:
        """Every country with its names and flags."""
        return await self._read("getCountries", parsing.parse_countries)

    async def get_services_list(
        self, country: int | None = None, lang: str | None = None
    ) -> tuple[Service, ...]:
        """Service codes and names."""
        return await self._read(
            "getServicesList", parsing.parse_services_list, country=country, lang=lang
        )

    # --- buying activations (paid: sent once) ----------------------------------------------

    async def get_number(
        self,
        service: str,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
        max_price: Decimal | None = None,
        forward: bool = False,
        phone_exception: Iterable[str] | None = None,
        verification: bool = False,
        ref: str | None = None,
    ) -> NumberPurchase:
        """Buys an activation (``ACCESS_NUMBER:id:phone``). Paid; never retried."""
        return await self._buy(
            "getNumber",
            parsing.parse_number,
            **_purchase_params(
                service, country, operator, max_price, forward, phone_exception, verification, ref
            ),
        )

    async def get_number_v2(
        self,
        service: str,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
        max_price: Decimal | None = None,
        forward: bool = False,
        phone_exception: Iterable[str] | None = None,
        verification: bool = False,
        ref: str | None = None,
        order_id: str | None = None,
    ) -> NumberPurchase:
        """Buys an activation, JSON answer with cost and times. Paid; never retried.

        Args:
            order_id: an idempotency key; providers that know it refuse a second purchase
                with the same id (``ORDER_ALREADY_EXISTS``).
        """
        return await self._buy(
            "getNumberV2",
            parsing.parse_number_v2,
            orderId=order_id,
            **_purchase_params(
                service, country, operator, max_price, forward, phone_exception, verification, ref
            ),
        )

    async def get_multi_service_number(
        self,
        services: Iterable[str],
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
        forward_service: str | None = None,
        ref: str | None = None,
    ) -> tuple[MultiServiceActivation, ...]:
        """Buys one number for several services, one activation each. Paid; never retried.

        Args:
            forward_service: the one service (at most one) that gets call forwarding.
        """
        codes = list(services)
        if forward_service is not None and forward_service not in codes:
            raise ValueError("forward_service must be one of services")
        forwards = ",".join("1" if code == forward_service else "0" for code in codes)
        return await self._buy(
            "getMultiServiceNumber",
            parsing.parse_multi_service_number,
            multiService=",".join(codes),
            country=country,
            operator=operator,
            # The flag list's name differs between providers; unknown params are ignored.
            multiForward=forwards if forward_service else None,
            forward=forwards if forward_service else None,
            ref=ref,
        )

    async def get_additional_service(self, parent_id: str, service: str) -> NumberPurchase:
        """Adds a forwarding service to a forwarded number after its first SMS. Paid."""
        return await self._buy(
            "getAdditionalService", parsing.parse_additional_service, id=parent_id, service=service
        )

    async def check_extra_activation(self, parent_id: str) -> ExtraActivationOffer:
        """The price of another activation on a successfully used number."""
        return await self._read(
            "checkExtraActivation", parsing.parse_extra_activation_offer, activationId=parent_id
        )

    async def get_extra_activation(self, parent_id: str) -> NumberPurchase:
        """Buys another activation on a successfully used number. Paid; never retried."""
        return await self._buy(
            "getExtraActivation",
            parsing.parse_number,
            activationId=parent_id,
            id=parent_id,  # [AIO] sends "id"; providers ignore the name they do not use.
        )

    # --- acting on activations -------------------------------------------------------------

    async def set_status(
        self, activation_id: str, status: ActivationAction, *, forward_phone: str | None = None
    ) -> StatusChange:
        """Changes an activation's state (1 SMS sent, 3 another code, 6 finish, 8 cancel)."""
        return await self._read(
            "setStatus",
            parsing.parse_status_change,
            id=activation_id,
            status=int(status),
            forward=forward_phone,
        )

    async def get_status(self, activation_id: str) -> ActivationStatus:
        """An activation's state and code."""
        return await self._read("getStatus", parsing.parse_status, id=activation_id)

    async def get_status_v2(self, activation_id: str) -> ActivationStatusV2:
        """An activation's last SMS and call, in JSON."""
        return await self._read("getStatusV2", parsing.parse_status_v2, id=activation_id)

    async def get_full_sms(self, activation_id: str) -> FullSms:
        """The whole text of an activation's SMS."""
        return await self._read("getFullSms", parsing.parse_full_sms, id=activation_id)

    async def get_active_activations(self) -> tuple[ActiveActivation, ...]:
        """Every live activation of this account, with codes: one call watches them all."""
        return await self._read("getActiveActivations", parsing.parse_active_activations)

    async def get_incoming_call_status(self, activation_id: str) -> IncomingCallStatus:
        """The incoming call of a call-verification activation."""
        return await self._read(
            "getIncomingCallStatus",
            parsing.parse_incoming_call_status,
            id=activation_id,
            activationId=activation_id,  # the name differs between sources; send both
        )

    async def create_task_for_call(self, activation_id: str, phone: str) -> str:
        """Orders an outgoing call from the activation's number; returns the provider's text."""
        return await self._read(
            "createTaskForCall", parsing.parse_call_task, activationId=activation_id, phone=phone
        )

    async def get_outgoing_calls(
        self, activation_id: str | None = None, day: date | None = None
    ) -> tuple[OutgoingCall, ...]:
        """Outgoing-call tasks, of one activation or all, on a day (default today)."""
        return await self._read(
            "getOutgoingCalls",
            parsing.parse_outgoing_calls,
            activationId=activation_id,
            date=day.isoformat() if day else None,
        )

    # --- rent ------------------------------------------------------------------------------

    async def get_rent_services_and_countries(
        self,
        hours: int = 4,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
    ) -> RentCatalog:
        """What can be rented for ``hours``, with prices and stock."""
        return await self._read(
            "getRentServicesAndCountries",
            parsing.parse_rent_catalog,
            **_rent_time(hours),
            country=country,
            operator=operator,
        )

    async def get_rent_number(
        self,
        service: str,
        hours: int = 4,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
        webhook_url: str | None = None,
    ) -> RentedNumber:
        """Rents a number for ``hours`` (4, 12, then multiples of 24). Paid; never retried."""
        return await self._buy(
            "getRentNumber",
            parsing.parse_rent,
            service=service,
            **_rent_time(hours),
            country=country,
            operator=operator,
            url=webhook_url,
        )

    async def get_rent_status(self, rent_id: str) -> RentStatus:
        """A rent's state and the SMS it received, newest first."""
        return await self._read("getRentStatus", parsing.parse_rent_status, id=rent_id)

    async def finish_rent(self, rent_id: str) -> None:
        """Ends a rent early; the charge is kept (setRentStatus 1)."""
        await self._read(
            "setRentStatus", parsing.parse_rent_status_change, id=rent_id, status=RENT_FINISH
        )

    async def cancel_rent(self, rent_id: str) -> None:
        """Cancels a rent for a refund, within its first 20 minutes (setRentStatus 2)."""
        await self._read(
            "setRentStatus", parsing.parse_rent_status_change, id=rent_id, status=RENT_CANCEL
        )

    async def get_rent_list(self) -> tuple[RentListItem, ...]:
        """The account's active rents; empty when there are none."""
        return await self._read("getRentList", parsing.parse_rent_list)

    async def get_continue_rent_price_number(self, rent_id: str, hours: int = 4) -> Decimal:
        """The price of extending a rent by ``hours``."""
        return await self._read(
            "getContinueRentPriceNumber",
            parsing.parse_rent_price,
            id=rent_id,
            rent_time=hours,
        )

    async def continue_rent_number(self, rent_id: str, hours: int = 4) -> RentedNumber:
        """Extends a rent by ``hours``; returns the new end. Paid; never retried."""
        return await self._buy(
            "continueRentNumber", parsing.parse_rent, id=rent_id, rent_time=hours
        )


def _form(params: dict[str, object]) -> dict[str, str]:
    """Drops unset parameters and writes the rest as the protocol expects."""
    form: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            form[name] = "true" if value else "false"
        elif isinstance(value, str):
            form[name] = value
        elif isinstance(value, int | Decimal):
            form[name] = str(value)
        else:
            form[name] = ",".join(str(item) for item in value)  # type: ignore[attr-defined]
    return form


def _true_or_none(flag: bool) -> bool | None:
    return True if flag else None


def _rent_time(hours: int) -> dict[str, object]:
    # [S] says "time", [PHP]/[JAVA] say "rent_time"; providers ignore the one they do not read.
    return {"rent_time": hours, "time": hours}


def _purchase_params(
    service: str,
    country: int | None,
    operator: str | Iterable[str] | None,
    max_price: Decimal | None,
    forward: bool,
    phone_exception: Iterable[str] | None,
    verification: bool,
    ref: str | None,
) -> dict[str, object]:
    if max_price is not None and (not max_price.is_finite() or max_price <= 0):
        raise ValueError("max_price must be a positive amount")
    exceptions = list(phone_exception or ())
    return {
        "service": service,
        "country": country,
        "operator": operator,
        # Classic providers need freePrice=true for maxPrice to count; newer ones ignore it.
        "maxPrice": max_price,
        "freePrice": _true_or_none(max_price is not None),
        "forward": 1 if forward else None,
        "phoneException": exceptions or None,
        "verification": _true_or_none(verification),
        "ref": ref,
    }
