"""Fault injection over real HTTP: each kind, counts, 'after' semantics, the control route."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.provider.sandbox import ControlError, Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY

from .helpers import Api, Control


async def test_http_500(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getNumber", "http_500", count=2)
    for _ in range(2):
        reply = await api("getNumber", service="tg")
        assert (reply.status_code, reply.text) == (500, "Internal Server Error")
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")  # not performed
    assert (await api("getNumber", service="tg")).text.startswith("ACCESS_NUMBER:")
    assert [r.fault for r in sandbox.request_log] == ["http_500", "http_500", None]


async def test_faults_hit_only_their_action(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getStatus", "http_500")
    assert (await api("getBalance")).status_code == 200
    assert (await api("getStatus", id=1)).status_code == 500


async def test_html(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getBalance", "html")
    sandbox.inject_fault("getBalance", "html", status=200)
    first, second = await api("getBalance"), await api("getBalance")
    assert first.status_code == 502 and second.status_code == 200
    for reply in (first, second):
        assert reply.headers["content-type"].startswith("text/html")
        assert "<html>" in reply.text and "Bad Gateway" in reply.text


async def test_garbage(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getPrices", "garbage")
    reply = await api("getPrices")
    assert reply.status_code == 200
    assert reply.content.startswith(b"\x00\xff")
    with pytest.raises(ValueError):
        reply.json()


async def test_slow_then_performed(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getBalance", "slow", delay=0.3)
    started = time.monotonic()
    reply = await api("getBalance")
    assert reply.text == "ACCESS_BALANCE:1000.00"
    assert time.monotonic() - started >= 0.3


async def test_slow_after_purchase_is_a_timeout_after_the_sale(
    sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getNumber", "slow", delay=0.8, after=True)
    params = {"api_key": ALICE_KEY, "action": "getNumber", "service": "tg"}
    async with httpx.AsyncClient(timeout=0.2) as client:
        with pytest.raises(httpx.TimeoutException):
            await client.get(sandbox_server.url, params=params)
    # The provider sold the number though the client never heard.
    (activation,) = sandbox.activations.all()
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    assert activation.state.value == "WAIT_CODE"


async def test_drop_before_is_not_performed(
    sandbox_server: SandboxServer, api: Api, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getNumber", "drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await api("getNumber", service="tg")
    assert sandbox.activations.all() == []
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
    assert sandbox.request_log[-1].fault == "drop"
    assert (await api("getNumber", service="tg")).text.startswith("ACCESS_NUMBER:")


async def test_drop_after_is_performed(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getNumberV2", "drop", after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await api("getNumberV2", service="tg", orderId="lost-reply")
    (activation,) = sandbox.activations.all()
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    # What a careful client does next: retry with the same orderId, then reconcile.
    assert (await api("getNumberV2", service="tg", orderId="lost-reply")).text == (
        "ORDER_ALREADY_EXISTS"
    )
    active = (await api("getActiveActivations")).json()["activeActivations"]
    assert [item["activationId"] for item in active] == [str(activation.id)]


async def test_any_action_fault(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("*", "http_500")
    assert (await api("getCountries")).status_code == 500
    assert (await api("getCountries")).status_code == 200


def test_fault_validation(sandbox: Sandbox) -> None:
    cases: list[dict[str, Any]] = [
        {"kind": "explode"},
        {"kind": "slow", "delay": -1.0},
        {"kind": "html", "status": 404},
        {"kind": "http_500", "count": 0},
    ]
    for kwargs in cases:
        with pytest.raises(ControlError):
            sandbox.inject_fault("getBalance", **kwargs)
    with pytest.raises(ControlError):
        sandbox.inject_fault("", "http_500")


async def test_fault_control_routes(api: Api, control: Control) -> None:
    reply = await control(
        "POST", "/faults", json={"action": "getBalance", "kind": "slow", "count": 2, "delay": 0.05}
    )
    assert reply.json() == {"kind": "slow", "delay": 0.05, "after": False, "status": 502}
    await control("POST", "/faults", json={"action": "getNumber", "kind": "drop", "after": True})
    pending = (await control("GET", "/faults")).json()
    assert len(pending["getBalance"]) == 2 and pending["getNumber"][0]["after"] is True
    assert (await api("getBalance")).status_code == 200
    assert len((await control("GET", "/faults")).json()["getBalance"]) == 1
    await control("DELETE", "/faults")
    assert (await control("GET", "/faults")).json() == {}
    bad = await control("POST", "/faults", json={"action": "getBalance", "kind": "boom"})
    assert bad.status_code == 400
    bad_after = await control("POST", "/faults", json={"action": "x", "kind": "drop", "after": 1})
    assert bad_after.status_code == 400


async def test_reply_answers_exactly_the_body_and_is_not_performed(
    api: Api, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getNumber", "reply", count=2, body="NO_YULA_MAIL")
    for _ in range(2):
        reply = await api("getNumber", service="tg")
        assert (reply.status_code, reply.text) == (200, "NO_YULA_MAIL")
        assert reply.headers["content-type"].startswith("text/plain")
    assert sandbox.activations.all() == []
    assert sandbox.balance(ALICE_KEY) == Decimal("1000.00")
    assert (await api("getNumber", service="tg")).text.startswith("ACCESS_NUMBER:")
    log = sandbox.request_log
    assert [(r.fault, r.reply) for r in log[:2]] == [("reply", "NO_YULA_MAIL")] * 2
    assert log[2].fault is None


async def test_reply_with_status_and_content_type(api: Api, sandbox: Sandbox) -> None:
    envelope = '{"title":"NO_NUMBERS","details":"none left"}'
    sandbox.inject_fault(
        "getNumberV2", "reply", body=envelope, status=404, content_type="application/json"
    )
    sandbox.inject_fault("getBalance", "reply", body="")
    reply = await api("getNumberV2", service="tg")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/json"
    assert reply.json() == {"title": "NO_NUMBERS", "details": "none left"}
    empty = await api("getBalance")
    assert (empty.status_code, empty.content) == (200, b"")


async def test_reply_after_is_performed_and_its_answer_replaced(api: Api, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getNumber", "reply", body="ERROR_SQL", after=True)
    assert (await api("getNumber", service="tg")).text == "ERROR_SQL"
    (activation,) = sandbox.activations.all()
    assert sandbox.balance(ALICE_KEY) == Decimal("955.00")
    assert activation.state.value == "WAIT_CODE"
    assert sandbox.request_log[-1].fault == "reply"


async def test_reply_body_echoing_a_key_is_masked_in_the_request_log(
    api: Api, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getBalance", "reply", body=f"BAD_KEY:{ALICE_KEY}")
    assert (await api("getBalance")).text == f"BAD_KEY:{ALICE_KEY}"  # the wire says it all
    (record,) = sandbox.request_log
    assert record.reply == "BAD_KEY:***"
    assert ALICE_KEY not in repr(record.to_json())


def test_reply_fault_validation(sandbox: Sandbox) -> None:
    cases: list[dict[str, Any]] = [
        {"kind": "reply", "status": 199},
        {"kind": "reply", "status": 600},
        {"kind": "reply", "status": 204},
        {"kind": "reply", "content_type": ""},
        {"kind": "reply", "content_type": "text/plain\r\nX-Evil: 1"},
        {"kind": "http_500", "body": "NO_BALANCE"},
        {"kind": "garbage", "content_type": "text/plain"},
    ]
    for kwargs in cases:
        with pytest.raises(ControlError):
            sandbox.inject_fault("getBalance", **kwargs)
    assert sandbox.faults.pending() == {}
    fault = sandbox.inject_fault("getBalance", "reply", body="X", status=503)
    assert fault.to_json() == {
        "kind": "reply",
        "delay": 0.0,
        "after": False,
        "status": 503,
        "body": "X",
        "content_type": "text/plain",
    }


async def test_reply_fault_control_route(api: Api, control: Control) -> None:
    created = await control(
        "POST",
        "/faults",
        json={
            "action": "getStatus",
            "kind": "reply",
            "body": '{"status":"error","msg":"SERVER_ERROR"}',
            "status": 500,
            "content_type": "application/json",
            "count": 2,
        },
    )
    assert created.status_code == 200
    assert created.json()["body"] == '{"status":"error","msg":"SERVER_ERROR"}'
    pending = (await control("GET", "/faults")).json()["getStatus"]
    assert [(f["kind"], f["status"]) for f in pending] == [("reply", 500)] * 2
    reply = await api("getStatus", id=1)
    assert (reply.status_code, reply.json()) == (500, {"status": "error", "msg": "SERVER_ERROR"})
    assert reply.headers["content-type"] == "application/json"
    for bad in (
        {"action": "getStatus", "kind": "reply", "body": 5},
        {"action": "getStatus", "kind": "reply", "status": 100},
        {"action": "getStatus", "kind": "drop", "body": "x"},
    ):
        assert (await control("POST", "/faults", json=bad)).status_code == 400
