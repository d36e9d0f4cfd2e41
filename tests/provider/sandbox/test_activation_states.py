"""The activation state machine of PROTOCOL.md §5, driven directly (no HTTP), on a frozen clock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.provider.sandbox import ActivationState, Sandbox, SandboxConfig
from bot.provider.sandbox.testing import ALICE_KEY

from .helpers import body, buy, data, frozen_sandbox

S = ActivationState
TG_PRICE = Decimal("45.00")
NO_ACTIVATIONS = {"status": "error", "error": "NO_ACTIVATIONS"}


def _in_state(state: ActivationState, config: SandboxConfig | None = None) -> tuple[Sandbox, int]:
    """A sandbox holding one activation in ``state``, 300 s after its purchase."""
    sandbox, clock = frozen_sandbox(config)
    activation_id = buy(sandbox)
    clock.advance(300)
    if state is S.READY:
        assert body(sandbox, "setStatus", id=activation_id, status=1) == "ACCESS_READY"
    elif state in (S.CODE_RECEIVED, S.WAIT_RETRY, S.FINISHED):
        sandbox.deliver_sms(activation_id, "Telegram code: 11111")
        if state is S.WAIT_RETRY:
            assert body(sandbox, "setStatus", id=activation_id, status=3) == "ACCESS_RETRY_GET"
        if state is S.FINISHED:
            assert body(sandbox, "setStatus", id=activation_id, status=6) == "ACCESS_ACTIVATION"
    elif state is S.WAIT_RESEND:
        sandbox.request_resend(activation_id)
    elif state is S.CANCELLED:
        assert body(sandbox, "setStatus", id=activation_id, status=8) == "ACCESS_CANCEL"
    assert sandbox.activation(activation_id).state is state
    return sandbox, activation_id


# Every cell of PROTOCOL.md §5.2: (from, status) -> (reply, state after).
TABLE = [
    (S.WAIT_CODE, 1, "ACCESS_READY", S.READY),
    (S.WAIT_CODE, 3, "BAD_STATUS", S.WAIT_CODE),
    (S.WAIT_CODE, 6, "BAD_STATUS", S.WAIT_CODE),
    (S.WAIT_CODE, 8, "ACCESS_CANCEL", S.CANCELLED),
    (S.READY, 1, "ACCESS_READY", S.READY),
    (S.READY, 3, "BAD_STATUS", S.READY),
    (S.READY, 6, "BAD_STATUS", S.READY),
    (S.READY, 8, "ACCESS_CANCEL", S.CANCELLED),
    (S.CODE_RECEIVED, 1, "BAD_STATUS", S.CODE_RECEIVED),
    (S.CODE_RECEIVED, 3, "ACCESS_RETRY_GET", S.WAIT_RETRY),
    (S.CODE_RECEIVED, 6, "ACCESS_ACTIVATION", S.FINISHED),
    (S.CODE_RECEIVED, 8, "BAD_STATUS", S.CODE_RECEIVED),
    (S.WAIT_RETRY, 1, "BAD_STATUS", S.WAIT_RETRY),
    (S.WAIT_RETRY, 3, "ACCESS_RETRY_GET", S.WAIT_RETRY),
    (S.WAIT_RETRY, 6, "ACCESS_ACTIVATION", S.FINISHED),
    (S.WAIT_RETRY, 8, "BAD_STATUS", S.WAIT_RETRY),
    (S.WAIT_RESEND, 1, "BAD_STATUS", S.WAIT_RESEND),
    (S.WAIT_RESEND, 3, "BAD_STATUS", S.WAIT_RESEND),
    (S.WAIT_RESEND, 6, "ACCESS_ACTIVATION", S.FINISHED),
    (S.WAIT_RESEND, 8, "BAD_STATUS", S.WAIT_RESEND),
    (S.CANCELLED, 1, "BAD_STATUS", S.CANCELLED),
    (S.CANCELLED, 3, "BAD_STATUS", S.CANCELLED),
    (S.CANCELLED, 6, "BAD_STATUS", S.CANCELLED),
    (S.CANCELLED, 8, "BAD_STATUS", S.CANCELLED),
    (S.FINISHED, 1, "BAD_STATUS", S.FINISHED),
    (S.FINISHED, 3, "BAD_STATUS", S.FINISHED),
    (S.FINISHED, 6, "BAD_STATUS", S.FINISHED),
    (S.FINISHED, 8, "BAD_STATUS", S.FINISHED),
]


@pytest.mark.parametrize(("start", "status", "reply", "after"), TABLE)
def test_set_status_table(
    start: ActivationState, status: int, reply: str, after: ActivationState
) -> None:
    sandbox, activation_id = _in_state(start)
    assert body(sandbox, "setStatus", id=activation_id, status=status) == reply
    assert sandbox.activation(activation_id).state is after


@pytest.mark.parametrize("status", [1, 3, 6, 8])
def test_unknown_id_is_no_activation(status: int) -> None:
    sandbox, _ = frozen_sandbox()
    assert body(sandbox, "setStatus", id=3_999_999_999, status=status) == "NO_ACTIVATION"
    assert body(sandbox, "setStatus", id="not-a-number", status=status) == "NO_ACTIVATION"
    assert body(sandbox, "getStatus", id=3_999_999_999) == "NO_ACTIVATION"


def test_minus_one_is_cancel_and_two_is_bad_status() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE)
    assert body(sandbox, "setStatus", id=activation_id, status=2) == "BAD_STATUS"
    assert body(sandbox, "setStatus", id=activation_id, status="x") == "BAD_STATUS"
    assert body(sandbox, "setStatus", id=activation_id, status=-1) == "ACCESS_CANCEL"
    assert sandbox.activation(activation_id).state is S.CANCELLED


def test_retry_refused_where_the_country_has_no_retry() -> None:
    sandbox, _ = frozen_sandbox()
    activation_id = buy(sandbox, service="tg", country=3)  # China: retry = 0
    sandbox.deliver_sms(activation_id, "code 4444")
    assert body(sandbox, "setStatus", id=activation_id, status=3) == "BAD_STATUS"
    assert sandbox.activation(activation_id).state is S.CODE_RECEIVED


def test_six_without_code_cancel_option_refunds() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE, SandboxConfig(six_without_code="cancel"))
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - TG_PRICE
    assert body(sandbox, "setStatus", id=activation_id, status=6) == "ACCESS_ACTIVATION"
    assert sandbox.activation(activation_id).state is S.CANCELLED
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")


# -- getStatus tokens (§5.1) ----------------------------------------------------------------


# What getStatus answers in each state (the code of _in_state is 11111).
STATUS_TOKENS = {
    S.WAIT_CODE: "STATUS_WAIT_CODE",
    S.READY: "STATUS_WAIT_CODE",
    S.CODE_RECEIVED: "STATUS_OK:11111",
    S.WAIT_RETRY: "STATUS_WAIT_RETRY:11111",
    S.WAIT_RESEND: "STATUS_WAIT_RESEND",
    S.CANCELLED: "STATUS_CANCEL",
    S.FINISHED: "STATUS_CANCEL",
}


@pytest.mark.parametrize(("state", "token"), STATUS_TOKENS.items())
def test_get_status_tokens(state: ActivationState, token: str) -> None:
    sandbox, activation_id = _in_state(state)
    assert body(sandbox, "getStatus", id=activation_id) == token


def test_finished_status_token_knob() -> None:
    config = SandboxConfig(finished_status_token="STATUS_OK")
    sandbox, activation_id = _in_state(S.FINISHED, config)
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_OK:11111"


def test_new_sms_in_wait_retry_gives_the_new_code() -> None:
    sandbox, activation_id = _in_state(S.WAIT_RETRY)
    sandbox.deliver_sms(activation_id, "Telegram code: 22222")
    assert sandbox.activation(activation_id).state is S.CODE_RECEIVED
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_OK:22222"


def test_sms_text_with_colons_round_trips() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE)
    text = "Code: 98765. Valid till 12:30: do not share"
    sandbox.deliver_sms(activation_id, text)
    status = body(sandbox, "getStatus", id=activation_id)
    assert status.split(":", 1) == ["STATUS_OK", "98765"]
    full = body(sandbox, "getFullSms", id=activation_id)
    assert full.split(":", 1) == ["FULL_SMS", text]


def test_explicit_code_wins_over_the_text() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE)
    sandbox.deliver_sms(activation_id, "Your code is 12345", code="ABC-9")
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_OK:ABC-9"


# -- timing and money (§5.3) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "reply"),
    [
        (0, "EARLY_CANCEL_DENIED"),
        (119, "EARLY_CANCEL_DENIED"),
        (119.999, "EARLY_CANCEL_DENIED"),
        (120, "ACCESS_CANCEL"),
        (121, "ACCESS_CANCEL"),
    ],
)
def test_early_cancel_boundary(age: float, reply: str) -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox)
    clock.advance(age)
    assert body(sandbox, "setStatus", id=activation_id, status=8) == reply


def test_early_cancel_knob() -> None:
    sandbox, _ = frozen_sandbox(SandboxConfig(early_cancel_seconds=0))
    activation_id = buy(sandbox)
    assert body(sandbox, "setStatus", id=activation_id, status=8) == "ACCESS_CANCEL"


def test_purchase_debits_and_cancel_refunds_in_full() -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox)
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    clock.advance(121)
    body(sandbox, "setStatus", id=activation_id, status=8)
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
    assert sandbox.activation(activation_id).refunded == TG_PRICE


def test_expiry_without_code_cancels_and_refunds() -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox)
    clock.advance(1199)
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_WAIT_CODE"
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    clock.advance(1)
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_CANCEL"
    activation = sandbox.activation(activation_id)
    assert activation.state is S.CANCELLED
    assert activation.end_reason == "expired"
    assert activation.ended_at == activation.deadline
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")


def test_expiry_after_a_code_finishes_and_keeps_the_charge() -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox)
    sandbox.deliver_sms(activation_id, "code 55555")
    clock.advance(1200)
    assert sandbox.activation(activation_id).state is S.FINISHED
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")


def test_expiry_in_wait_retry_finishes_with_the_charge_kept() -> None:
    sandbox, activation_id = _in_state(S.WAIT_RETRY)
    sandbox.advance(1200)
    assert sandbox.activation(activation_id).state is S.FINISHED
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")


def test_no_refund_once_a_code_came() -> None:
    sandbox, activation_id = _in_state(S.CODE_RECEIVED)
    assert body(sandbox, "setStatus", id=activation_id, status=8) == "BAD_STATUS"
    assert body(sandbox, "setStatus", id=activation_id, status=6) == "ACCESS_ACTIVATION"
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")


def test_status_three_is_free_and_keeps_the_deadline() -> None:
    sandbox, activation_id = _in_state(S.CODE_RECEIVED)
    deadline = sandbox.activation(activation_id).deadline
    balance = sandbox.balance(ALICE_KEY)
    body(sandbox, "setStatus", id=activation_id, status=3)
    assert sandbox.activation(activation_id).deadline == deadline
    assert sandbox.balance(ALICE_KEY) == balance


@pytest.mark.parametrize(
    ("service", "lifetime"), [("tg", 1200), ("ya", 2400), ("ig", 3600), ("wx", 3600)]
)
def test_lifetime_per_service(service: str, lifetime: int) -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox, service=service)
    clock.advance(lifetime - 1)
    assert not sandbox.activation(activation_id).state.terminal
    clock.advance(1)
    assert sandbox.activation(activation_id).state is S.CANCELLED


def test_lifetime_knob() -> None:
    sandbox, clock = frozen_sandbox(SandboxConfig(lifetime_seconds=60))
    activation_id = buy(sandbox)
    clock.advance(60)
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_CANCEL"


def test_sweep_refunds_without_anyone_asking() -> None:
    sandbox, clock = frozen_sandbox()
    first, second = buy(sandbox), buy(sandbox, service="vk")
    clock.advance(1300)
    assert sandbox.sweep() == 2
    assert sandbox.sweep() == 0
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
    assert {sandbox.activation(i).state for i in (first, second)} == {S.CANCELLED}


# -- getStatusV2, getFullSms, getActiveActivations --------------------------------------------


def test_get_status_v2() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE)
    assert data(sandbox, "getStatusV2", id=activation_id) == {
        "verificationType": 1,
        "sms": None,
        "call": None,
    }
    sandbox.deliver_sms(activation_id, "Telegram code: 31337")
    reply = data(sandbox, "getStatusV2", id=activation_id)
    assert reply["sms"] == {
        "dateTime": "2025-06-15 15:11:40",
        "code": "31337",
        "text": "Telegram code: 31337",
    }
    assert reply["call"] is None


def test_get_status_v2_of_a_cancelled_activation() -> None:
    sandbox, activation_id = _in_state(S.CANCELLED)
    assert body(sandbox, "getStatusV2", id=activation_id) == "STATUS_CANCEL"
    assert body(sandbox, "getStatusV2", id=1) == "NO_ACTIVATION"


def test_get_full_sms() -> None:
    sandbox, activation_id = _in_state(S.WAIT_CODE)
    assert body(sandbox, "getFullSms", id=activation_id) == "STATUS_WAIT_CODE"
    sandbox.deliver_sms(activation_id, "code 777777")
    assert body(sandbox, "getFullSms", id=activation_id) == "FULL_SMS:code 777777"
    _, cancelled = _in_state(S.CANCELLED)
    assert body(_, "getFullSms", id=cancelled) == "STATUS_CANCEL"


def test_active_activations_classic() -> None:
    sandbox, _ = frozen_sandbox()
    assert data(sandbox, "getActiveActivations") == NO_ACTIVATIONS
    waiting, coded, retrying, done = (buy(sandbox) for _ in range(4))
    sandbox.deliver_sms(coded, "code 1234")
    sandbox.deliver_sms(retrying, "code 5678")
    body(sandbox, "setStatus", id=retrying, status=3)
    sandbox.deliver_sms(done, "code 9999")
    body(sandbox, "setStatus", id=done, status=6)
    reply = data(sandbox, "getActiveActivations")
    assert reply["status"] == "success"
    items = {item["activationId"]: item for item in reply["activeActivations"]}
    assert set(items) == {str(waiting), str(coded), str(retrying)}
    assert items[str(waiting)]["activationStatus"] == "1"
    assert items[str(coded)]["activationStatus"] == "2"
    assert items[str(retrying)]["activationStatus"] == "3"
    assert items[str(waiting)]["smsCode"] is None and items[str(waiting)]["smsText"] is None
    assert items[str(coded)] == {
        "activationId": str(coded),
        "serviceCode": "tg",
        "phoneNumber": sandbox.activation(coded).phone,
        "activationCost": "45.00",
        "activationStatus": "2",
        "smsCode": "1234",
        "smsText": "code 1234",
        "activationTime": "2025-06-15 15:06:40",
        "discount": "0.00",
        "repeated": "0",
        "countryCode": "0",
        "countryName": "Russia",
        "canGetAnotherSms": "1",
    }
    for item in items.values():
        assert all(isinstance(v, str) for k, v in item.items() if k not in ("smsCode", "smsText"))


def test_active_activations_hero_format() -> None:
    sandbox, _ = frozen_sandbox(SandboxConfig(active_activations_format="hero"))
    activation_id = buy(sandbox)
    reply = data(sandbox, "getActiveActivations")
    assert set(reply) == {"status", "data"}
    (item,) = reply["data"]
    assert item["activationId"] == activation_id
    assert item["activationCost"] == 45.0
    assert item["currency"] == 643


def test_active_activations_only_for_the_caller() -> None:
    sandbox, _ = frozen_sandbox()
    buy(sandbox)
    assert data(sandbox, "getActiveActivations", key="test-key-bob") == NO_ACTIVATIONS


# -- call verification ------------------------------------------------------------------


def test_call_verification() -> None:
    sandbox, clock = frozen_sandbox()
    activation_id = buy(sandbox, service="tg", verification="true")
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00") - Decimal("67.50")
    reply = data(sandbox, "getIncomingCallStatus", id=activation_id)
    assert reply == {"status": "2", "phone": False}
    sandbox.deliver_call(activation_id, "+79161234567")
    assert data(sandbox, "getIncomingCallStatus", activationId=activation_id) == {
        "status": "2",
        "phone": "79161234567",
    }
    assert body(sandbox, "getStatus", id=activation_id) == "STATUS_OK:4567"
    v2 = data(sandbox, "getStatusV2", id=activation_id)
    assert v2["verificationType"] == 2
    assert v2["call"]["from"] == "79161234567" and v2["call"]["code"] == "4567"
    # Once the call has come, the status cannot change (seed); it finishes on expiry.
    clock.advance(600)
    for status in (1, 3, 6, 8):
        assert body(sandbox, "setStatus", id=activation_id, status=status) == "BAD_STATUS"
    clock.advance(600)
    assert data(sandbox, "getIncomingCallStatus", id=activation_id)["status"] == "3"


def test_incoming_call_status_errors() -> None:
    sandbox, clock = frozen_sandbox()
    plain = buy(sandbox)
    assert body(sandbox, "getIncomingCallStatus", id=plain) == "NOT_INCOMING"
    assert body(sandbox, "getIncomingCallStatus", id=123) == "INVALID_ACTIVATION_ID"
    assert body(sandbox, "getIncomingCallStatus") == "INVALID_ACTIVATION_ID"
    cancelled = buy(sandbox, verification="true")
    clock.advance(121)
    body(sandbox, "setStatus", id=cancelled, status=8)
    assert data(sandbox, "getIncomingCallStatus", id=cancelled)["status"] == "4"
