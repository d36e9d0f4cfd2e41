"""Provider calls that buy activations (paid: sent once) and act on them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from bot.provider import parsing
from bot.provider.client_base import ClientBase, true_or_none
from bot.provider.models import (
    ActivationAction,
    ActivationStatus,
    ActivationStatusV2,
    ActiveActivation,
    ExtraActivationOffer,
    FullSms,
    IncomingCallStatus,
    MultiServiceActivation,
    NumberPurchase,
    OutgoingCall,
    StatusChange,
)


class NumberOptions(TypedDict, total=False):
    """The options of ``getNumber`` and ``getNumberV2``, each optional.

    Attributes:
        country: the provider's country id.
        operator: one operator or several.
        max_price: the most to pay (a positive amount); sent with ``freePrice``.
        forward: call forwarding.
        phone_exception: number prefixes not to be given.
        verification: a call-verification number.
        ref: the referral id.
    """

    country: int | None
    operator: str | Iterable[str] | None
    max_price: Decimal | None
    forward: bool
    phone_exception: Iterable[str] | None
    verification: bool
    ref: str | None


class ActivationCalls(ClientBase):
    """Buying activations and acting on them."""

    __slots__ = ()

    # --- buying activations (paid: sent once) ----------------------------------------------

    async def get_number(self, service: str, **options: Unpack[NumberOptions]) -> NumberPurchase:
        """Buys an activation (``ACCESS_NUMBER:id:phone``). Paid; never retried."""
        return await self._buy(
            "getNumber", parsing.parse_number, **_purchase_params(service, options)
        )

    async def get_number_v2(
        self, service: str, *, order_id: str | None = None, **options: Unpack[NumberOptions]
    ) -> NumberPurchase:
        """Buys an activation, JSON answer with cost and times. Paid; never retried.

        Args:
            order_id: an idempotency key; providers that know it refuse a second purchase
                with the same id (``ORDER_ALREADY_EXISTS``).
        """
        bought = await self._buy(
            "getNumberV2",
            parsing.parse_number_v2,
            orderId=order_id,
            **_purchase_params(service, options),
        )
        self.reported_currency = bought.currency or self.reported_currency
        return bought

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
        active = await self._read("getActiveActivations", parsing.parse_active_activations)
        named = [a.currency for a in active if a.currency is not None]
        self.reported_currency = named[0] if named else self.reported_currency
        return active

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


def _purchase_params(service: str, options: NumberOptions) -> dict[str, object]:
    max_price = options.get("max_price")
    if max_price is not None and (not max_price.is_finite() or max_price <= 0):
        raise ValueError("max_price must be a positive amount")
    exceptions = list(options.get("phone_exception") or ())
    return {
        "service": service,
        "country": options.get("country"),
        "operator": options.get("operator"),
        # Classic providers need freePrice=true for maxPrice to count; newer ones ignore it.
        "maxPrice": max_price,
        "freePrice": true_or_none(max_price is not None),
        "forward": 1 if options.get("forward", False) else None,
        "phoneException": exceptions or None,
        "verification": true_or_none(options.get("verification", False)),
        "ref": options.get("ref"),
    }
