"""The protocol over real loopback HTTP: methods, parameter merging, keys, content types."""

from __future__ import annotations

import httpx
import pytest

from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY

from .helpers import Api


async def test_get_and_post(api: Api) -> None:
    for method in ("GET", "POST"):
        reply = await api("getBalance", method=method)
        assert (reply.status_code, reply.text) == (200, "ACCESS_BALANCE:1000.00")
        assert reply.headers["content-type"].startswith("text/plain")


async def test_query_and_body_merge_and_the_body_wins(
    sandbox_server: SandboxServer, http: httpx.AsyncClient
) -> None:
    url = sandbox_server.url
    # The key in the query string, the action in the body.
    reply = await http.post(url, params={"api_key": ALICE_KEY}, data={"action": "getBalance"})
    assert reply.text == "ACCESS_BALANCE:1000.00"
    # A clash: the body's key (Bob) wins over the query's (Alice).
    reply = await http.post(
        url,
        params={"api_key": ALICE_KEY, "action": "getNumber"},
        data={"api_key": BOB_KEY, "action": "getBalance"},
    )
    assert reply.text == "ACCESS_BALANCE:100.00"
    # [AIO] style: a POST with everything in the query string.
    reply = await http.post(url, params={"api_key": BOB_KEY, "action": "getBalance"})
    assert reply.text == "ACCESS_BALANCE:100.00"


async def test_key_and_action_errors(api: Api) -> None:
    assert (await api("getBalance", key=None)).text == "NO_KEY"
    assert (await api("getBalance", key="")).text == "NO_KEY"
    assert (await api("getBalance", key="wrong")).text == "BAD_KEY"
    assert (await api("getNumber", key="wrong", service="tg")).text == "BAD_KEY"
    assert (await api("getbalance")).text == "BAD_ACTION"  # action names are case-sensitive
    assert (await api("")).text == "BAD_ACTION"
    assert (await api("getBalance", key=None)).status_code == 200


@pytest.mark.parametrize(
    "action",
    [
        "getHistory",
        "parseCall",
        "getQiwiRequisites",
        "continueRentInfo",
        "buyPartnerProduct",
        "getAllSms",
        "finishActivation",
        "cancelActivation",
        "reactivate",
        "reactivationPrice",
        "serviceCountRent",
        "getTopCountriesByServiceRank",
    ],
)
async def test_other_actions_are_bad_action(api: Api, action: str) -> None:
    assert (await api(action)).text == "BAD_ACTION"


async def test_unknown_params_are_ignored(api: Api) -> None:
    reply = await api("getNumber", service="tg", ref="partner-7", json="1", useCashBack="false")
    assert reply.text.startswith("ACCESS_NUMBER:")


async def test_json_content_type(api: Api) -> None:
    reply = await api("getCountries")
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert reply.json()["0"]["eng"] == "Russia"


async def test_a_whole_activation_over_http(api: Api, sandbox: Sandbox) -> None:
    _, activation_id, phone = (await api("getNumber", service="wa", country=16)).text.split(":")
    assert phone.startswith("447")
    assert (await api("setStatus", id=activation_id, status=1)).text == "ACCESS_READY"
    assert (await api("getStatus", id=activation_id)).text == "STATUS_WAIT_CODE"
    sandbox.deliver_sms(int(activation_id), "Your WhatsApp code: 123-456")
    assert (await api("getStatus", id=activation_id, method="POST")).text == "STATUS_OK:123456"
    assert (await api("setStatus", id=activation_id, status=6)).text == "ACCESS_ACTIVATION"
    assert (await api("getActiveActivations")).json()["error"] == "NO_ACTIVATIONS"


async def test_http_error_codes(api: Api, sandbox: Sandbox) -> None:
    sandbox.configure(http_error_codes=True)
    cases = [
        (await api("getBalance", key="wrong"), 401, "BAD_KEY"),
        (await api("getBalance", key=None), 401, "NO_KEY"),
        (await api("getNumber", key="test-key-poor", service="tg"), 402, "NO_BALANCE"),
        (await api("getStatus", id=1), 404, "NO_ACTIVATION"),
        (await api("getNumber", service="zz"), 400, "BAD_SERVICE"),
        (await api("getBalance2"), 400, "BAD_ACTION"),
        (await api("getNumber", key="test-key-banned", service="tg"), 400, None),
        (await api("getRentList"), 404, None),
    ]
    for reply, status, text in cases:
        assert reply.status_code == status, reply.text
        if text is not None:
            assert reply.text == text
    assert (await api("getRentList")).json() == {"status": "error", "message": "NO_NUMBERS"}
    _, activation_id, _ = (await api("getNumber", service="tg")).text.split(":")
    early = await api("setStatus", id=activation_id, status=8)
    assert (early.status_code, early.text) == (409, "EARLY_CANCEL_DENIED")
    bad = await api("setStatus", id=activation_id, status=3)
    assert (bad.status_code, bad.text) == (409, "BAD_STATUS")
    ok = await api("getStatus", id=activation_id)
    assert (ok.status_code, ok.text) == (200, "STATUS_WAIT_CODE")
    rent = (await api("getRentNumber", service="vk")).json()["phone"]["id"]
    waiting = await api("getRentStatus", id=rent)
    assert waiting.status_code == 200 and waiting.json()["message"] == "STATUS_WAIT_CODE"


async def test_two_servers_are_independent(api: Api) -> None:
    async with SandboxServer(port=0) as other, httpx.AsyncClient() as http:
        assert other.port != 0
        reply = await http.get(other.url, params={"api_key": ALICE_KEY, "action": "getBalance"})
        assert reply.text == "BAD_KEY"
    assert (await api("getBalance")).text == "ACCESS_BALANCE:1000.00"
