"""The request log, and the promise that no API key reaches a log record or the request log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BANNED_KEY, BOB_KEY, POOR_KEY

from .helpers import Api, Control

KEYS = (ALICE_KEY, BOB_KEY, POOR_KEY, BANNED_KEY, "not-a-real-key-123")


async def test_request_log_records_without_keys(
    api: Api, control: Control, sandbox: Sandbox
) -> None:
    await api("getBalance")
    await api("getNumber", service="tg", method="POST")
    await api("getBalance", key="not-a-real-key-123")
    await api("getBalance", key=None)
    log = sandbox.request_log
    assert [(r.method, r.action, r.account, r.status) for r in log] == [
        ("GET", "getBalance", "alice", 200),
        ("POST", "getNumber", "alice", 200),
        ("GET", "getBalance", None, 200),
        ("GET", "getBalance", None, 200),
    ]
    assert dict(log[1].params) == {"action": "getNumber", "service": "tg"}
    assert log[1].reply.startswith("ACCESS_NUMBER:")
    assert log[2].reply == "BAD_KEY"
    served = await control("GET", "/requests")
    assert len(served.json()) == 4
    for key in KEYS:
        assert key not in served.text
        assert all(key not in repr(record) for record in log)
    await control("DELETE", "/requests")
    assert sandbox.request_log == ()


async def test_misspelled_key_params_are_masked(api: Api, sandbox: Sandbox) -> None:
    await api("getBalance", apiKey=ALICE_KEY, note=BOB_KEY)
    params = sandbox.request_log[-1].params
    assert params["apiKey"] == "***" and params["note"] == "***"


async def test_no_log_record_holds_a_key(
    api: Api,
    control: Control,
    sandbox_server: SandboxServer,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.configure(auto_sms_seconds=0.01, webhook_url="http://127.0.0.1:9/hook")
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    await api("getStatus", id=activation_id, method="POST")
    await api("getRentNumber", service="vk", url="http://127.0.0.1:9/rent")
    await api("getBalance", key="not-a-real-key-123")
    await control("GET", f"/accounts/{ALICE_KEY}")
    await control("POST", "/accounts", json={"api_key": "fresh-key-xyz", "balance": "1"})
    sandbox.inject_fault("getBalance", "drop")
    with pytest.raises(Exception):  # noqa: B017 - whichever transport error httpx raises
        await api("getBalance")
    sandbox.deliver_sms(int(activation_id), "code 1234")
    for _ in range(50):  # the webhooks fail (nothing listens on port 9) and log it
        await asyncio.sleep(0.02)
        if len(sandbox_server.webhooks.deliveries) >= 2:
            break
    ours = [r for r in caplog.records if r.name.startswith(("bot", "aiohttp"))]
    assert any(r.name.endswith("webhooks") for r in ours)
    for record in ours:
        text = record.getMessage() + str(record.args) + str(record.exc_info)
        for key in (*KEYS, "fresh-key-xyz"):
            assert key not in text, record.name
