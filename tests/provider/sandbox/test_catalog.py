"""The fixtures and the actions that read them (PROTOCOL.md §3.1-3.5, 3.15-3.18, §8, §9)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.provider.sandbox import SandboxConfig, load_catalog
from bot.provider.sandbox.testing import BOB_KEY, POOR_KEY

from .helpers import body, buy, data, frozen_sandbox


def test_fixture_sizes_and_shapes() -> None:
    catalog = load_catalog()
    assert len(catalog.activation_services()) >= 30
    assert "full" in catalog.services and catalog.services["full"].rent_only
    assert len(catalog.countries) >= 20
    for needed in (0, 1, 2, 3, 6, 12, 16, 22, 187):
        assert needed in catalog.countries
    assert set(catalog.operators) == {0, 1, 2}
    assert {"beeline", "megafon", "mts", "tele2"} <= set(catalog.operators[0])
    forwarding = {s.code for s in catalog.services.values() if s.forward}
    assert {"av", "ya", "ym", "ot"} <= forwarding
    for country in catalog.countries.values():
        assert country.rus and country.eng and country.chn
        assert country.phone_code.isdigit() and country.mobile_prefixes


def test_prices_are_decimal_cents_and_deterministic() -> None:
    catalog = load_catalog()
    assert catalog.price(0, "tg") == Decimal("45.00")
    assert catalog.price(6, "fx") == Decimal("0.63")  # 2.50 x 0.25
    for country in catalog.countries:
        for service in catalog.activation_services():
            price = catalog.price(country, service.code)
            assert isinstance(price, Decimal) and price >= Decimal("0.10")
            assert price == price.quantize(Decimal("0.01"))
    for hours in (4, 12, 24, 168):
        full = catalog.rent_price(0, "full", hours)
        assert all(
            full > catalog.rent_price(0, s.code, hours) for s in catalog.activation_services()
        )
    assert catalog.initial_stock(0, "tg") == load_catalog().initial_stock(0, "tg")
    assert sum(catalog.initial_stock(0, "tg").values()) >= 20


def test_get_balance_and_cashback() -> None:
    sandbox, _ = frozen_sandbox()
    assert body(sandbox, "getBalance") == "ACCESS_BALANCE:1000.00"
    assert body(sandbox, "getBalance", key=POOR_KEY) == "ACCESS_BALANCE:0.00"
    sandbox.add_account("cashback-key", "17.154", cashback="2.50")
    assert body(sandbox, "getBalance", key="cashback-key") == "ACCESS_BALANCE:17.154"
    assert body(sandbox, "getBalanceAndCashBack", key="cashback-key") == "ACCESS_BALANCE:19.654"
    assert body(sandbox, "getBalanceAndCashBack", key=BOB_KEY) == "ACCESS_BALANCE:100.00"


def test_numbers_status_classic() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getNumbersStatus")
    assert reply["tg_0"] == sandbox.stock.count(0, "tg")
    assert reply["av_1"] == reply["av_0"]
    assert "tg_1" not in reply and "full_0" not in reply
    assert all(isinstance(v, int) for v in reply.values())
    buy(sandbox)
    assert data(sandbox, "getNumbersStatus", country=0)["tg_0"] == reply["tg_0"] - 1
    by_operator = data(sandbox, "getNumbersStatus", country=0, operator="mts")
    assert by_operator["tg_0"] == sandbox.stock.count(0, "tg", ("mts",)) < reply["tg_0"]
    assert body(sandbox, "getNumbersStatus", country=999) == "BAD_COUNTRY"
    assert body(sandbox, "getNumbersStatus", country=1, operator="megafon") == "BAD_OPERATOR"


def test_numbers_status_new() -> None:
    sandbox, _ = frozen_sandbox(SandboxConfig(numbers_status_format="new"))
    reply = data(sandbox, "getNumbersStatus", country=2)
    assert reply["tg"] == str(sandbox.stock.count(2, "tg"))
    assert all(isinstance(v, str) and "_" not in k for k, v in reply.items())


@pytest.mark.parametrize("free_price", [False, True])
def test_top_countries(free_price: bool) -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_stock(16, "tg", 100_000)
    params = {"service": "tg", **({"freePrice": "true"} if free_price else {})}
    reply = data(sandbox, "getTopCountriesByService", **params)
    assert list(reply) == [str(i) for i in range(len(reply))]
    top = reply["0"]
    assert (top["country"], top["count"], top["price"]) == (16, 100_000, 38.25)
    assert top["retail_price"] > top["price"]
    counts = [entry["count"] for entry in reply.values()]
    assert counts == sorted(counts, reverse=True)
    assert all(sandbox.catalog.countries[e["country"]].visible for e in reply.values())
    if free_price:
        assert top["freePriceMap"] == {"38.25": 100_000}
    else:
        assert "freePriceMap" not in top


def test_top_countries_for_all_services_and_errors() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getTopCountriesByService")
    assert reply["0"]["count"] > 10_000
    assert body(sandbox, "getTopCountriesByService", service="zz") == "BAD_SERVICE"


def test_operators() -> None:
    sandbox, _ = frozen_sandbox()
    everything = data(sandbox, "getOperators")
    assert everything["status"] == "success"
    assert set(everything["countryOperators"]) == {"0", "1", "2"}
    one = data(sandbox, "getOperators", country=1)
    assert one == {
        "status": "success",
        "countryOperators": {"1": list(sandbox.catalog.operators[1])},
    }
    not_found = {"status": "error", "error": "OPERATORS_NOT_FOUND"}
    assert data(sandbox, "getOperators", country=5) == not_found
    assert data(sandbox, "getOperators", country=999) == not_found


def test_prices() -> None:
    sandbox, _ = frozen_sandbox()
    one = data(sandbox, "getPrices", service="tg", country=0)
    assert one == {"0": {"tg": {"cost": 45.0, "count": sandbox.stock.count(0, "tg")}}}
    reply = sandbox.handle({"api_key": "test-key-alice", "action": "getPrices", "country": "1"})
    assert '"cost":14.40' in reply.body  # exact Decimal digits on the wire, never a float
    by_service = data(sandbox, "getPrices", service="vk")
    assert set(by_service) == {str(c) for c in sandbox.catalog.countries}
    assert len(data(sandbox, "getPrices")["0"]) == len(sandbox.catalog.activation_services())
    assert body(sandbox, "getPrices", service="zz") == "BAD_SERVICE"
    assert body(sandbox, "getPrices", country=999) == "BAD_COUNTRY"


def test_prices_verification() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getPricesVerification", service="tg")
    assert list(reply) == ["tg"]
    assert reply["tg"]["0"] == {"count": sandbox.stock.count(0, "tg"), "price": "67.50"}
    assert "3" not in reply["tg"]
    assert len(data(sandbox, "getPricesVerification")) == len(sandbox.catalog.activation_services())


def test_countries() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getCountries")
    assert reply["0"] == {
        "id": 0,
        "rus": "Россия",
        "eng": "Russia",
        "chn": "俄罗斯",
        "visible": 1,
        "retry": 1,
        "rent": 1,
        "multiService": 1,
    }
    assert reply["8"]["visible"] == 0
    assert len(reply) >= 20


def test_services_list() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getServicesList", country=0, lang="en")
    assert reply["status"] == "success"
    codes = [s["code"] for s in reply["services"]]
    assert "tg" in codes and "full" not in codes and len(codes) >= 30
    assert {"code": "tg", "name": "Telegram"} in reply["services"]
    assert body(sandbox, "getServicesList", country=999) == "BAD_COUNTRY"


def test_json_replies_are_valid_json_with_utf8() -> None:
    sandbox, _ = frozen_sandbox()
    reply = sandbox.handle({"api_key": "test-key-alice", "action": "getCountries"})
    assert "Россия" in reply.body and json.loads(reply.body)["3"]["chn"] == "中国"
