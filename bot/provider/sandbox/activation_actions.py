"""Actions that buy and drive activations (PROTOCOL.md §3.6-3.14)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from .errors import ProtocolError
from .formats import JsonValue, datetime_text, money_text
from .models import Activation, ActivationState
from .purchase import parse_multi_order, parse_order
from .replies import Reply, json_error, json_reply, token

if TYPE_CHECKING:
    from .models import Account
    from .protocol import Handler
    from .sandbox import Sandbox

Params = Mapping[str, str]
S = ActivationState
CURRENCY_RUB: Final = 643
"""ISO-4217 numeric code the newer formats put in ``currency``."""

# getActiveActivations' activationStatus: no source defines the numbers (PROTOCOL.md §3.6);
# these are the emulator's proposal.
_ACTIVE_STATUS: Final = {
    S.WAIT_CODE: "1",
    S.READY: "1",
    S.WAIT_RESEND: "1",
    S.CODE_RECEIVED: "2",
    S.WAIT_RETRY: "3",
}


def get_number(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``ACCESS_NUMBER:<id>:<phone>``."""
    activation = _buy(sandbox, account, params)
    return token(f"ACCESS_NUMBER:{activation.id}:{activation.phone}")


def get_number_v2(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """getNumber's purchase, answered in JSON (classic: strings but the id; new: typed, plus
    ``activationEndTime``, ``currency`` and ``countryPhoneCode``). ``orderId`` is an
    idempotency key: a second purchase with it answers ``ORDER_ALREADY_EXISTS``."""
    activation = _buy(sandbox, account, params)
    country = sandbox.catalog.countries[activation.country]
    body: dict[str, JsonValue] = {
        "activationId": activation.id,
        "phoneNumber": activation.phone,
        "activationCost": money_text(activation.cost),
        "countryCode": str(activation.country),
        "canGetAnotherSms": "1" if activation.can_get_another_sms else "0",
        "activationTime": datetime_text(activation.created_at),
        "activationOperator": activation.operator,
    }
    if sandbox.config.getnumberv2_format == "new":
        body["activationCost"] = activation.cost
        body["canGetAnotherSms"] = activation.can_get_another_sms
        body["currency"] = CURRENCY_RUB
        body["activationEndTime"] = datetime_text(activation.deadline)
        body["countryPhoneCode"] = int(country.phone_code)
    return json_reply(body)


def get_multi_service_number(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``[{"phone": "7…", "activation": <id>, "service": "vk"}, …]``, one per service."""
    sandbox.accounts.check_not_banned(account)
    order = parse_multi_order(params, sandbox.catalog, sandbox.config.default_country)
    bought = sandbox.activations.buy_multi(account, order)
    body: list[JsonValue] = [
        {"phone": a.phone, "activation": a.id, "service": a.service} for a in bought
    ]
    return json_reply(body)


def set_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """1 ready, 3 another code, 6 finish, 8 (or legacy -1) cancel; see §5.2 for the table.

    ``forward`` (the number to forward to) is recorded on forwarded activations; the sandbox
    does not require it.
    """
    activation = sandbox.activations.owned(account, params.get("id"))
    try:
        status = int(params.get("status", "").strip())
    except ValueError:
        raise ProtocolError("BAD_STATUS") from None
    status = 8 if status == -1 else status
    if status not in (1, 3, 6, 8):
        raise ProtocolError("BAD_STATUS")
    forward_to = params.get("forward", "").strip()
    if activation.forward and forward_to.isdigit():
        activation.forward_phone = forward_to
    return token(sandbox.activations.set_status(activation, status))


def get_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """The §5.1 token of the activation's state."""
    return token(status_token(sandbox, sandbox.activations.owned(account, params.get("id"))))


def status_token(sandbox: Sandbox, activation: Activation) -> str:
    """getStatus's reply: ``STATUS_OK:<code>``, ``STATUS_WAIT_RETRY:<last code>``, …"""
    state = activation.state
    if state in (S.WAIT_CODE, S.READY):
        return "STATUS_WAIT_CODE"
    if state is S.CODE_RECEIVED:
        return f"STATUS_OK:{activation.code}"
    if state is S.WAIT_RETRY:
        return f"STATUS_WAIT_RETRY:{activation.code}"
    if state is S.WAIT_RESEND:
        return "STATUS_WAIT_RESEND"
    finished_ok = sandbox.config.finished_status_token == "STATUS_OK"
    if state is S.FINISHED and finished_ok and activation.code is not None:
        return f"STATUS_OK:{activation.code}"
    return "STATUS_CANCEL"


def get_status_v2(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"verificationType": 1|2, "sms": {…}|null, "call": {…}|null}``; a cancelled
    activation answers the plain ``STATUS_CANCEL`` (the JSON has nothing to say then)."""
    activation = sandbox.activations.owned(account, params.get("id"))
    if activation.state is S.CANCELLED:
        return token("STATUS_CANCEL")
    sms = activation.last_sms
    call = activation.call
    return json_reply(
        {
            # 1 = SMS, 2 = call ([HERO]); the kind of activation, known from purchase.
            "verificationType": 2 if activation.verification else 1,
            "sms": None
            if sms is None
            else {"dateTime": datetime_text(sms.received_at), "code": sms.code, "text": sms.text},
            "call": None
            if call is None
            else {
                "from": call.phone_from,
                "text": "",
                "code": call.code,
                "dateTime": datetime_text(call.received_at),
                "url": None,
                "parsingCount": 0,
            },
        }
    )


def get_full_sms(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``FULL_SMS:<text>`` of the latest SMS; ``STATUS_WAIT_CODE`` before one;
    ``STATUS_CANCEL`` once cancelled (or finished without one)."""
    activation = sandbox.activations.owned(account, params.get("id"))
    sms = activation.last_sms
    if activation.state is not S.CANCELLED and sms is not None:
        return token(f"FULL_SMS:{sms.text}")
    return token("STATUS_CANCEL" if activation.state.terminal else "STATUS_WAIT_CODE")


def get_incoming_call_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status": "2"|"3"|"4", "phone": false|"<caller>"}`` for a call-verification
    activation (2 live, 3 finished, 4 cancelled). The id comes as ``id`` or ``activationId``."""
    raw_id = params.get("id") or params.get("activationId")
    activation = sandbox.activations.owned(account, raw_id, "INVALID_ACTIVATION_ID")
    if not activation.verification:
        raise ProtocolError("NOT_INCOMING")
    status = {S.FINISHED: "3", S.CANCELLED: "4"}.get(activation.state, "2")
    phone: JsonValue = activation.call.phone_from if activation.call is not None else False
    return json_reply({"status": status, "phone": phone})


def get_active_activations(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """The caller's live activations; ``{"status":"error","error":"NO_ACTIVATIONS"}`` when
    there are none.

    Classic: ``{"status":"success","activeActivations":[…]}`` with every field a string (and
    ``smsCode``/``smsText`` null before an SMS); hero: ``{"status":"success","data":[…]}`` with
    a numeric ``activationId`` and ``activationCost``, and ``currency``.
    """
    live = sandbox.activations.live(account)
    if not live:
        # JSON with an "error" member: the seed's example reads result['error'], and the
        # official library, lacking the token in its table, parses this reply as JSON.
        return json_error(ProtocolError("NO_ACTIVATIONS"), "error")
    hero = sandbox.config.active_activations_format == "hero"
    items: list[JsonValue] = [_active_item(sandbox, a, hero=hero) for a in live]
    return json_reply({"status": "success", "data" if hero else "activeActivations": items})


def _active_item(sandbox: Sandbox, activation: Activation, *, hero: bool) -> JsonValue:
    sms = activation.last_sms
    item: dict[str, JsonValue] = {
        "activationId": activation.id if hero else str(activation.id),
        "serviceCode": activation.service,
        "phoneNumber": activation.phone,
        "activationCost": activation.cost if hero else money_text(activation.cost),
        "activationStatus": _ACTIVE_STATUS[activation.state],
        "smsCode": activation.code,
        "smsText": sms.text if sms is not None else None,
        "activationTime": datetime_text(activation.created_at),
        "discount": "0.00",
        "repeated": "1" if activation.repeated else "0",
        "countryCode": str(activation.country),
        "countryName": sandbox.catalog.countries[activation.country].eng,
        "canGetAnotherSms": "1" if activation.can_get_another_sms else "0",
    }
    if hero:
        item["currency"] = CURRENCY_RUB
    return item


def _buy(sandbox: Sandbox, account: Account, params: Params) -> Activation:
    sandbox.accounts.check_not_banned(account)
    order = parse_order(params, sandbox.catalog, sandbox.config.default_country)
    return sandbox.activations.buy(account, order)


ACTIVATION_ACTIONS: Mapping[str, Handler] = {
    "getNumber": get_number,
    "getNumberV2": get_number_v2,
    "getMultiServiceNumber": get_multi_service_number,
    "setStatus": set_status,
    "getStatus": get_status,
    "getStatusV2": get_status_v2,
    "getFullSms": get_full_sms,
    "getIncomingCallStatus": get_incoming_call_status,
    "getActiveActivations": get_active_activations,
}
