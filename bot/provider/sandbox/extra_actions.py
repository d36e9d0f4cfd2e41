"""Actions built on an earlier activation, and outgoing calls (PROTOCOL.md §3.19-3.23)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from .errors import ProtocolError
from .extras import buy_additional, buy_extra, extra_quote
from .formats import JsonValue, datetime_text
from .replies import Reply, json_reply, token

if TYPE_CHECKING:
    from .models import Account
    from .protocol import Handler
    from .sandbox import Sandbox

Params = Mapping[str, str]
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def get_additional_service(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``ADDITIONAL:<id>:<phone>``: ``service`` on the forwarded number of parent ``id``."""
    sandbox.accounts.check_not_banned(account)
    child = buy_additional(
        sandbox.activations,
        sandbox.catalog,
        sandbox.config,
        account,
        params.get("id"),
        params.get("service"),
    )
    return token(f"ADDITIONAL:{child.id}:{child.phone}")


def get_extra_activation(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``ACCESS_NUMBER:<id>:<phone>``: the parent's number again. The parent comes as
    ``activationId`` (seed) or ``id`` ([AIO])."""
    sandbox.accounts.check_not_banned(account)
    parent = params.get("activationId") or params.get("id")
    child = buy_extra(sandbox.activations, sandbox.catalog, account, parent)
    return token(f"ACCESS_NUMBER:{child.id}:{child.phone}")


def check_extra_activation(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","cost":…,"service":"tg","phone":7…,"country":0}`` (numbers but
    the service); errors are plain tokens."""
    parent_id = params.get("activationId") or params.get("id")
    parent, price = extra_quote(sandbox.activations, sandbox.catalog, account, parent_id)
    return json_reply(
        {
            "status": "success",
            "cost": price,
            "service": parent.service,
            "phone": int(parent.phone),
            "country": parent.country,
        }
    )


def create_task_for_call(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","msg":"…"}`` (``msg``, not ``message``); errors are plain."""
    task = sandbox.calls.create(
        sandbox.activations, account, params.get("activationId"), params.get("phone")
    )
    return json_reply({"status": "success", "msg": f"Call from {task.phone_from} is scheduled"})


def get_outgoing_calls(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"<activationId>": {"date": …, "phoneFrom": …, "status": "IN_PROCESS"}}`` for the
    caller's tasks of ``date`` (UTC ``YYYY-MM-DD``, default today), of one activation if
    ``activationId`` is given; ``{}`` when there are none."""
    raw_id = params.get("activationId", "").strip()
    day = params.get("date", "").strip() or None
    if day is not None and not _DATE.fullmatch(day):
        raise ProtocolError("ERROR_SQL")
    try:
        activation_id = int(raw_id) if raw_id else None
    except ValueError:
        raise ProtocolError("WRONG_ACTIVATION_ID") from None
    body: dict[str, JsonValue] = {
        str(t.activation_id): {
            "date": datetime_text(t.created_at),
            "phoneFrom": t.phone_from,
            "status": t.status,
        }
        for t in sandbox.calls.list(account, activation_id, day)
    }
    return json_reply(body)


EXTRA_ACTIONS: Mapping[str, Handler] = {
    "getAdditionalService": get_additional_service,
    "getExtraActivation": get_extra_activation,
    "checkExtraActivation": check_extra_activation,
    "createTaskForCall": create_task_for_call,
    "getOutgoingCalls": get_outgoing_calls,
}
