"""Replies of the Rent API."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from bot.provider.errors import ProviderRejection
from bot.provider.models import (
    RentCatalog,
    RentedNumber,
    RentListItem,
    RentMessage,
    RentServiceOffer,
    RentState,
    RentStatus,
)
from bot.provider.parsing.fields import (
    ShapeError,
    as_decimal,
    as_id,
    as_int,
    as_phone,
    json_payload,
    json_payload_unless,
    optional_int,
    optional_str,
    parse_time,
    reply_parser,
    rows,
)
from bot.provider.parsing.reply import RawReply

# --- rent ----------------------------------------------------------------------------------


@reply_parser
def parse_rent_catalog(reply: RawReply) -> RentCatalog:
    """``getRentServicesAndCountries``; ``quant`` may be an int or ``{"current", "total"}``."""
    data = json_payload(reply)
    services = {}
    for code, offer in (data.get("services") or {}).items():
        quantity = offer.get("quant", offer.get("count", 0))
        if isinstance(quantity, dict):
            quantity = quantity.get("current", quantity.get("total", 0))
        services[str(code)] = RentServiceOffer(
            str(code), as_decimal(offer["cost"]), as_int(quantity)
        )
    return RentCatalog(
        countries=tuple(as_int(c) for c in rows(data.get("countries") or {})),
        operators=tuple(str(o) for o in rows(data.get("operators") or {})),
        services=services,
    )


@reply_parser
def parse_rent(reply: RawReply) -> RentedNumber:
    """``getRentNumber`` / ``continueRentNumber``: ``{"status": "success", "phone": {…}}``."""
    phone = json_payload(reply)["phone"]
    end_date = parse_time(phone["endDate"])
    if end_date is None:
        raise ShapeError
    return RentedNumber(
        rent_id=as_id(phone["id"]), phone=as_phone(phone["number"]), end_date=end_date
    )


_RENT_STATES_BY_ERROR: Final = {
    "STATUS_WAIT_CODE": RentState.WAITING,
    "STATUS_FINISH": RentState.FINISHED,
    "STATUS_CANCEL": RentState.CANCELLED,
}


@reply_parser
def parse_rent_status(reply: RawReply) -> RentStatus:
    """``getRentStatus``. Its states arrive as "errors" (STATUS_WAIT_CODE, STATUS_FINISH,
    STATUS_CANCEL); they are states here, not exceptions.
    """
    try:
        data = json_payload(reply)
    except ProviderRejection as rejection:
        state = _RENT_STATES_BY_ERROR.get(rejection.token)
        if state is None:
            raise
        return RentStatus(state)
    messages = tuple(
        RentMessage(
            phone_from=str(row.get("phoneFrom", "")),
            text=str(row.get("text", "")),
            service=optional_str(row.get("service")),
            received_at=parse_time(row.get("date")),
        )
        for row in rows(data.get("values") or {})
    )
    quantity = optional_int(data.get("quantity"))
    if not messages:
        # [GRZ] answers success with no values before the first SMS.
        return RentStatus(RentState.WAITING)
    count = len(messages) if quantity is None else quantity
    return RentStatus(RentState.RECEIVING, messages, count)


@reply_parser
def parse_rent_status_change(reply: RawReply) -> None:
    """``setRentStatus``: ``{"status": "success"}``."""
    data = json_payload(reply)
    if str(data.get("status", "")).lower() != "success":
        raise ShapeError


@reply_parser
def parse_rent_list(reply: RawReply) -> tuple[RentListItem, ...]:
    """``getRentList``: ``{"status": "success", "values": {"0": {"id", "phone"}}}``."""
    data = json_payload_unless(reply, "NO_NUMBERS")
    if data is None:
        return ()
    return tuple(
        RentListItem(rent_id=as_id(row["id"]), phone=as_phone(row["phone"]))
        for row in rows(data.get("values") or {})
    )


@reply_parser
def parse_rent_price(reply: RawReply) -> Decimal:
    """``getContinueRentPriceNumber``: ``{"status": "success", "price": n}``."""
    return as_decimal(json_payload(reply)["price"])
