"""The official ``smsactivate`` 1.5 library, unmodified, against the sandbox: the emulator
speaks the wire format the provider's own client expects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from smsactivate.api import SMSActivateAPI

from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY


@pytest.fixture
def client(sandbox_server: SandboxServer) -> SMSActivateAPI:
    api = SMSActivateAPI(ALICE_KEY)
    api._SMSActivateAPI__api_url = sandbox_server.url  # its endpoint is a private attribute
    return api


async def _run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    # The library is synchronous (requests); the server runs on this event loop.
    return await asyncio.to_thread(function, *args, **kwargs)


async def test_activation_flow(client: SMSActivateAPI, sandbox: Sandbox) -> None:
    assert await _run(client.getBalance) == {"balance": "1000.00"}
    assert await _run(client.getBalanceAndCashBack) == {"balance": "1000.00"}
    bought = await _run(client.getNumber, service="tg", country=0)
    activation_id = bought["activation_id"]
    assert activation_id > 2**31 and str(bought["phone"]).startswith("79")
    assert await _run(client.getStatus, id=activation_id) == "STATUS_WAIT_CODE"
    assert await _run(client.setStatus, id=activation_id, status=1) == "ACCESS_READY"
    sandbox.deliver_sms(activation_id, "Telegram code: 12345")
    assert await _run(client.getStatus, id=activation_id) == "STATUS_OK:12345"
    assert await _run(client.getFullSms, id=activation_id) == "FULL_SMS:Telegram code: 12345"
    active = await _run(client.getActiveActivations)
    assert active["activeActivations"][0]["smsCode"] == "12345"
    assert await _run(client.setStatus, id=activation_id, status=6) == "ACCESS_ACTIVATION"
    assert (await _run(client.getActiveActivations))["error"] == "NO_ACTIVATIONS"


async def test_errors_are_the_ones_it_knows(client: SMSActivateAPI, sandbox: Sandbox) -> None:
    sandbox.set_stock(0, "tg", 0)
    assert (await _run(client.getNumber, service="tg", country=0))["error"] == "NO_NUMBERS"
    assert (await _run(client.getNumber, service="zz"))["error"] == "BAD_SERVICE"
    assert (await _run(client.getStatus, id=1))["error"] == "NO_ACTIVATION"
    assert (await _run(client.getIncomingCallStatus, id=1))["error"] == "INVALID_ACTIVATION_ID"
    bad = SMSActivateAPI("wrong")
    bad._SMSActivateAPI__api_url = client._SMSActivateAPI__api_url
    assert (await _run(bad.getBalance))["error"] == "BAD_KEY"


async def test_catalogue_calls(client: SMSActivateAPI) -> None:
    assert (await _run(client.getNumbersStatus, country=0))["tg_0"] > 0
    prices = await _run(client.getPrices, service="tg", country=0)
    assert prices["0"]["tg"]["cost"] == 45.0
    assert (await _run(client.getCountries))["0"]["eng"] == "Russia"
    assert "0" in (await _run(client.getOperators, country=0))["countryOperators"]
    top = await _run(client.getTopCountriesByService, service="tg", freePrice="true")
    assert "freePriceMap" in top["0"]
    multi = await _run(client.getMultiServiceNumber, service="vk,av", forward="0,1", country=0)
    assert [item["service"] for item in multi] == ["vk", "av"]


async def test_rent_and_extras(client: SMSActivateAPI, sandbox: Sandbox) -> None:
    services = await _run(client.getRentServicesAndCountries, time=4, country=0)
    assert "full" in services["services"]
    rented = await _run(client.getRentNumber, service="vk", time=4, country=0)
    rent_id = rented["phone"]["id"]
    assert (await _run(client.getRentStatus, id=rent_id))["message"] == "STATUS_WAIT_CODE"
    sandbox.deliver_rent_sms(rent_id, "VK: 5555")
    assert (await _run(client.getRentStatus, id=rent_id))["quantity"] == "1"
    assert (await _run(client.getRentList))["values"]["0"]["id"] == str(rent_id)
    assert (await _run(client.getContinueRentPriceNumber, id=rent_id))["price"] == 21.6
    assert (await _run(client.continueRentNumber, id=rent_id, time=12))["status"] == "success"
    assert await _run(client.setRentStatus, id=rent_id, status=1) == {"status": "success"}
    parent = (await _run(client.getNumber, service="av", forward=1, country=0))["activation_id"]
    sandbox.deliver_sms(parent, "Avito: 2468")
    extra = await _run(client.getAdditionalService, id=parent, service="ya")
    assert extra["phone"] == int(sandbox.activation(parent).phone)
    task = await _run(client.createTaskForCall, parent)
    assert task["status"] == "success" and "message" in task
    assert str(parent) in await _run(client.getOutgoingCalls)


async def test_another_code_flow(client: SMSActivateAPI, sandbox: Sandbox) -> None:
    """buy -> code -> ANOTHER CODE (setStatus 3) -> second code -> finish."""
    bought = await _run(client.getNumber, service="tg", country=0)
    activation_id = bought["activation_id"]
    assert activation_id > 2**31
    sandbox.deliver_sms(activation_id, "Telegram code: 11111")
    assert await _run(client.getStatus, id=activation_id) == "STATUS_OK:11111"
    assert await _run(client.setStatus, id=activation_id, status=3) == "ACCESS_RETRY_GET"
    assert await _run(client.getStatus, id=activation_id) == "STATUS_WAIT_RETRY:11111"
    active = (await _run(client.getActiveActivations))["activeActivations"]
    assert [(a["activationId"], a["activationStatus"]) for a in active] == [
        (str(activation_id), "3")
    ]
    sandbox.deliver_sms(activation_id, "Telegram code: 22222")
    assert await _run(client.getStatus, id=activation_id) == "STATUS_OK:22222"
    assert await _run(client.getFullSms, id=activation_id) == "FULL_SMS:Telegram code: 22222"
    assert await _run(client.setStatus, id=activation_id, status=6) == "ACCESS_ACTIVATION"
    # The library files STATUS_CANCEL under errors (its quirk, PROTOCOL §2): a finished one.
    assert (await _run(client.getStatus, id=activation_id))["error"] == "STATUS_CANCEL"
    # One charge for both codes: status 3 is free.
    assert await _run(client.getBalance) == {"balance": "955.00"}
    assert (await _run(client.getActiveActivations))["error"] == "NO_ACTIVATIONS"
    statuses = [r.params.get("status") for r in sandbox.request_log if r.action == "setStatus"]
    assert statuses == ["3", "6"]


async def test_rent_flow(client: SMSActivateAPI, sandbox: Sandbox) -> None:
    """getRentServicesAndCountries -> getRentNumber -> SMS -> getRentStatus ->
    continueRentNumber -> setRentStatus finish."""
    offer = await _run(client.getRentServicesAndCountries, time=4, country=0)
    price = offer["services"]["tg"]["cost"]
    assert isinstance(price, float) and offer["services"]["tg"]["quant"] > 0
    assert "0" in offer["countries"] and "any" in offer["operators"].values()
    rented = await _run(client.getRentNumber, service="tg", time=4, country=0)
    assert rented["status"] == "success"
    rent_id, phone = rented["phone"]["id"], rented["phone"]["number"]
    first_end = rented["phone"]["endDate"]
    assert phone == sandbox.rent(rent_id).phone and "T" in first_end
    waiting = await _run(client.getRentStatus, id=rent_id)
    assert waiting == {"status": "error", "message": "STATUS_WAIT_CODE"}
    sandbox.deliver_rent_sms(rent_id, "Telegram code 31337", phone_from="79990001122")
    sandbox.advance(60)
    sandbox.deliver_rent_sms(rent_id, "Telegram code 73313", phone_from="79990001122")
    status = await _run(client.getRentStatus, id=rent_id)
    assert status["status"] == "success" and status["quantity"] == "2"
    assert [status["values"][k]["text"] for k in ("0", "1")] == [
        "Telegram code 73313",
        "Telegram code 31337",
    ]
    extension = await _run(client.getContinueRentPriceNumber, id=rent_id)
    extended = await _run(client.continueRentNumber, id=rent_id, time=4)
    assert extended["status"] == "success" and extended["phone"]["id"] == rent_id
    assert extended["phone"]["endDate"] > first_end
    assert sandbox.rent(rent_id).hours == 8
    assert await _run(client.setRentStatus, id=rent_id, status=1) == {"status": "success"}
    assert (await _run(client.getRentStatus, id=rent_id))["message"] == "STATUS_FINISH"
    assert (await _run(client.getRentList))["message"] == "NO_NUMBERS"
    spent = sandbox.catalog.rent_price(0, "tg", 4) + sandbox.catalog.rent_price(0, "tg", 4)
    assert price == float(sandbox.catalog.rent_price(0, "tg", 4))
    assert extension["price"] == float(sandbox.catalog.rent_price(0, "tg", 4))
    assert await _run(client.getBalance) == {"balance": f"{Decimal('1000.00') - spent:.2f}"}
