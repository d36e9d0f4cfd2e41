"""The Rent API (PROTOCOL.md §4): JSON replies, JSON errors (``BAD_KEY``/``BAD_ACTION`` stay
plain, and the protocol layer answers those before any of this runs)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .errors import ProtocolError
from .fixtures import ANY_OPERATOR, FULL_RENT, Country
from .formats import JsonValue, datetime_text, iso_text
from .models import RentState
from .purchase import parse_country, parse_operators, parse_service
from .rents import check_rent_hours, parse_hours
from .replies import Reply, json_error, json_reply

if TYPE_CHECKING:
    from .models import Account, SandboxRent
    from .protocol import Handler
    from .sandbox import Sandbox

Params = Mapping[str, str]
_DEFAULT_HOURS = 4


def _rent_api(handler: Handler) -> Handler:
    """Renders a handler's ProtocolError as ``{"status":"error","<key>":"TOKEN"}``."""

    @functools.wraps(handler)
    def wrapper(sandbox: Sandbox, account: Account, params: Params) -> Reply:
        try:
            return handler(sandbox, account, params)
        except ProtocolError as error:
            return json_error(error, sandbox.config.json_error_key)

    return wrapper


def _rent_country(sandbox: Sandbox, params: Params) -> Country:
    # Rent defaults to Russia (seed), whatever the activation default is.
    country = parse_country(params, sandbox.catalog, 0)
    if not country.rent:
        raise ProtocolError("BAD_COUNTRY")
    return country


def _hours(params: Params) -> int:
    hours = parse_hours(params)
    return _DEFAULT_HOURS if hours is None else hours


def _phone(rent: SandboxRent) -> JsonValue:
    return {"id": rent.id, "endDate": iso_text(rent.end_at), "number": rent.phone}


@_rent_api
def get_rent_services_and_countries(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"countries": {"0": 0, …}, "operators": {"0": "any", …}, "services": {"full":
    {"cost": 42.93, "quant": 20}, …}}`` for ``country`` (default 0) and ``rent_time`` hours
    (default 4). ``countries`` lists every country that rents numbers."""
    country = _rent_country(sandbox, params)
    parse_operators(params, sandbox.catalog, country.id)
    hours = _hours(params)
    check_rent_hours(hours, sandbox.config.max_rent_hours)
    catalog = sandbox.catalog
    renting = [c.id for c in catalog.countries.values() if c.rent]
    operators = sorted({ANY_OPERATOR, *catalog.operators_of(country.id)})
    codes = [FULL_RENT, *(s.code for s in catalog.activation_services())]
    services: dict[str, JsonValue] = {
        code: {
            "cost": catalog.rent_price(country.id, code, hours),
            "quant": sandbox.stock.rent_count(country.id, code),
        }
        for code in codes
    }
    return json_reply(
        {
            "countries": {str(i): c for i, c in enumerate(renting)},
            "operators": {str(i): op for i, op in enumerate(operators)},
            "services": services,
        }
    )


@_rent_api
def get_rent_number(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","phone":{"id":…,"endDate":"…T…","number":"…"}}``.

    A banned account gets ``ACCOUNT_INACTIVE`` (the Rent API's word for it). ``url``, an
    http(s) address, receives a webhook for each SMS.
    """
    try:
        sandbox.accounts.check_not_banned(account)
    except ProtocolError:
        raise ProtocolError("ACCOUNT_INACTIVE") from None
    service = parse_service(params.get("service"), sandbox.catalog, rent=True)
    country = _rent_country(sandbox, params)
    operators = parse_operators(params, sandbox.catalog, country.id)
    url = params.get("url", "").strip()
    rent = sandbox.rents.rent(
        account,
        service=service,
        country=country.id,
        operators=operators,
        hours=_hours(params),
        url=url if url.startswith(("http://", "https://")) else None,
    )
    return json_reply({"status": "success", "phone": _phone(rent)})


@_rent_api
def get_rent_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","quantity":"2","values":{"0": newest, "1": …}}``; the rent's state
    comes as an error otherwise (``STATUS_WAIT_CODE``, ``STATUS_FINISH``, ``STATUS_CANCEL``)."""
    rent = sandbox.rents.owned(account, params.get("id"))
    if rent.state is RentState.CANCELLED:
        raise ProtocolError("STATUS_CANCEL")
    if rent.state is RentState.FINISHED:
        raise ProtocolError("STATUS_FINISH")
    if not rent.messages:
        raise ProtocolError("STATUS_WAIT_CODE")
    values: dict[str, JsonValue] = {
        str(index): {
            "phoneFrom": sms.phone_from,
            "text": sms.text,
            "service": sms.service,
            "date": datetime_text(sms.received_at),
        }
        for index, sms in enumerate(reversed(rent.messages))
    }
    return json_reply({"status": "success", "quantity": str(len(values)), "values": values})


@_rent_api
def set_rent_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success"}``: 1 finishes (charge kept), 2 cancels (refund, first 20 min,
    no SMS yet)."""
    rent = sandbox.rents.owned(account, params.get("id"))
    sandbox.rents.set_status(rent, params.get("status"))
    return json_reply({"status": "success"})


@_rent_api
def get_rent_list(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","values":{"0":{"id":"…","phone":"…"}}}`` (strings) of the active
    rents; ``NO_NUMBERS`` when there are none."""
    live = sandbox.rents.live(account)
    if not live:
        raise ProtocolError("NO_NUMBERS")
    values: dict[str, JsonValue] = {
        str(index): {"id": str(rent.id), "phone": rent.phone} for index, rent in enumerate(live)
    }
    return json_reply({"status": "success", "values": values})


@_rent_api
def continue_rent_number(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """Extends by ``rent_time`` hours (default 4), charged at getContinueRentPriceNumber's
    price; answers like getRentNumber with the new ``endDate``."""
    rent = sandbox.rents.owned(account, params.get("id"))
    sandbox.rents.extend(account, rent, parse_hours(params))
    return json_reply({"status": "success", "phone": _phone(rent)})


@_rent_api
def get_continue_rent_price(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","price":6.33}`` for extending by ``rent_time`` hours (default 4)."""
    rent = sandbox.rents.owned(account, params.get("id"))
    _, price = sandbox.rents.extension_price(rent, parse_hours(params))
    return json_reply({"status": "success", "price": price})


RENT_ACTIONS: Mapping[str, Handler] = {
    "getRentServicesAndCountries": get_rent_services_and_countries,
    "getRentNumber": get_rent_number,
    "getRentStatus": get_rent_status,
    "setRentStatus": set_rent_status,
    "getRentList": get_rent_list,
    "continueRentNumber": continue_rent_number,
    "getContinueRentPriceNumber": get_continue_rent_price,
}
