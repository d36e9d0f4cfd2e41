"""Webhook emission (PROTOCOL.md §7) to a tiny aiohttp receiver on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.webhooks import payload_for

from .helpers import Api


class Receiver:
    """Collects the JSON bodies POSTed to it; answers ``status``, after ``delay`` seconds."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.status = 200
        self.delay = 0.0
        self.url = ""
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        self.bodies.append(json.loads(await request.text()))
        self.paths.append(request.path)
        self.arrived.set()
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield receiver
    await runner.cleanup()


async def _wait(server: SandboxServer, count: int) -> None:
    for _ in range(100):
        if len(server.webhooks.deliveries) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} webhook deliveries, got {server.webhooks.deliveries}")


async def test_activation_webhook(
    api: Api, sandbox_server: SandboxServer, sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.configure(webhook_url=receiver.url + "/sms-hook?token=s3cret")
    _, activation_id, _ = (await api("getNumber", service="tg", country=2)).text.split(":")
    sandbox.deliver_sms(int(activation_id), "Telegram code: 24680")
    await _wait(sandbox_server, 1)
    (payload,) = receiver.bodies
    sms = sandbox.activation(int(activation_id)).messages[0]
    assert payload == {
        "activationId": int(activation_id),
        "service": "tg",
        "text": "Telegram code: 24680",
        "code": "24680",
        "country": 2,
        "receivedAt": payload_for_time(sms.received_at),
    }
    assert receiver.paths == ["/sms-hook"]
    assert sandbox_server.webhooks.deliveries[0].status == 200


def payload_for_time(ts: float) -> str:
    from bot.provider.sandbox.formats import datetime_text

    return datetime_text(ts)


async def test_rent_webhook_goes_to_the_rent_url(
    api: Api, sandbox_server: SandboxServer, sandbox: Sandbox, receiver: Receiver
) -> None:
    reply = await api("getRentNumber", service="vk", url=receiver.url + "/rent-hook")
    rent_id = reply.json()["phone"]["id"]
    sandbox.deliver_rent_sms(rent_id, "VK: 1357", phone_from="VK")
    await _wait(sandbox_server, 1)
    (payload,) = receiver.bodies
    assert receiver.paths == ["/rent-hook"]
    assert payload["rentId"] == rent_id
    assert (payload["phoneFrom"], payload["text"], payload["service"]) == ("VK", "VK: 1357", "vk")
    assert len(payload["date"]) == 19
    # No activation webhook is configured: activation SMS send nothing.
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    sandbox.deliver_sms(int(activation_id), "code 1111")
    await asyncio.sleep(0.1)
    assert len(receiver.bodies) == 1


async def test_a_slow_receiver_never_delays_the_protocol(
    api: Api, sandbox_server: SandboxServer, sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.delay = 0.5
    sandbox.configure(webhook_url=receiver.url + "/slow", webhook_timeout_seconds=2.0)
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    loop = asyncio.get_running_loop()
    started = loop.time()
    sandbox.deliver_sms(int(activation_id), "code 9999")
    assert (await api("getStatus", id=activation_id)).text == "STATUS_OK:9999"
    assert loop.time() - started < 0.4
    assert receiver.bodies == []
    await _wait(sandbox_server, 1)
    assert receiver.bodies[0]["code"] == "9999"


async def test_failures_are_logged_not_raised(
    api: Api,
    sandbox_server: SandboxServer,
    sandbox: Sandbox,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.status = 500
    sandbox.configure(webhook_url=receiver.url + "/broken?secret=abc")
    _, first, _ = (await api("getNumber", service="tg")).text.split(":")
    sandbox.deliver_sms(int(first), "code 1212")
    await _wait(sandbox_server, 1)
    assert sandbox_server.webhooks.deliveries[0].status == 500
    receiver.delay = 1.0
    sandbox.configure(webhook_timeout_seconds=0.1)
    _, second, _ = (await api("getNumber", service="vk")).text.split(":")
    sandbox.deliver_sms(int(second), "code 3434")
    await _wait(sandbox_server, 2)
    assert sandbox_server.webhooks.deliveries[1].error == "TimeoutError"
    sandbox.configure(webhook_url="http://127.0.0.1:9/nobody")
    _, third, _ = (await api("getNumber", service="ot")).text.split(":")
    sandbox.deliver_sms(int(third), "code 5656")
    await _wait(sandbox_server, 3)
    assert sandbox_server.webhooks.deliveries[2].error is not None
    warnings = [r.getMessage() for r in caplog.records if r.name.endswith("webhooks")]
    assert len(warnings) == 3
    assert all("secret" not in w and "/broken" not in w for w in warnings)
    assert (await api("getStatus", id=third)).text == "STATUS_OK:5656"


async def test_webhook_control_route(
    api: Api, sandbox_server: SandboxServer, sandbox: Sandbox, receiver: Receiver
) -> None:
    import httpx

    sandbox.configure(webhook_url=receiver.url + "/x")
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    sandbox.deliver_sms(int(activation_id), "code 4321")
    await _wait(sandbox_server, 1)
    async with httpx.AsyncClient() as http:
        listing = (await http.get(sandbox_server.control_url + "/webhooks")).json()
    assert listing[0]["status"] == 200 and listing[0]["payload"]["code"] == "4321"


def test_listener_errors_do_not_undo_an_sms(caplog: pytest.LogCaptureFixture) -> None:
    from .helpers import buy, frozen_sandbox

    sandbox, _ = frozen_sandbox()
    seen: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("listener bug")

    sandbox.subscribe(broken)
    unsubscribe = sandbox.subscribe(seen.append)
    activation_id = buy(sandbox)
    with caplog.at_level(logging.ERROR):
        sandbox.deliver_sms(activation_id, "code 1234")
    assert sandbox.activation(activation_id).code == "1234"
    assert len(seen) == 1 and payload_for(seen[0])["code"] == "1234"  # type: ignore[arg-type]
    assert "listener failed" in caplog.text
    unsubscribe()
    sandbox.deliver_sms(activation_id, "code 5678")
    assert len(seen) == 1
