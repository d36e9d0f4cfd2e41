"""getAdditionalService, get/checkExtraActivation, createTaskForCall and getOutgoingCalls."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.provider.sandbox import ActivationState
from bot.provider.sandbox.testing import ALICE_KEY, BANNED_KEY, BOB_KEY

from .helpers import body, buy, data, frozen_sandbox


def test_additional_service() -> None:
    sandbox, _ = frozen_sandbox()
    parent = buy(sandbox, service="av", forward=1)
    assert body(sandbox, "getAdditionalService", id=parent, service="ya") == "WRONG_SECURITY"
    sandbox.deliver_sms(parent, "Avito code 1234")
    balance = sandbox.balance(ALICE_KEY)
    reply = body(sandbox, "getAdditionalService", id=parent, service="ya")
    token, child_id, phone = reply.split(":")
    assert token == "ADDITIONAL"
    child = sandbox.activation(int(child_id))
    assert phone == sandbox.activation(parent).phone == child.phone
    assert (child.service, child.parent_id, child.cost) == ("ya", parent, Decimal("5.00"))
    assert sandbox.balance(ALICE_KEY) == balance - Decimal("5.00")
    assert body(sandbox, "getStatus", id=child.id) == "STATUS_WAIT_CODE"
    repeat = body(sandbox, "getAdditionalService", id=parent, service="ya")
    assert repeat == "REPEAT_ADDITIONAL_SERVICE"
    same = body(sandbox, "getAdditionalService", id=parent, service="av")
    assert same == "REPEAT_ADDITIONAL_SERVICE"


def test_additional_service_errors() -> None:
    sandbox, _ = frozen_sandbox()
    plain = buy(sandbox, service="av")
    sandbox.deliver_sms(plain, "code 1111")
    forwarded = buy(sandbox, service="av", forward=1)
    sandbox.deliver_sms(forwarded, "code 2222")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"id": 42, "service": "ya"}, "WRONG_ACTIVATION_ID"),
        ({"service": "ya"}, "WRONG_ACTIVATION_ID"),
        ({"id": forwarded, "service": "tg"}, "WRONG_ADDITIONAL_SERVICE"),
        ({"id": forwarded, "service": "zz"}, "WRONG_ADDITIONAL_SERVICE"),
        ({"id": plain, "service": "ya"}, "WRONG_SECURITY"),
    ]
    for params, error in cases:
        assert body(sandbox, "getAdditionalService", **params) == error
    assert body(sandbox, "getAdditionalService", key=BOB_KEY, id=forwarded, service="ya") == (
        "WRONG_ACTIVATION_ID"
    )
    body(sandbox, "setStatus", id=forwarded, status=6)
    assert body(sandbox, "getAdditionalService", id=forwarded, service="ya") == "WRONG_SECURITY"
    sandbox.set_balance(ALICE_KEY, "18.99")  # 12.00 + 2.00 forwarding, then 4.99 left
    parent = buy(sandbox, service="av", forward=1)
    sandbox.deliver_sms(parent, "code 3333")
    assert body(sandbox, "getAdditionalService", id=parent, service="ym") == "NO_BALANCE"
    assert sandbox.balance(ALICE_KEY) == Decimal("4.99")


def test_banned_account_cannot_buy_additional_or_extra() -> None:
    sandbox, _ = frozen_sandbox()
    assert body(sandbox, "getAdditionalService", key=BANNED_KEY, id=1, service="ya").startswith(
        "BANNED:"
    )
    assert body(sandbox, "getExtraActivation", key=BANNED_KEY, activationId=1).startswith("BANNED:")


def test_extra_activation() -> None:
    sandbox, _ = frozen_sandbox()
    parent = buy(sandbox, service="vk", country=1)
    assert body(sandbox, "checkExtraActivation", activationId=parent) == (
        "RENEW_ACTIVATION_NOT_AVAILABLE"
    )
    assert body(sandbox, "getExtraActivation", activationId=parent) == (
        "RENEW_ACTIVATION_NOT_AVAILABLE"
    )
    sandbox.deliver_sms(parent, "VK: 5555")
    assert body(sandbox, "setStatus", id=parent, status=6) == "ACCESS_ACTIVATION"
    phone = sandbox.activation(parent).phone
    assert data(sandbox, "checkExtraActivation", activationId=parent) == {
        "status": "success",
        "cost": 14.4,
        "service": "vk",
        "phone": int(phone),
        "country": 1,
    }
    balance = sandbox.balance(ALICE_KEY)
    token, child_id, child_phone = body(sandbox, "getExtraActivation", id=parent).split(":")
    assert token == "ACCESS_NUMBER" and child_phone == phone
    child = sandbox.activation(int(child_id))
    assert child.repeated and child.parent_id == parent
    assert sandbox.balance(ALICE_KEY) == balance - Decimal("14.40")
    # The number is busy with the new activation now.
    assert body(sandbox, "getExtraActivation", activationId=parent) == "NEW_ACTIVATION_IMPOSSIBLE"
    items = data(sandbox, "getActiveActivations")["activeActivations"]
    assert [item["repeated"] for item in items] == ["1"]


def test_extra_activation_errors() -> None:
    sandbox, clock = frozen_sandbox()
    assert body(sandbox, "getExtraActivation", activationId=7) == "WRONG_ACTIVATION_ID"
    assert body(sandbox, "checkExtraActivation") == "WRONG_ACTIVATION_ID"
    cancelled = buy(sandbox)
    clock.advance(200)
    body(sandbox, "setStatus", id=cancelled, status=8)
    assert body(sandbox, "getExtraActivation", activationId=cancelled) == (
        "RENEW_ACTIVATION_NOT_AVAILABLE"
    )
    finished = buy(sandbox)
    sandbox.deliver_sms(finished, "code 8888")
    clock.advance(1200)  # expiry after a code finishes it: that counts as success
    assert sandbox.activation(finished).state is ActivationState.FINISHED
    assert body(sandbox, "getExtraActivation", key=BOB_KEY, activationId=finished) == (
        "WRONG_ACTIVATION_ID"
    )
    sandbox.set_balance(ALICE_KEY, "44.99")
    assert body(sandbox, "getExtraActivation", activationId=finished) == "NO_BALANCE"
    sandbox.set_balance(ALICE_KEY, "45")
    assert body(sandbox, "getExtraActivation", activationId=finished).startswith("ACCESS_NUMBER:")


def test_call_tasks() -> None:
    sandbox, _ = frozen_sandbox()
    activation_id = buy(sandbox)
    assert data(sandbox, "getOutgoingCalls") == {}
    reply = data(sandbox, "createTaskForCall", activationId=activation_id, phone="79001112233")
    assert reply["status"] == "success" and "msg" in reply
    assert body(sandbox, "createTaskForCall", activationId=activation_id) == (
        "CALL_TASK_ALREADY_EXIST"
    )
    calls = data(sandbox, "getOutgoingCalls")
    assert calls == {
        str(activation_id): {
            "date": "2025-06-15 15:06:40",
            "phoneFrom": sandbox.activation(activation_id).phone,
            "status": "IN_PROCESS",
        }
    }
    assert data(sandbox, "getOutgoingCalls", activationId=activation_id) == calls
    assert data(sandbox, "getOutgoingCalls", activationId=activation_id + 1) == {}
    assert data(sandbox, "getOutgoingCalls", date="2025-06-15") == calls
    assert data(sandbox, "getOutgoingCalls", date="2025-06-14") == {}
    assert data(sandbox, "getOutgoingCalls", key=BOB_KEY) == {}
    assert body(sandbox, "getOutgoingCalls", date="15.06.2025") == "ERROR_SQL"


def test_call_task_errors() -> None:
    sandbox, clock = frozen_sandbox()
    assert body(sandbox, "createTaskForCall", activationId=5) == "WRONG_ACTIVATION_ID"
    activation_id = buy(sandbox)
    assert body(sandbox, "createTaskForCall", key=BOB_KEY, activationId=activation_id) == (
        "WRONG_ACTIVATION_ID"
    )
    assert body(sandbox, "createTaskForCall", activationId=activation_id, phone="call-me") == (
        "NUMBER_NOT_EXIST"
    )
    clock.advance(1200)
    assert body(sandbox, "createTaskForCall", activationId=activation_id) == "NUMBER_NOT_EXIST"
