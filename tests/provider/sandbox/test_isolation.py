"""A user acts only on their own activations and rents (over HTTP)."""

from __future__ import annotations

from bot.provider.sandbox import ActivationState, RentState, Sandbox
from bot.provider.sandbox.testing import BOB_KEY

from .helpers import Api


async def test_activations_are_private(api: Api, sandbox: Sandbox) -> None:
    _, alice_id, _ = (await api("getNumber", service="tg")).text.split(":")
    sandbox.advance(200)
    for action, params in [
        ("getStatus", {}),
        ("getStatusV2", {}),
        ("getFullSms", {}),
        ("setStatus", {"status": "8"}),
        ("setStatus", {"status": "1"}),
    ]:
        assert (await api(action, key=BOB_KEY, id=alice_id, **params)).text == "NO_ACTIVATION"
    assert (await api("getIncomingCallStatus", key=BOB_KEY, id=alice_id)).text == (
        "INVALID_ACTIVATION_ID"
    )
    assert (await api("getActiveActivations", key=BOB_KEY)).json()["error"] == "NO_ACTIVATIONS"
    assert sandbox.activation(int(alice_id)).state is ActivationState.WAIT_CODE
    assert (await api("getBalance", key=BOB_KEY)).text == "ACCESS_BALANCE:100.00"


async def test_rents_are_private(api: Api, sandbox: Sandbox) -> None:
    alice_rent = (await api("getRentNumber", service="vk")).json()["phone"]["id"]
    for action, params in [
        ("getRentStatus", {}),
        ("setRentStatus", {"status": "2"}),
        ("continueRentNumber", {"rent_time": "4"}),
        ("getContinueRentPriceNumber", {}),
    ]:
        reply = (await api(action, key=BOB_KEY, id=alice_rent, **params)).json()
        assert reply == {"status": "error", "message": "INVALID_PHONE"}, action
    assert (await api("getRentList", key=BOB_KEY)).json()["message"] == "NO_NUMBERS"
    assert sandbox.rent(alice_rent).state is RentState.ACTIVE
