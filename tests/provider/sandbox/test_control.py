"""The control API under /sandbox/ (over HTTP), and the code-from-text rule it relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.provider.sandbox import ControlError, Sandbox
from bot.provider.sandbox.activations import code_from_text
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY

from .helpers import Api, Control


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Telegram code: 12345. Do not share it.", "12345"),
        ("Your WhatsApp code: 123-456", "123456"),
        ("G-482913 is your Google verification code.", "482913"),
        ("Code 7 of 9", "7"),
    ],
)
def test_code_from_text(text: str, code: str) -> None:
    assert code_from_text(text) == code


def test_code_from_text_without_digits() -> None:
    with pytest.raises(ControlError):
        code_from_text("no code here")


async def test_clock(control: Control, sandbox: Sandbox) -> None:
    before = (await control("GET", "/clock")).json()
    reply = await control("POST", "/clock/advance", json={"seconds": 3600})
    assert reply.status_code == 200
    assert reply.json()["now"] >= before["now"] + 3600
    assert sandbox.clock.now() >= before["now"] + 3600
    assert (await control("POST", "/clock/advance", json={"seconds": -1})).status_code == 400
    assert (await control("POST", "/clock/advance", json={"seconds": "x"})).status_code == 400
    assert (await control("POST", "/clock/advance", content=b"{not json")).status_code == 400


async def test_advancing_the_clock_expires_and_refunds(
    api: Api, control: Control, sandbox: Sandbox
) -> None:
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    await control("POST", "/clock/advance", json={"seconds": 1200.5})
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")  # the sweep refunded already
    assert (await api("getStatus", id=activation_id)).text == "STATUS_CANCEL"
    assert (await control("POST", "/sweep")).json() == {"ended": 0}


async def test_sms_call_resend_and_expire(api: Api, control: Control) -> None:
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    reply = await control(
        "POST", "/sms", json={"activation_id": int(activation_id), "text": "code 4242"}
    )
    assert reply.status_code == 200
    assert reply.json()["state"] == "CODE_RECEIVED" and reply.json()["code"] == "4242"
    assert (await api("getStatus", id=activation_id)).text == "STATUS_OK:4242"
    explicit = {"activation_id": activation_id, "text": "Your code", "code": "X1"}
    assert (await control("POST", "/sms", json=explicit)).json()["code"] == "X1"
    nodigits = await control("POST", "/sms", json={"activation_id": activation_id, "text": "hi"})
    assert nodigits.status_code == 400
    unknown = await control("POST", "/sms", json={"activation_id": 1, "text": "1234"})
    assert unknown.status_code == 404 and "error" in unknown.json()
    # A call only to a call-verification activation.
    not_call = await control(
        "POST", "/call", json={"activation_id": activation_id, "phone_from": "79001234567"}
    )
    assert not_call.status_code == 409
    _, call_id, _ = (await api("getNumber", service="tg", verification="true")).text.split(":")
    called = await control(
        "POST", "/call", json={"activation_id": call_id, "phone_from": "79001234567"}
    )
    assert called.json()["call"]["code"] == "4567"
    again = await control(
        "POST", "/call", json={"activation_id": call_id, "phone_from": "79001234567"}
    )
    assert again.status_code == 409
    # Resend and expire.
    _, other, _ = (await api("getNumber", service="vk")).text.split(":")
    assert (await control("POST", "/resend", json={"activation_id": other})).json()[
        "state"
    ] == "WAIT_RESEND"
    assert (await api("getStatus", id=other)).text == "STATUS_WAIT_RESEND"
    expired = await control("POST", "/expire", json={"activation_id": other})
    assert expired.json()["state"] == "CANCELLED" and expired.json()["refunded"] == "18.00"
    late = await control("POST", "/sms", json={"activation_id": other, "text": "code 1111"})
    assert late.status_code == 409


async def test_rent_sms_and_expire(api: Api, control: Control) -> None:
    rent_id = (await api("getRentNumber", service="vk")).json()["phone"]["id"]
    reply = await control(
        "POST", "/rent-sms", json={"rent_id": rent_id, "text": "VK: 5151", "phone_from": "VK"}
    )
    assert reply.json()["messages"][0]["phone_from"] == "VK"
    status = (await api("getRentStatus", id=rent_id)).json()
    assert status["values"]["0"]["text"] == "VK: 5151"
    default_sender = await control("POST", "/rent-sms", json={"rent_id": rent_id, "text": "x"})
    assert default_sender.json()["messages"][1]["phone_from"].isdigit()
    assert (await control("GET", f"/rents/{rent_id}")).json()["state"] == "ACTIVE"
    assert (await control("POST", "/expire", json={"rent_id": rent_id})).json()[
        "state"
    ] == "FINISHED"
    assert (
        await control("POST", "/rent-sms", json={"rent_id": rent_id, "text": "x"})
    ).status_code == 409
    assert (await control("GET", "/rents/123")).status_code == 404
    rents = (await control("GET", "/rents", params={"account": "alice"})).json()
    assert [r["id"] for r in rents] == [rent_id]
    assert (await control("GET", "/rents", params={"account": "bob"})).json() == []


async def test_stock(api: Api, control: Control) -> None:
    reply = await control("POST", "/stock", json={"country": 0, "service": "tg", "count": 0})
    assert reply.json()["count"] == 0
    assert (await api("getNumber", service="tg")).text == "NO_NUMBERS"
    await control(
        "POST", "/stock", json={"country": 0, "service": "tg", "operator": "mts", "count": 3}
    )
    seen = (await control("GET", "/stock", params={"country": 0, "service": "tg"})).json()
    assert seen["count"] == 3
    assert (await api("getNumber", service="tg", operator="beeline")).text == "NO_NUMBERS"
    assert (await api("getNumber", service="tg")).text.startswith("ACCESS_NUMBER:")
    assert (await api("getNumbersStatus")).json()["tg_0"] == 2
    bad = await control(
        "POST", "/stock", json={"country": 0, "service": "tg", "operator": "kyivstar", "count": 1}
    )
    assert bad.status_code == 400
    unknown = await control("POST", "/stock", json={"country": 999, "service": "tg", "count": 1})
    assert unknown.status_code == 404
    negative = await control("POST", "/stock", json={"country": 0, "service": "tg", "count": -1})
    assert negative.status_code == 400
    await control("POST", "/rent-stock", json={"country": 0, "service": "vk", "count": 0})
    assert (await api("getRentNumber", service="vk")).json()["message"] == "NO_NUMBERS"
    no_rent = await control("POST", "/rent-stock", json={"country": 3, "service": "vk", "count": 1})
    assert no_rent.status_code == 400


async def test_accounts(api: Api, control: Control, sandbox: Sandbox) -> None:
    created = await control(
        "POST",
        "/accounts",
        json={"api_key": "carol-secret-key", "balance": "12.50", "name": "carol"},
    )
    assert created.status_code == 200
    assert created.json()["name"] == "carol" and created.json()["balance"] == "12.50"
    assert "carol-secret-key" not in created.text
    assert (await api("getBalance", key="carol-secret-key")).text == "ACCESS_BALANCE:12.50"
    # Setting an existing key's balance (a JSON number stays an exact Decimal).
    await control("POST", "/accounts", json={"api_key": BOB_KEY, "balance": 0.1})
    assert sandbox.balance(BOB_KEY) == Decimal("0.1")
    banned = await control(
        "POST",
        "/accounts",
        json={"api_key": "carol-secret-key", "balance": 5, "banned_until": 4_102_444_800},
    )
    assert banned.json()["banned_until"] == 4_102_444_800
    assert (await api("getNumber", key="carol-secret-key", service="ot")).text.startswith("BANNED:")
    by_name = await control("GET", "/accounts/carol")
    by_key = await control("GET", "/accounts/carol-secret-key")
    assert by_name.json() == by_key.json()
    assert by_name.json()["ledger"][0]["reason"] == "set-balance"
    listing = (await control("GET", "/accounts")).json()
    assert {a["name"] for a in listing} == {"alice", "bob", "poor", "banned", "carol"}
    assert "test-key" not in (await control("GET", "/accounts")).text
    assert (await control("GET", "/accounts/nobody")).status_code == 404
    assert (
        await control("POST", "/accounts", json={"api_key": "k", "balance": "-1"})
    ).status_code == 400
    assert (
        await control("POST", "/accounts", json={"api_key": "k", "balance": "lots"})
    ).status_code == 400
    assert (await control("POST", "/accounts", json={"balance": "1"})).status_code == 400
    taken = await control(
        "POST", "/accounts", json={"api_key": "k2", "balance": "1", "name": "alice"}
    )
    assert taken.status_code == 400


async def test_activation_inspection(api: Api, control: Control) -> None:
    _, first, _ = (await api("getNumber", service="tg")).text.split(":")
    _, second, _ = (await api("getNumber", key=BOB_KEY, service="ot")).text.split(":")
    every = (await control("GET", "/activations")).json()
    assert [a["id"] for a in every] == [int(first), int(second)]
    alice = (await control("GET", "/activations", params={"account": "alice"})).json()
    assert [a["id"] for a in alice] == [int(first)]
    one = (await control("GET", f"/activations/{first}")).json()
    assert (one["state"], one["cost"], one["account"]) == ("WAIT_CODE", "45.00", "alice")
    assert (await control("GET", "/activations/12")).status_code == 404
    assert (await control("GET", "/activations/abc")).status_code == 400


async def test_config(api: Api, control: Control) -> None:
    config = (await control("GET", "/config")).json()
    assert config["early_cancel_seconds"] == 120 and config["http_error_codes"] is False
    changed = await control(
        "POST", "/config", json={"numbers_status_format": "new", "early_cancel_seconds": 0}
    )
    assert changed.json()["numbers_status_format"] == "new"
    assert isinstance((await api("getNumbersStatus")).json()["tg"], str)
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    assert (await api("setStatus", id=activation_id, status=8)).text == "ACCESS_CANCEL"
    for bad in (
        {"nope": 1},
        {"numbers_status_format": "xml"},
        {"http_error_codes": "yes"},
        {"max_rent_hours": 1.5},
        {"webhook_url": "ftp://x"},
        {"lifetime_seconds": -1},
    ):
        reply = await control("POST", "/config", json=bad)
        assert reply.status_code == 400, bad
    fine = await control(
        "POST",
        "/config",
        json={
            "forward_surcharge": "3.50",
            "auto_sms_seconds": None,
            "webhook_url": "http://x/y",
            "service_lifetime_seconds": {"tg": 60},
        },
    )
    assert fine.json()["forward_surcharge"] == 3.50
    assert fine.json()["service_lifetime_seconds"] == {"tg": 60.0}


async def test_unknown_route(control: Control) -> None:
    assert (await control("GET", "/nothing")).status_code == 404
    assert (await control("POST", "/sms", json=[1, 2])).status_code == 400
