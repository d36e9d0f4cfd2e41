"""The control API: JSON over HTTP under ``/sandbox/``, outside the protocol path.

Tests and demos use it to deliver SMS and calls, move the clock, set balances and stock, flip
knobs, inject faults and read the request log. Every route calls a :class:`Sandbox` method
that Python tests can call directly. Errors answer ``{"error": "..."}`` with 400 (malformed),
404 (unknown object) or 409 (its state forbids it). Money is written as strings.

    GET  /sandbox/clock                      POST /sandbox/clock/advance {seconds}
    POST /sandbox/sweep
    GET  /sandbox/config                     POST /sandbox/config {knob: value, …}
    GET  /sandbox/accounts                   POST /sandbox/accounts {api_key, balance, name?,
    GET  /sandbox/accounts/{name_or_key}          banned_until?, cashback?}
    GET  /sandbox/stock?country=&service=&operator=
    POST /sandbox/stock {country, service, count, operator?}
    POST /sandbox/rent-stock {country, service, count}
    GET  /sandbox/activations[?account=]     GET  /sandbox/activations/{id}
    POST /sandbox/sms {activation_id, text, code?}
    POST /sandbox/call {activation_id, phone_from, code?}
    POST /sandbox/resend {activation_id}
    POST /sandbox/expire {activation_id} | {rent_id}
    GET  /sandbox/rents[?account=]           GET  /sandbox/rents/{id}
    POST /sandbox/rent-sms {rent_id, text, phone_from?, service?}
    GET  /sandbox/requests                   DELETE /sandbox/requests
    GET  /sandbox/faults                     POST /sandbox/faults {action, kind, count?,
    DELETE /sandbox/faults                        delay?, after?, status?,
                                                  body?, content_type?}
    GET  /sandbox/webhooks                   (webhook attempts, when the server sends them)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from aiohttp import web

from .errors import ControlError
from .formats import JsonValue, datetime_text, json_text
from .sandbox import Sandbox
from .views import account_view, activation_view, rent_view
from .webhooks import WebhookEmitter

PREFIX: Final = "/sandbox"

_LOADS: Final = functools.partial(json.loads, parse_float=Decimal)
_Route = Callable[[web.Request], Awaitable[JsonValue]]


class ControlApi:
    """The control routes of one sandbox (and, optionally, its server's webhook emitter)."""

    __slots__ = ("_sandbox", "_webhooks")

    def __init__(self, sandbox: Sandbox, webhooks: WebhookEmitter | None = None) -> None:
        self._sandbox = sandbox
        self._webhooks = webhooks

    def routes(self) -> list[web.RouteDef]:
        table: list[tuple[str, str, _Route]] = [
            ("GET", "/clock", self.clock),
            ("POST", "/clock/advance", self.advance),
            ("POST", "/sweep", self.sweep),
            ("GET", "/config", self.config),
            ("POST", "/config", self.configure),
            ("GET", "/accounts", self.accounts),
            ("POST", "/accounts", self.upsert_account),
            ("GET", "/accounts/{account}", self.account),
            ("GET", "/stock", self.stock),
            ("POST", "/stock", self.set_stock),
            ("POST", "/rent-stock", self.set_rent_stock),
            ("GET", "/activations", self.activations),
            ("GET", "/activations/{id}", self.activation),
            ("POST", "/sms", self.sms),
            ("POST", "/call", self.call),
            ("POST", "/resend", self.resend),
            ("POST", "/expire", self.expire),
            ("GET", "/rents", self.rents),
            ("GET", "/rents/{id}", self.rent),
            ("POST", "/rent-sms", self.rent_sms),
            ("GET", "/requests", self.requests),
            ("DELETE", "/requests", self.clear_requests),
            ("GET", "/faults", self.faults),
            ("POST", "/faults", self.inject_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/webhooks", self.webhooks),
        ]
        return [web.route(method, PREFIX + path, _json_route(h)) for method, path, h in table]

    # -- time and config ------------------------------------------------------------------

    async def clock(self, request: web.Request) -> JsonValue:
        now = self._sandbox.clock.now()
        return {"now": now, "time": datetime_text(now)}

    async def advance(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        self._sandbox.advance(_number(body, "seconds"))
        return await self.clock(request)

    async def sweep(self, request: web.Request) -> JsonValue:
        return {"ended": self._sandbox.sweep()}

    async def config(self, request: web.Request) -> JsonValue:
        return self._sandbox.config.to_json()

    async def configure(self, request: web.Request) -> JsonValue:
        return self._sandbox.configure(await _body(request)).to_json()

    # -- accounts and stock ---------------------------------------------------------------

    async def accounts(self, request: web.Request) -> JsonValue:
        return [account_view(a) for a in self._sandbox.accounts]

    async def upsert_account(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        banned = body.get("banned_until")
        name = self._sandbox.add_account(
            _text(body, "api_key"),
            _money(body, "balance"),
            name=_optional_text(body, "name"),
            banned_until=None if banned is None else _number(body, "banned_until"),
            cashback=_money(body, "cashback") if "cashback" in body else Decimal(0),
        )
        return account_view(self._sandbox.accounts.find(name))

    async def account(self, request: web.Request) -> JsonValue:
        return account_view(self._sandbox.accounts.find(request.match_info["account"]))

    async def stock(self, request: web.Request) -> JsonValue:
        query = request.query
        country = _int(query, "country")
        service = _text(query, "service")
        operator = query.get("operator")
        count = self._sandbox.stock.count(country, service, (operator,) if operator else ())
        rent = self._sandbox.stock.rent_count(country, service)
        return {"country": country, "service": service, "count": count, "rent_count": rent}

    async def set_stock(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        country, service = _int(body, "country"), _text(body, "service")
        operator = _optional_text(body, "operator")
        self._sandbox.set_stock(country, service, _int(body, "count"), operator)
        count = self._sandbox.stock.count(country, service, (operator,) if operator else ())
        return {"country": country, "service": service, "operator": operator, "count": count}

    async def set_rent_stock(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        country, service = _int(body, "country"), _text(body, "service")
        self._sandbox.set_rent_stock(country, service, _int(body, "count"))
        return {
            "country": country,
            "service": service,
            "count": self._sandbox.stock.rent_count(country, service),
        }

    # -- activations ----------------------------------------------------------------------

    async def activations(self, request: web.Request) -> JsonValue:
        found = self._sandbox.activations.all(request.query.get("account"))
        return [activation_view(a) for a in found]

    async def activation(self, request: web.Request) -> JsonValue:
        return activation_view(self._sandbox.activation(_int(request.match_info, "id")))

    async def sms(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        activation = self._sandbox.deliver_sms(
            _int(body, "activation_id"), _text(body, "text"), _optional_text(body, "code")
        )
        return activation_view(activation)

    async def call(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        activation = self._sandbox.deliver_call(
            _int(body, "activation_id"), _text(body, "phone_from"), _optional_text(body, "code")
        )
        return activation_view(activation)

    async def resend(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        return activation_view(self._sandbox.request_resend(_int(body, "activation_id")))

    async def expire(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        if "rent_id" in body:
            return rent_view(self._sandbox.expire_rent(_int(body, "rent_id")))
        return activation_view(self._sandbox.expire_activation(_int(body, "activation_id")))

    # -- rents ----------------------------------------------------------------------------

    async def rents(self, request: web.Request) -> JsonValue:
        return [rent_view(r) for r in self._sandbox.rents.all(request.query.get("account"))]

    async def rent(self, request: web.Request) -> JsonValue:
        return rent_view(self._sandbox.rent(_int(request.match_info, "id")))

    async def rent_sms(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        rent = self._sandbox.deliver_rent_sms(
            _int(body, "rent_id"),
            _text(body, "text"),
            _optional_text(body, "phone_from"),
            _optional_text(body, "service"),
        )
        return rent_view(rent)

    # -- log, faults, webhooks ------------------------------------------------------------

    async def requests(self, request: web.Request) -> JsonValue:
        return [record.to_json() for record in self._sandbox.request_log]

    async def clear_requests(self, request: web.Request) -> JsonValue:
        self._sandbox.clear_request_log()
        return {"cleared": True}

    async def faults(self, request: web.Request) -> JsonValue:
        pending = self._sandbox.faults.pending()
        return {action: [f.to_json() for f in queue] for action, queue in pending.items()}

    async def inject_fault(self, request: web.Request) -> JsonValue:
        body = await _body(request)
        after = body.get("after", False)
        if not isinstance(after, bool):
            raise ControlError("after must be true or false")
        fault = self._sandbox.inject_fault(
            _text(body, "action"),
            _text(body, "kind"),
            _int(body, "count") if "count" in body else 1,
            delay=_number(body, "delay") if body.get("delay") is not None else None,
            after=after,
            status=_int(body, "status") if body.get("status") is not None else None,
            body=_reply_body(body),
            content_type=_optional_text(body, "content_type"),
        )
        return fault.to_json()

    async def clear_faults(self, request: web.Request) -> JsonValue:
        self._sandbox.faults.clear()
        return {"cleared": True}

    async def webhooks(self, request: web.Request) -> JsonValue:
        deliveries = self._webhooks.deliveries if self._webhooks is not None else []
        return [d.to_json() for d in deliveries]


def _json_route(handler: _Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def route(request: web.Request) -> web.Response:
        try:
            status, body = 200, await handler(request)
        except ControlError as error:
            status, body = error.status, {"error": str(error)}
        return web.Response(
            text=json_text(body), status=status, content_type="application/json", charset="utf-8"
        )

    return route


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        # Decimal, not float, for every JSON number with a fraction: money stays exact.
        body = await request.json(loads=_LOADS) if request.can_read_body else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ControlError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _text(source: Any, name: str) -> str:
    value = source.get(name)
    if not isinstance(value, str) or not value:
        raise ControlError(f"{name} must be a non-empty string")
    return value


def _optional_text(source: Any, name: str) -> str | None:
    return None if source.get(name) is None else _text(source, name)


def _reply_body(source: Any) -> str | None:
    # A reply fault's body may be empty (an empty reply is a fault worth testing).
    value = source.get("body")
    if value is not None and not isinstance(value, str):
        raise ControlError("body must be a string")
    return value


def _int(source: Any, name: str) -> int:
    value = source.get(name)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(f"{name} must be an integer")
    return value


def _number(source: Any, name: str) -> float:
    # Seconds and Unix times, not money: a float is the right type for them.
    value = source.get(name)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ControlError(f"{name} must be a number")
    return float(value)


def _money(source: Any, name: str) -> Decimal:
    # An amount comes as "12.50" or as a JSON number, which _LOADS has already made a Decimal.
    value = source.get(name)
    try:
        amount = Decimal(value) if isinstance(value, str | int | Decimal) else None
    except InvalidOperation:
        amount = None
    if amount is None or isinstance(value, bool) or not amount.is_finite():
        raise ControlError(f'{name} must be an amount such as "12.50"')
    return amount
