"""Replies about activations: buying, states, codes, calls."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from bot.provider.models import (
    ActivationStatus,
    ActivationStatusV2,
    ActiveActivation,
    CallV2,
    FullSms,
    IncomingCallStatus,
    MultiServiceActivation,
    NumberPurchase,
    SmsV2,
    StatusChange,
    StatusKind,
)
from bot.provider.parsing.fields import (
    ShapeError,
    as_decimal,
    as_flag,
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
    text_payload,
    token_fields,
)
from bot.provider.parsing.reply import JsonValue, RawReply

_NO_CODE_PLACEHOLDERS: Final = frozenset({"Нет кода", "No code", ""})


# --- account --------------------------------------------------------------------------------


@reply_parser
def parse_balance(reply: RawReply) -> Decimal:
    """``getBalance`` / ``getBalanceAndCashBack``: ``ACCESS_BALANCE:<decimal>``."""
    return as_decimal(token_fields(text_payload(reply), "ACCESS_BALANCE", 1)[0])


# --- activations ----------------------------------------------------------------------------


@reply_parser
def parse_number(reply: RawReply) -> NumberPurchase:
    """``getNumber`` / ``getExtraActivation``: ``ACCESS_NUMBER:<id>:<phone>``."""
    activation_id, phone = token_fields(text_payload(reply), "ACCESS_NUMBER", 2)
    return NumberPurchase(activation_id=as_id(activation_id), phone=as_phone(phone))


@reply_parser
def parse_additional_service(reply: RawReply) -> NumberPurchase:
    """``getAdditionalService``: ``ADDITIONAL:<id>:<phone>``."""
    activation_id, phone = token_fields(text_payload(reply), "ADDITIONAL", 2)
    return NumberPurchase(activation_id=as_id(activation_id), phone=as_phone(phone))


@reply_parser
def parse_number_v2(reply: RawReply) -> NumberPurchase:
    """``getNumberV2``: JSON, classic (strings) or newer (numbers, booleans, end time)."""
    data = json_payload(reply)
    another = data.get("canGetAnotherSms")
    return NumberPurchase(
        activation_id=as_id(data["activationId"]),
        phone=as_phone(data["phoneNumber"]),
        cost=as_decimal(data["activationCost"]),
        country=optional_int(data.get("countryCode")),
        operator=optional_str(data.get("activationOperator")),
        can_get_another_sms=None if another is None else as_flag(another),
        activation_time=parse_time(data.get("activationTime")),
        end_time=parse_time(data.get("activationEndTime")),
        currency=optional_int(data.get("currency")),
    )


@reply_parser
def parse_multi_service_number(reply: RawReply) -> tuple[MultiServiceActivation, ...]:
    """``getMultiServiceNumber``: a JSON array, one element per service."""
    result = tuple(
        MultiServiceActivation(
            activation_id=as_id(row["activation"]),
            phone=as_phone(row["phone"]),
            service=str(row["service"]),
        )
        for row in rows(json_payload(reply))
    )
    if not result:
        raise ShapeError
    return result


_STATUS_CHANGES: Final = {change.value: change for change in StatusChange}


@reply_parser
def parse_status_change(reply: RawReply) -> StatusChange:
    """``setStatus``: ACCESS_READY, ACCESS_RETRY_GET, ACCESS_ACTIVATION or ACCESS_CANCEL."""
    return _STATUS_CHANGES[text_payload(reply)]


_STATUS_KINDS: Final = {kind.value: kind for kind in StatusKind}


@reply_parser
def parse_status(reply: RawReply) -> ActivationStatus:
    """``getStatus``: a status token, with the code after the FIRST colon only."""
    text = _plain_status_text(reply)
    name, sep, code = text.partition(":")
    kind = _STATUS_KINDS[name]
    if kind is StatusKind.CODE_RECEIVED:
        if not sep:
            raise ShapeError
        return ActivationStatus(kind, None if code.strip() in _NO_CODE_PLACEHOLDERS else code)
    if kind is StatusKind.WAIT_RETRY:
        return ActivationStatus(kind, code or None)
    return ActivationStatus(kind)


def _plain_status_text(reply: RawReply) -> str:
    # STATUS_CANCEL and STATUS_WAIT_CODE are normal getStatus replies, but they are also in
    # the error table (for the Rent API), so look at them before read_reply does.
    text = reply.text.strip()
    if text.partition(":")[0] in _STATUS_KINDS and reply.status_code < 500:
        return text
    return text_payload(reply)


@reply_parser
def parse_status_v2(reply: RawReply) -> ActivationStatusV2:
    """``getStatusV2``: ``{"verificationType", "sms": {…}|null, "call": {…}|null}``."""
    data = json_payload(reply)
    sms_data, call_data = data.get("sms"), data.get("call")
    sms = None
    if isinstance(sms_data, dict):
        sms = SmsV2(
            code=optional_str(sms_data.get("code")),
            text=optional_str(sms_data.get("text")),
            received_at=parse_time(sms_data.get("dateTime")),
        )
    call = None
    if isinstance(call_data, dict):
        call = CallV2(
            phone_from=optional_str(call_data.get("from")),
            code=optional_str(call_data.get("code")),
            text=optional_str(call_data.get("text")),
            received_at=parse_time(call_data.get("dateTime")),
            url=optional_str(call_data.get("url")),
            parsing_count=optional_int(call_data.get("parsingCount")),
        )
    return ActivationStatusV2(optional_int(data.get("verificationType")), sms, call)


@reply_parser
def parse_full_sms(reply: RawReply) -> FullSms:
    """``getFullSms``: ``FULL_SMS:<text>``, or ``STATUS_WAIT_CODE`` / ``STATUS_CANCEL``."""
    text = _plain_status_text(reply)
    name, sep, rest = text.partition(":")
    if name == "FULL_SMS" and sep:
        return FullSms(text=rest)
    kind = _STATUS_KINDS[name]
    return FullSms(text=None, kind=kind)


@reply_parser
def parse_active_activations(reply: RawReply) -> tuple[ActiveActivation, ...]:
    """``getActiveActivations``: classic ``activeActivations``, HeroSMS ``data``, or a bare list."""
    data = json_payload_unless(reply, "NO_ACTIVATIONS")
    if data is None:
        return ()
    listed = data
    if isinstance(data, dict):
        listed = data.get("activeActivations", data.get("data", []))
    return tuple(_active_activation(row) for row in rows(listed))


def _active_activation(row: JsonValue) -> ActiveActivation:
    return ActiveActivation(
        activation_id=as_id(row["activationId"]),
        service=str(row["serviceCode"]),
        phone=as_phone(row["phoneNumber"]),
        cost=as_decimal(row.get("activationCost", "0")),
        status=str(row.get("activationStatus", "")),
        sms_code=optional_str(row.get("smsCode")),
        sms_text=optional_str(row.get("smsText")),
        activation_time=parse_time(row.get("activationTime")),
        country=optional_int(row.get("countryCode")),
        country_name=optional_str(row.get("countryName")),
        can_get_another_sms=as_flag(row.get("canGetAnotherSms", 0)),
        repeated=as_flag(row.get("repeated", 0)),
        currency=optional_int(row.get("currency")),
        end_time=parse_time(row.get("activationEndTime")),
    )


@reply_parser
def parse_incoming_call_status(reply: RawReply) -> IncomingCallStatus:
    """``getIncomingCallStatus``: ``{"status": "2", "phone": false | "<number>"}``."""
    data = json_payload(reply)
    phone = data.get("phone")
    return IncomingCallStatus(
        status=as_int(data["status"]),
        phone=None if phone in (None, False, "", "false") else as_phone(phone),
    )
