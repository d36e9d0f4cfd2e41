"""Demo mode: SMS (and calls) arrive by themselves, due by the sandbox's clock."""

from __future__ import annotations

import asyncio

from bot.provider.sandbox import ActivationState, Sandbox, SandboxConfig
from bot.provider.sandbox.demo import DemoDriver, demo_text

from .helpers import Api, body, buy, frozen_sandbox, rent


def test_demo_text() -> None:
    assert demo_text("tg", "Telegram", "12345").startswith("Telegram code: 12345.")
    assert "123-456" in demo_text("wa", "WhatsApp", "123456")
    assert demo_text("zz", "Zeta", "55555") == "Your Zeta code is 55555. Do not share it."


def test_driver_delivers_when_due_and_after_each_retry() -> None:
    sandbox, clock = frozen_sandbox(SandboxConfig(auto_sms_seconds=30))
    driver = DemoDriver(sandbox)
    activation_id = buy(sandbox)
    clock.advance(29)
    assert driver.tick() == 0
    clock.advance(1)
    assert driver.tick() == 1
    activation = sandbox.activation(activation_id)
    assert activation.state is ActivationState.CODE_RECEIVED
    first = activation.code
    assert first is not None and first.isdigit() and 5 <= len(first) <= 6
    assert first in activation.messages[0].text
    assert driver.tick() == 0
    assert body(sandbox, "setStatus", id=activation_id, status=3) == "ACCESS_RETRY_GET"
    clock.advance(29)
    assert driver.tick() == 0
    clock.advance(1)
    assert driver.tick() == 1
    assert body(sandbox, "getStatus", id=activation_id).startswith("STATUS_OK:")
    assert len(sandbox.activation(activation_id).messages) == 2


def test_driver_calls_verification_activations_and_texts_rents() -> None:
    sandbox, clock = frozen_sandbox(SandboxConfig(auto_sms_seconds=10))
    driver = DemoDriver(sandbox)
    call_id = buy(sandbox, verification="true")
    rent_id = rent(sandbox, service="full")
    clock.advance(10)
    assert driver.tick() == 2
    assert sandbox.activation(call_id).call is not None
    assert sandbox.rent(rent_id).messages[0].service == "ot"
    clock.advance(10)
    assert driver.tick() == 1  # rents get one every period
    assert len(sandbox.rent(rent_id).messages) == 2


def test_driver_is_idle_without_demo_mode() -> None:
    sandbox, clock = frozen_sandbox()
    buy(sandbox)
    clock.advance(600)
    assert DemoDriver(sandbox).tick() == 0


async def test_server_delivers_demo_sms(api: Api, sandbox: Sandbox) -> None:
    sandbox.configure(auto_sms_seconds=60)
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    await asyncio.sleep(0.25)
    assert (await api("getStatus", id=activation_id)).text == "STATUS_WAIT_CODE"
    sandbox.advance(60)  # the ticker notices within a tick
    for _ in range(30):
        await asyncio.sleep(0.05)
        status = (await api("getStatus", id=activation_id)).text
        if status != "STATUS_WAIT_CODE":
            break
    assert status.startswith("STATUS_OK:")
    full = (await api("getFullSms", id=activation_id)).text
    assert full.startswith("FULL_SMS:Telegram code: ")
