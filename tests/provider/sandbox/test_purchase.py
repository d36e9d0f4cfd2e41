"""Buying numbers: getNumber, getNumberV2, getMultiServiceNumber, and every purchase error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.provider.sandbox import SandboxConfig
from bot.provider.sandbox.testing import ALICE_KEY, BANNED_KEY, BOB_KEY, POOR_KEY

from .helpers import body, buy, data, frozen_sandbox


def test_get_number_debits_and_takes_stock() -> None:
    sandbox, _ = frozen_sandbox()
    before = sandbox.stock.count(0, "tg")
    reply = body(sandbox, "getNumber", service="tg")
    token, activation_id, phone = reply.split(":")
    assert token == "ACCESS_NUMBER"
    assert len(activation_id) == 10 and int(activation_id) > 2**31
    assert phone.startswith("79") and len(phone) == 11 and phone.isdigit()
    assert sandbox.stock.count(0, "tg") == before - 1
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    activation = sandbox.activation(int(activation_id))
    assert (activation.service, activation.country, activation.cost) == ("tg", 0, Decimal("45.00"))
    assert activation.operator in sandbox.catalog.operators[0]


def test_ids_rise_and_phones_differ() -> None:
    sandbox, _ = frozen_sandbox()
    ids = [buy(sandbox, service="ot") for _ in range(20)]
    assert ids == sorted(ids) and len(set(ids)) == 20
    phones = {sandbox.activation(i).phone for i in ids}
    assert len(phones) == 20


def test_country_and_operator() -> None:
    sandbox, _ = frozen_sandbox()
    activation_id = buy(sandbox, service="vk", country=1, operator="kyivstar,life")
    activation = sandbox.activation(activation_id)
    assert activation.phone.startswith("380") and len(activation.phone) == 12
    assert activation.operator in ("kyivstar", "life")
    assert activation.cost == Decimal("14.40")  # 18.00 x 0.80
    any_op = buy(sandbox, service="vk", country=22, operator="any")
    assert sandbox.activation(any_op).operator == "any"


def test_operator_with_empty_pool_is_no_numbers() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_stock(0, "tg", 0, operator="mts")
    assert body(sandbox, "getNumber", service="tg", operator="mts") == "NO_NUMBERS"
    assert body(sandbox, "getNumber", service="tg", operator="mts,beeline").startswith(
        "ACCESS_NUMBER:"
    )


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "BAD_SERVICE"),
        ({"service": "zz"}, "BAD_SERVICE"),
        ({"service": "full"}, "BAD_SERVICE"),
        ({"service": "tg", "country": "999"}, "BAD_COUNTRY"),
        ({"service": "tg", "country": "russia"}, "BAD_COUNTRY"),
        ({"service": "tg", "operator": "vodafone"}, "BAD_OPERATOR"),
        ({"service": "tg", "country": "5", "operator": "mts"}, "BAD_OPERATOR"),
        ({"service": "tg", "phoneException": "79"}, "WRONG_EXCEPTION_PHONE"),
        ({"service": "tg", "phoneException": "7918,abc"}, "WRONG_EXCEPTION_PHONE"),
        ({"service": "tg", "phoneException": "3809912"}, "WRONG_EXCEPTION_PHONE"),
        ({"service": "tg", "phoneException": "79181234567"}, "WRONG_EXCEPTION_PHONE"),
        ({"service": "tg", "maxPrice": "44.99"}, "WRONG_MAX_PRICE:45.00"),
        ({"service": "tg", "freePrice": "true", "maxPrice": "10"}, "WRONG_MAX_PRICE:45.00"),
        ({"service": "tg", "maxPrice": "cheap"}, "WRONG_MAX_PRICE:45.00"),
        ({"service": "tg", "forward": "1"}, "NO_NUMBERS"),
        ({"service": "tg", "country": "3", "verification": "true"}, "NO_NUMBERS"),
    ],
)
def test_purchase_errors(params: dict[str, str], error: str) -> None:
    sandbox, _ = frozen_sandbox()
    for action in ("getNumber", "getNumberV2"):
        assert body(sandbox, action, **params) == error
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
    assert sandbox.activations.all() == []


def test_max_price_at_or_above_the_price_buys() -> None:
    sandbox, _ = frozen_sandbox()
    activation_id = buy(sandbox, freePrice="true", maxPrice="45.00")
    assert sandbox.activation(activation_id).cost == Decimal("45.00")
    buy(sandbox, maxPrice="100")


def test_no_numbers_when_stock_is_empty() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_stock(0, "tg", 0)
    assert body(sandbox, "getNumber", service="tg") == "NO_NUMBERS"
    sandbox.set_stock(0, "tg", 1)
    buy(sandbox)
    assert body(sandbox, "getNumber", service="tg") == "NO_NUMBERS"


def test_no_balance() -> None:
    sandbox, _ = frozen_sandbox()
    assert body(sandbox, "getNumber", key=POOR_KEY, service="tg") == "NO_BALANCE"
    sandbox.set_balance(POOR_KEY, "44.99")
    assert body(sandbox, "getNumber", key=POOR_KEY, service="tg") == "NO_BALANCE"
    sandbox.set_balance(POOR_KEY, "45.00")
    buy(sandbox, key=POOR_KEY)
    assert sandbox.balance(POOR_KEY) == Decimal("0.00")


def test_forwarding_costs_a_surcharge_and_no_balance_forward() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_balance(POOR_KEY, "12.00")  # av costs 12.00, forwarding 2.00 more
    assert body(sandbox, "getNumber", key=POOR_KEY, service="av", forward=1) == "NO_BALANCE_FORWARD"
    buy(sandbox, key=POOR_KEY, service="av")
    sandbox.set_balance(POOR_KEY, "11.99")
    assert body(sandbox, "getNumber", key=POOR_KEY, service="av", forward=1) == "NO_BALANCE"
    sandbox.set_balance(POOR_KEY, "14.00")
    activation_id = buy(sandbox, key=POOR_KEY, service="av", forward=1)
    assert sandbox.activation(activation_id).forward
    assert sandbox.activation(activation_id).cost == Decimal("14.00")


def test_banned_account() -> None:
    sandbox, _ = frozen_sandbox()
    for action in ("getNumber", "getNumberV2"):
        assert body(sandbox, action, key=BANNED_KEY, service="tg") == "BANNED:2100-01-01 00-00-00"
    assert body(sandbox, "getMultiServiceNumber", key=BANNED_KEY, multiService="vk,tg").startswith(
        "BANNED:"
    )
    assert body(sandbox, "getBalance", key=BANNED_KEY) == "ACCESS_BALANCE:1000.00"


def test_a_ban_ends_with_time() -> None:
    sandbox, clock = frozen_sandbox()
    sandbox.ban(BOB_KEY, clock.now() + 60)
    assert body(sandbox, "getNumber", key=BOB_KEY, service="ot") == "BANNED:2025-06-15 15-07-40"
    clock.advance(60)
    buy(sandbox, key=BOB_KEY, service="ot")


def test_phone_exception_is_avoided() -> None:
    sandbox, _ = frozen_sandbox()
    excluded = ",".join("7" + p for p in sandbox.catalog.countries[0].mobile_prefixes[1:])
    for _ in range(10):
        activation_id = buy(sandbox, service="ot", phoneException=excluded)
        phone = sandbox.activation(activation_id).phone
        assert phone.startswith("7" + sandbox.catalog.countries[0].mobile_prefixes[0])


def test_phone_exception_that_excludes_everything_is_no_numbers() -> None:
    sandbox, _ = frozen_sandbox()
    everything = ",".join("7" + p for p in sandbox.catalog.countries[0].mobile_prefixes)
    assert body(sandbox, "getNumber", service="ot", phoneException=everything) == "NO_NUMBERS"


def test_get_number_v2_classic() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getNumberV2", service="tg", operator="mts")
    activation = sandbox.activation(reply["activationId"])
    assert reply == {
        "activationId": activation.id,
        "phoneNumber": activation.phone,
        "activationCost": "45.00",
        "countryCode": "0",
        "canGetAnotherSms": "1",
        "activationTime": "2025-06-15 15:06:40",
        "activationOperator": "mts",
    }


def test_get_number_v2_new() -> None:
    sandbox, _ = frozen_sandbox(SandboxConfig(getnumberv2_format="new"))
    reply = data(sandbox, "getNumberV2", service="ya", country=3)
    assert reply["activationCost"] == 11.9  # 8.50 x 1.40
    assert reply["canGetAnotherSms"] is False
    assert reply["currency"] == 643
    assert reply["countryPhoneCode"] == 86
    assert reply["activationEndTime"] == "2025-06-15 15:46:40"  # ya lives 40 minutes


def test_order_id_is_idempotent_per_account() -> None:
    sandbox, _ = frozen_sandbox()
    first = data(sandbox, "getNumberV2", service="tg", orderId="order-1")
    assert body(sandbox, "getNumberV2", service="tg", orderId="order-1") == "ORDER_ALREADY_EXISTS"
    assert body(sandbox, "getNumberV2", service="vk", orderId="order-1") == "ORDER_ALREADY_EXISTS"
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    assert data(sandbox, "getNumberV2", key=BOB_KEY, service="ot", orderId="order-1")
    assert (
        first["activationId"]
        != data(sandbox, "getNumberV2", service="tg", orderId="o2")["activationId"]
    )


def test_failed_purchase_does_not_use_up_the_order_id() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_stock(0, "tg", 0)
    assert body(sandbox, "getNumberV2", service="tg", orderId="retry-me") == "NO_NUMBERS"
    sandbox.set_stock(0, "tg", 5)
    assert data(sandbox, "getNumberV2", service="tg", orderId="retry-me")["activationId"]


# -- getMultiServiceNumber ------------------------------------------------------------------


@pytest.mark.parametrize("forward_param", ["multiForward", "forward"])
def test_multi_service(forward_param: str) -> None:
    sandbox, _ = frozen_sandbox()
    params = {"multiService": "vk,av,tg", forward_param: "0,1,0"}
    reply = data(sandbox, "getMultiServiceNumber", **params)
    assert [item["service"] for item in reply] == ["vk", "av", "tg"]
    assert len({item["phone"] for item in reply}) == 1
    assert len({item["activation"] for item in reply}) == 3
    forwards = [sandbox.activation(item["activation"]).forward for item in reply]
    assert forwards == [False, True, False]
    # 18.00 + 12.00 + 45.00 + the 2.00 forwarding surcharge on av
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - Decimal("77.00")


def test_multi_service_without_forwarding() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getMultiServiceNumber", multiService="vk,tg", country=2)
    assert all(item["phone"].startswith("77") for item in reply)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "BAD_SERVICE"),
        ({"multiService": "vk,zz"}, "BAD_SERVICE"),
        ({"multiService": "vk,vk"}, "BAD_SERVICE"),
        ({"multiService": "vk,tg", "country": "3"}, "NOT_AVAILABLE"),
        ({"multiService": "vk,tg", "country": "999"}, "BAD_COUNTRY"),
        ({"multiService": "vk,tg", "operator": "kyivstar"}, "BAD_OPERATOR"),
        ({"multiService": "vk,av,ot", "multiForward": "0,1,1"}, "ERROR_SQL"),
        ({"multiService": "vk,av", "forward": "1"}, "ERROR_SQL"),
        ({"multiService": "vk,av", "forward": "0,2"}, "ERROR_SQL"),
        ({"multiService": "vk,tg", "forward": "0,1"}, "NO_NUMBERS"),
    ],
)
def test_multi_service_errors(params: dict[str, str], error: str) -> None:
    sandbox, _ = frozen_sandbox()
    assert body(sandbox, "getMultiServiceNumber", **params) == error
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")


def test_multi_service_stock_and_balance() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_stock(0, "tg", 0)
    assert body(sandbox, "getMultiServiceNumber", multiService="vk,tg") == "NO_NUMBERS"
    sandbox.set_balance(BOB_KEY, "49.99")  # vk 18.00 + wa 32.00
    assert body(sandbox, "getMultiServiceNumber", key=BOB_KEY, multiService="vk,wa") == "NO_BALANCE"
    sandbox.set_balance(BOB_KEY, "31.00")
    assert (
        body(sandbox, "getMultiServiceNumber", key=BOB_KEY, multiService="vk,av", forward="0,1")
        == "NO_BALANCE_FORWARD"
    )
