"""Actions that read the catalogue and the balance (PROTOCOL.md §3.1-3.5, 3.15-3.18)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .errors import ProtocolError
from .formats import JsonValue, money_text
from .purchase import flag, parse_country, parse_operators, parse_service
from .replies import Reply, json_error, json_reply, token

if TYPE_CHECKING:
    from .models import Account
    from .protocol import Handler
    from .sandbox import Sandbox

Params = Mapping[str, str]


def get_balance(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``ACCESS_BALANCE:<balance>``."""
    return token(f"ACCESS_BALANCE:{money_text(account.balance)}")


def get_balance_and_cashback(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``ACCESS_BALANCE:<balance + cashback>`` (the account spends cashback on activations)."""
    return token(f"ACCESS_BALANCE:{money_text(account.balance + account.cashback)}")


def get_numbers_status(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """Free numbers per service: ``{"vk_0": 76, "av_1": 211}`` (classic; ``_1`` only for
    services sold with forwarding) or ``{"vk": "76"}`` (new)."""
    country = parse_country(params, sandbox.catalog, sandbox.config.default_country)
    operators = parse_operators(params, sandbox.catalog, country.id)
    new = sandbox.config.numbers_status_format == "new"
    body: dict[str, JsonValue] = {}
    for service in sandbox.catalog.activation_services():
        count = sandbox.stock.count(country.id, service.code, operators)
        if new:
            body[service.code] = str(count)
            continue
        body[f"{service.code}_0"] = count
        if service.forward:
            # Forwarded numbers come from the same pool in the sandbox.
            body[f"{service.code}_1"] = count
    return json_reply(body)


def get_top_countries(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """Countries ranked by free numbers, keyed ``"0"``, ``"1"``… by rank (not by country id).

    Without ``service`` each country's count covers every service and its price is its
    cheapest one (the seed says "top countries for all services"; the shape is our choice).
    """
    catalog = sandbox.catalog
    raw_service = params.get("service")
    services = (
        [parse_service(raw_service, catalog)]
        if raw_service
        else [s.code for s in catalog.activation_services()]
    )
    rows = []
    for country in catalog.countries.values():
        if not country.visible:
            continue
        count = sum(sandbox.stock.count(country.id, s) for s in services)
        price = min(catalog.price(country.id, s) for s in services)
        retail = min(catalog.retail_price(country.id, s) for s in services)
        rows.append((count, country.id, price, retail))
    rows.sort(key=lambda row: (-row[0], row[1]))
    with_map = flag(params.get("freePrice"))
    body: dict[str, JsonValue] = {}
    for rank, (count, country_id, price, retail) in enumerate(rows):
        entry: dict[str, JsonValue] = {
            "country": country_id,
            "count": count,
            "price": price,
            "retail_price": retail,
        }
        if with_map:
            # One price tier: every free number sells at the country's price.
            entry["freePriceMap"] = {money_text(price): count}
        body[str(rank)] = entry
    return json_reply(body)


def get_operators(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","countryOperators":{"0":[…]}}``; for a country without named
    operators (the provider names them for countries 0, 1, 2 only), the JSON error
    ``{"status":"error","error":"OPERATORS_NOT_FOUND"}``."""
    catalog = sandbox.catalog
    chosen = dict(catalog.operators)
    raw_country = params.get("country", "").strip()
    if raw_country:
        chosen = {c: ops for c, ops in chosen.items() if str(c) == raw_country}
        if not chosen:
            # The seed's example reads result['error'], as for getActiveActivations.
            return json_error(ProtocolError("OPERATORS_NOT_FOUND"), "error")
    body: dict[str, JsonValue] = {str(c): list(ops) for c, ops in chosen.items()}
    return json_reply({"status": "success", "countryOperators": body})


def get_prices(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"<country>": {"<service>": {"cost": 12.50, "count": 76}}}``, filtered by the optional
    ``country`` and ``service`` (``BAD_COUNTRY`` / ``BAD_SERVICE`` when unknown)."""
    catalog = sandbox.catalog
    countries = (
        [parse_country(params, catalog, 0).id]
        if params.get("country", "").strip()
        else list(catalog.countries)
    )
    services = (
        [parse_service(params.get("service"), catalog)]
        if params.get("service")
        else [s.code for s in catalog.activation_services()]
    )
    body: dict[str, JsonValue] = {
        str(c): {
            s: {"cost": catalog.price(c, s), "count": sandbox.stock.count(c, s)} for s in services
        }
        for c in countries
    }
    return json_reply(body)


def get_prices_verification(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"<service>": {"<country>": {"count": n, "price": "18.75"}}}`` (service first, and
    ``price`` a string), over the countries that sell call-verification numbers."""
    catalog = sandbox.catalog
    services = (
        [parse_service(params.get("service"), catalog)]
        if params.get("service")
        else [s.code for s in catalog.activation_services()]
    )
    countries = [c.id for c in catalog.countries.values() if c.verification]
    body: dict[str, JsonValue] = {
        s: {
            str(c): {
                "count": sandbox.stock.count(c, s),
                "price": money_text(catalog.verification_price(c, s)),
            }
            for c in countries
        }
        for s in services
    }
    return json_reply(body)


def get_countries(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """Every country, keyed by id: names in three languages and the 0/1 flags."""
    body: dict[str, JsonValue] = {
        str(c.id): {
            "id": c.id,
            "rus": c.rus,
            "eng": c.eng,
            "chn": c.chn,
            "visible": int(c.visible),
            "retry": int(c.retry),
            "rent": int(c.rent),
            "multiService": int(c.multi_service),
        }
        for c in sandbox.catalog.countries.values()
    }
    return json_reply(body)


def get_services_list(sandbox: Sandbox, account: Account, params: Params) -> Reply:
    """``{"status":"success","services":[{"code":"vk","name":"VKontakte"},…]}``.

    ``country`` is checked (``BAD_COUNTRY``) but every country sells every service here;
    ``lang`` is accepted and the names stay English.
    """
    if params.get("country", "").strip():
        parse_country(params, sandbox.catalog, 0)
    services: list[JsonValue] = [
        {"code": s.code, "name": s.name} for s in sandbox.catalog.activation_services()
    ]
    return json_reply({"status": "success", "services": services})


CATALOG_ACTIONS: Mapping[str, Handler] = {
    "getBalance": get_balance,
    "getBalanceAndCashBack": get_balance_and_cashback,
    "getNumbersStatus": get_numbers_status,
    "getTopCountriesByService": get_top_countries,
    "getOperators": get_operators,
    "getPrices": get_prices,
    "getPricesVerification": get_prices_verification,
    "getCountries": get_countries,
    "getServicesList": get_services_list,
}
