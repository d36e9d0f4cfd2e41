"""The Rent API and the rent state machine of PROTOCOL.md §6, driven directly."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.provider.sandbox import RentState, SandboxConfig
from bot.provider.sandbox.testing import ALICE_KEY, BANNED_KEY, BOB_KEY, POOR_KEY

from .helpers import call, data, frozen_sandbox, rent

HOUR = 3600


def _error(reply: object) -> str:
    assert isinstance(reply, dict) and reply["status"] == "error", reply
    return str(reply["message"])


def test_services_and_countries() -> None:
    sandbox, _ = frozen_sandbox()
    reply = data(sandbox, "getRentServicesAndCountries")
    assert reply["countries"]["0"] == 0
    assert set(reply["countries"].values()) == {
        c.id for c in sandbox.catalog.countries.values() if c.rent
    }
    operators = list(reply["operators"].values())
    assert "any" in operators and "beeline" in operators and operators == sorted(operators)
    services = reply["services"]
    assert next(iter(services)) == "full"
    assert services["vk"] == {"cost": 21.6, "quant": sandbox.stock.rent_count(0, "vk")}
    assert max(s["cost"] for s in services.values()) == services["full"]["cost"]
    longer = data(sandbox, "getRentServicesAndCountries", rent_time=24, country=1)
    assert longer["services"]["vk"]["cost"] > services["vk"]["cost"]
    assert _error(data(sandbox, "getRentServicesAndCountries", time=5)) == "INVALID_TIME"
    assert _error(data(sandbox, "getRentServicesAndCountries", country=3)) == "BAD_COUNTRY"


def test_rent_number() -> None:
    sandbox, _ = frozen_sandbox()
    before = sandbox.stock.rent_count(0, "vk")
    reply = data(sandbox, "getRentNumber", service="vk")
    phone = reply["phone"]
    assert reply["status"] == "success"
    assert isinstance(phone["id"], int) and isinstance(phone["number"], str)
    assert phone["endDate"] == "2025-06-15T19:06:40"  # 4 hours by default
    assert sandbox.stock.rent_count(0, "vk") == before - 1
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - Decimal("21.60")
    assert sandbox.rent(phone["id"]).hours == 4


@pytest.mark.parametrize("hours", [4, 12, 24, 48, 72, 2016])
def test_valid_rent_times(hours: int) -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_balance(ALICE_KEY, "5000")
    rent_id = rent(sandbox, service="ot", rent_time=hours)
    assert sandbox.rent(rent_id).hours == hours
    by_time = rent(sandbox, service="ot", time=hours)
    assert sandbox.rent(by_time).hours == hours


@pytest.mark.parametrize("hours", ["0", "1", "5", "13", "36", "2040", "x", "-4"])
def test_invalid_rent_times(hours: str) -> None:
    sandbox, _ = frozen_sandbox()
    assert _error(data(sandbox, "getRentNumber", service="ot", rent_time=hours)) == "INVALID_TIME"
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")


@pytest.mark.parametrize(
    ("key", "params", "error"),
    [
        (ALICE_KEY, {}, "BAD_SERVICE"),
        (ALICE_KEY, {"service": "zz"}, "BAD_SERVICE"),
        (ALICE_KEY, {"service": "vk", "country": "3"}, "BAD_COUNTRY"),
        (ALICE_KEY, {"service": "vk", "country": "x"}, "BAD_COUNTRY"),
        (ALICE_KEY, {"service": "vk", "operator": "kyivstar"}, "BAD_OPERATOR"),
        (POOR_KEY, {"service": "vk"}, "NO_BALANCE"),
        (BANNED_KEY, {"service": "vk"}, "ACCOUNT_INACTIVE"),
    ],
)
def test_rent_number_errors(key: str, params: dict[str, str], error: str) -> None:
    sandbox, _ = frozen_sandbox()
    assert _error(data(sandbox, "getRentNumber", key=key, **params)) == error


def test_rent_no_numbers() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_rent_stock(0, "full", 0)
    assert _error(data(sandbox, "getRentNumber", service="full")) == "NO_NUMBERS"


def test_full_rent_and_operator() -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="full", operator="mts", country=0)
    assert sandbox.rent(rent_id).operator == "mts"
    assert sandbox.rent(rent_id).cost == Decimal("81.00")  # 45.00 x 1.5 x 1.2
    sandbox.deliver_rent_sms(rent_id, "hello")
    assert data(sandbox, "getRentStatus", id=rent_id)["values"]["0"]["service"] == "ot"


def test_rent_status_lifecycle() -> None:
    sandbox, clock = frozen_sandbox()
    rent_id = rent(sandbox, service="tg")
    assert _error(data(sandbox, "getRentStatus", id=rent_id)) == "STATUS_WAIT_CODE"
    sandbox.deliver_rent_sms(rent_id, "first 111", phone_from="79180230628")
    clock.advance(60)
    sandbox.deliver_rent_sms(rent_id, "second 222", phone_from="Telegram", service="tg")
    reply = data(sandbox, "getRentStatus", id=rent_id)
    assert reply == {
        "status": "success",
        "quantity": "2",
        "values": {
            "0": {
                "phoneFrom": "Telegram",
                "text": "second 222",
                "service": "tg",
                "date": "2025-06-15 15:07:40",
            },
            "1": {
                "phoneFrom": "79180230628",
                "text": "first 111",
                "service": "tg",
                "date": "2025-06-15 15:06:40",
            },
        },
    }
    assert data(sandbox, "setRentStatus", id=rent_id, status=1) == {"status": "success"}
    assert _error(data(sandbox, "getRentStatus", id=rent_id)) == "STATUS_FINISH"
    assert _error(data(sandbox, "setRentStatus", id=rent_id, status=1)) == "ALREADY_FINISH"
    assert _error(data(sandbox, "setRentStatus", id=rent_id, status=2)) == "ALREADY_FINISH"
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - Decimal("54.00")


@pytest.mark.parametrize(
    ("age", "reply"),
    [(0, "success"), (1199, "success"), (1200, "CANT_CANCEL"), (1201, "CANT_CANCEL")],
)
def test_rent_cancel_window(age: int, reply: str) -> None:
    sandbox, clock = frozen_sandbox()
    rent_id = rent(sandbox, service="vk")
    clock.advance(age)
    answer = data(sandbox, "setRentStatus", id=rent_id, status=2)
    if reply == "success":
        assert answer == {"status": "success"}
        assert sandbox.rent(rent_id).state is RentState.CANCELLED
        assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
        assert _error(data(sandbox, "getRentStatus", id=rent_id)) == "STATUS_CANCEL"
        assert _error(data(sandbox, "setRentStatus", id=rent_id, status=2)) == "ALREADY_CANCEL"
        assert _error(data(sandbox, "setRentStatus", id=rent_id, status=1)) == "ALREADY_CANCEL"
    else:
        assert _error(answer) == reply
        assert sandbox.rent(rent_id).state is RentState.ACTIVE


def test_rent_cancel_refused_after_an_sms() -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="vk")
    sandbox.deliver_rent_sms(rent_id, "VK: 1234")
    assert _error(data(sandbox, "setRentStatus", id=rent_id, status=2)) == "CANT_CANCEL"


def test_rent_status_errors() -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="vk")
    assert _error(data(sandbox, "setRentStatus", id=rent_id, status=3)) == "INCORECT_STATUS"
    assert _error(data(sandbox, "setRentStatus", id=rent_id)) == "INCORECT_STATUS"
    assert _error(data(sandbox, "setRentStatus", status=1)) == "NO_ID_RENT"
    assert _error(data(sandbox, "getRentStatus")) == "NO_ID_RENT"
    assert _error(data(sandbox, "getRentStatus", id=12)) == "INVALID_PHONE"
    assert _error(data(sandbox, "getRentStatus", id="abc")) == "INVALID_PHONE"


def test_rent_expiry_finishes() -> None:
    sandbox, clock = frozen_sandbox()
    rent_id = rent(sandbox, service="vk")
    clock.advance(4 * HOUR - 1)
    assert _error(data(sandbox, "getRentStatus", id=rent_id)) == "STATUS_WAIT_CODE"
    clock.advance(1)
    assert _error(data(sandbox, "getRentStatus", id=rent_id)) == "STATUS_FINISH"
    assert sandbox.rent(rent_id).end_reason == "expired"
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - Decimal("21.60")


def test_rent_list() -> None:
    sandbox, _ = frozen_sandbox()
    assert _error(data(sandbox, "getRentList")) == "NO_NUMBERS"
    first, second = rent(sandbox, service="vk"), rent(sandbox, service="tg")
    reply = data(sandbox, "getRentList")
    assert reply == {
        "status": "success",
        "values": {
            "0": {"id": str(first), "phone": sandbox.rent(first).phone},
            "1": {"id": str(second), "phone": sandbox.rent(second).phone},
        },
    }
    data(sandbox, "setRentStatus", id=first, status=1)
    assert list(data(sandbox, "getRentList")["values"].values()) == [
        {"id": str(second), "phone": sandbox.rent(second).phone}
    ]
    assert _error(data(sandbox, "getRentList", key=BOB_KEY)) == "NO_NUMBERS"


def test_extension() -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="vk")
    end = sandbox.rent(rent_id).end_at
    price = data(sandbox, "getContinueRentPriceNumber", id=rent_id, rent_time=12)
    assert price == {"status": "success", "price": 51.84}  # 21.60 / 4 x 12 x 0.8
    balance = sandbox.balance(ALICE_KEY)
    reply = data(sandbox, "continueRentNumber", id=rent_id, rent_time=12)
    assert reply["status"] == "success"
    assert reply["phone"] == {
        "id": rent_id,
        "endDate": "2025-06-16T07:06:40",
        "number": sandbox.rent(rent_id).phone,
    }
    assert sandbox.rent(rent_id).end_at == end + 12 * HOUR
    assert sandbox.rent(rent_id).hours == 16
    assert sandbox.balance(ALICE_KEY) == balance - Decimal("51.84")
    default = data(sandbox, "getContinueRentPriceNumber", id=rent_id)["price"]
    assert default == 21.6  # 4 hours


def test_extension_after_the_end_is_rent_die() -> None:
    sandbox, clock = frozen_sandbox()
    expired, finished, cancelled = (rent(sandbox, service="ot") for _ in range(3))
    data(sandbox, "setRentStatus", id=finished, status=1)
    data(sandbox, "setRentStatus", id=cancelled, status=2)
    clock.advance(4 * HOUR)
    for rent_id in (expired, finished, cancelled):
        assert _error(data(sandbox, "continueRentNumber", id=rent_id, rent_time=4)) == "RENT_DIE"
        assert _error(data(sandbox, "getContinueRentPriceNumber", id=rent_id)) == "RENT_DIE"


@pytest.mark.parametrize("hours", ["3", "0", "2017", "soon"])
def test_extension_invalid_time(hours: str) -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="ot")
    assert (
        _error(data(sandbox, "continueRentNumber", id=rent_id, rent_time=hours)) == "INVALID_TIME"
    )


def test_extension_max_hours_exceed() -> None:
    sandbox, _ = frozen_sandbox()
    rent_id = rent(sandbox, service="ot", rent_time=1992)
    reply = data(sandbox, "continueRentNumber", id=rent_id, rent_time=48)
    assert reply == {"status": "error", "message": "MAX_HOURS_EXCEED", "info": {"max": 24}}
    price = data(sandbox, "getContinueRentPriceNumber", id=rent_id, rent_time=25)
    assert price["message"] == "MAX_HOURS_EXCEED" and price["info"] == {"max": 24}
    assert data(sandbox, "continueRentNumber", id=rent_id, rent_time=24)["status"] == "success"
    assert sandbox.rent(rent_id).hours == 2016


def test_extension_no_balance() -> None:
    sandbox, _ = frozen_sandbox()
    sandbox.set_balance(BOB_KEY, "3.60")  # ot: exactly one 4-hour rent
    rent_id = rent(sandbox, key=BOB_KEY, service="ot")
    assert sandbox.balance(BOB_KEY) == Decimal("0.00")
    assert _error(data(sandbox, "continueRentNumber", key=BOB_KEY, id=rent_id)) == "NO_BALANCE"


def test_json_error_key_knob() -> None:
    for key in ("error", "msg"):
        sandbox, _ = frozen_sandbox(SandboxConfig().updated({"json_error_key": key}))
        assert data(sandbox, "getRentList") == {"status": "error", key: "NO_NUMBERS"}


def test_rent_bad_key_and_bad_action_stay_plain() -> None:
    sandbox, _ = frozen_sandbox()
    assert call(sandbox, "getRentList", key="nope").body == "BAD_KEY"
    reply = call(sandbox, "continueRentInfo")
    assert (reply.body, reply.content_type) == ("BAD_ACTION", "text/plain")
    assert json.loads(call(sandbox, "getRentStatus", id=1).body)["message"] == "INVALID_PHONE"
