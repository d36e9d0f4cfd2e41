"""The transport's money rules over real HTTP, proven with the sandbox's faults and request log.

* A read-only call is retried on a 5xx, an HTML error page (5xx) and a dropped connection, and
  then succeeds; it gives up after three tries.
* A PAID call is sent exactly once whatever happens, and anything short of a readable answer is
  an ``OutcomeUnknownError`` (``TransportError`` only when the request provably never left).
  ``drop``/``slow``/``reply`` with ``after=True`` show why: the provider did sell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from bot.core.secret import Secret
from bot.provider import PAID_ACTIONS, ProviderClient, ProviderTransport, Timeouts, errors
from bot.provider.models import ActivationAction, ActivationStatus, StatusKind
from bot.provider.presets import ProviderEndpoint
from bot.provider.sandbox import Sandbox
from bot.provider.sandbox.testing import ALICE_KEY

from .conftest import FAST_RETRY, IMPATIENT_SECONDS

ClientFactory = Callable[..., ProviderClient]
Purchase = Callable[[ProviderClient], Awaitable[object]]

SLOW_SECONDS = IMPATIENT_SECONDS + 0.1
"""A ``slow`` fault's delay: long enough for the impatient transport to give up."""
SETTLE_SECONDS = SLOW_SECONDS - IMPATIENT_SECONDS + 0.05
"""How long a test waits, after giving up, for the sandbox's slow answer to finish."""


# --- reads are retried ---------------------------------------------------------------------

RETRIED: list[tuple[str, dict[str, Any]]] = [
    ("http_500", {}),
    ("html", {}),
    ("html", {"status": 503}),
    ("drop", {}),
    ("drop", {"after": True}),
]


@pytest.mark.parametrize(
    ("kind", "options"), RETRIED, ids=["http_500", "html", "html-503", "drop", "drop-after"]
)
async def test_a_read_is_retried_and_succeeds(
    kind: str, options: dict[str, Any], any_client: ProviderClient, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getBalance", kind, count=2, **options)
    assert await any_client.get_balance() == Decimal("1000.00")
    assert [(r.action, r.fault) for r in sandbox.request_log] == [
        ("getBalance", kind),
        ("getBalance", kind),
        ("getBalance", None),
    ]


async def test_a_read_gives_up_after_three_tries(client: ProviderClient, sandbox: Sandbox) -> None:
    sandbox.inject_fault("getStatus", "http_500", count=3)
    with pytest.raises(errors.ProviderUnavailableError) as unavailable:
        await client.get_status("3936040001")
    assert unavailable.value.status_code == 500
    sandbox.inject_fault("getPrices", "drop", count=3)
    with pytest.raises(errors.TransportError) as dropped:
        await client.get_prices()
    assert type(dropped.value) is errors.TransportError
    assert [r.action for r in sandbox.request_log] == ["getStatus"] * 3 + ["getPrices"] * 3
    assert sandbox.faults.pending() == {}


async def test_a_slow_read_times_out_on_every_try(
    make_client: ClientFactory, impatient_transport: ProviderTransport, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getBalance", "slow", count=3, delay=SLOW_SECONDS)
    with pytest.raises(errors.ProviderTimeout):
        await make_client(transport=impatient_transport).get_balance()
    await asyncio.sleep(SETTLE_SECONDS)  # let the last slow handler finish
    assert [r.fault for r in sandbox.request_log] == ["slow"] * 3
    sandbox.inject_fault("getBalance", "slow", delay=SLOW_SECONDS)
    # One slow try, then a quick one: the read still succeeds.
    assert await make_client(transport=impatient_transport).get_balance() == Decimal("1000.00")


@pytest.mark.parametrize(("kind", "options"), [("garbage", {}), ("html", {"status": 200})])
async def test_a_readable_failure_is_not_retried(
    kind: str, options: dict[str, Any], client: ProviderClient, sandbox: Sandbox
) -> None:
    # A 200 answer came back: there is nothing to gain from asking again.
    sandbox.inject_fault("getBalance", kind, **options)
    with pytest.raises(errors.UnexpectedReplyError):
        await client.get_balance()
    assert len(sandbox.request_log) == 1


async def test_set_status_is_retried_after_a_5xx(client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 1234")
    sandbox.inject_fault("setStatus", "http_500")
    await client.set_status(bought.activation_id, ActivationAction.FINISH)
    assert [r.fault for r in sandbox.request_log if r.action == "setStatus"] == ["http_500", None]


async def test_a_lost_reply_to_a_state_change_is_retried_into_a_refusal(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    # setStatus is not paid, so it is retried; when the lost first try WAS carried out, the
    # retry meets the new state. The caller learns the truth from getStatus, never a charge.
    bought = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 1234")
    sandbox.inject_fault("setStatus", "drop", after=True)
    with pytest.raises(errors.StateConflictError):
        await client.set_status(bought.activation_id, ActivationAction.FINISH)
    assert await client.get_status(bought.activation_id) == ActivationStatus(StatusKind.CANCELLED)
    assert await client.get_balance() == Decimal("955.00")


# --- paid calls are sent once --------------------------------------------------------------


@dataclass(frozen=True)
class Paid:
    """A paid action: how to set it up, and what a sale of it adds."""

    action: str
    prepare: Callable[[ProviderClient, Sandbox], Awaitable[Purchase]]
    activations: int = 0  # new live activations after a sale
    rents: int = 0  # new live rents after a sale


async def _number(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    return lambda c: c.get_number("tg", country=0)


async def _number_v2(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    return lambda c: c.get_number_v2("tg", country=0)


async def _multi(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    return lambda c: c.get_multi_service_number(["vk", "tg"], country=0)


async def _rent(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    return lambda c: c.get_rent_number("tg", 4, country=0)


async def _extend(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    rent = await client.get_rent_number("tg", 4, country=0)
    return lambda c: c.continue_rent_number(rent.rent_id, 4)


async def _additional(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    parent = await client.get_number("av", country=0, forward=True)
    sandbox.deliver_sms(int(parent.activation_id), "Avito 2468")
    return lambda c: c.get_additional_service(parent.activation_id, "ya")


async def _extra(client: ProviderClient, sandbox: Sandbox) -> Purchase:
    parent = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(parent.activation_id), "code 2468")
    await client.set_status(parent.activation_id, ActivationAction.FINISH)
    return lambda c: c.get_extra_activation(parent.activation_id)


PAID = [
    Paid("getNumber", _number, activations=1),
    Paid("getNumberV2", _number_v2, activations=1),
    Paid("getMultiServiceNumber", _multi, activations=2),
    Paid("getRentNumber", _rent, rents=1),
    Paid("continueRentNumber", _extend),
    Paid("getAdditionalService", _additional, activations=1),
    Paid("getExtraActivation", _extra, activations=1),
]

# (fault kind, options, whether the provider carried the purchase out)
FAULTS: dict[str, tuple[str, dict[str, Any], bool]] = {
    "http_500": ("http_500", {}, False),
    "html": ("html", {}, False),
    "garbage": ("garbage", {}, False),
    "drop": ("drop", {}, False),
    "drop-after": ("drop", {"after": True}, True),
    "slow-after": ("slow", {"delay": SLOW_SECONDS, "after": True}, True),
    "ERROR_SQL": ("reply", {"body": "ERROR_SQL"}, False),
    "ERROR_SQL-after": ("reply", {"body": "ERROR_SQL", "after": True}, True),
}


def test_the_matrix_covers_every_paid_action() -> None:
    assert {paid.action for paid in PAID} == PAID_ACTIONS


def _impatient() -> ProviderTransport:
    return ProviderTransport(
        timeout=Timeouts(IMPATIENT_SECONDS, connect=2.0), retry=FAST_RETRY
    )


async def _holdings(client: ProviderClient) -> tuple[int, int, Decimal]:
    """What the account holds, as the client sees it."""
    return (
        len(await client.get_active_activations()),
        len(await client.get_rent_list()),
        await client.get_balance(),
    )


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
@pytest.mark.parametrize("paid", PAID, ids=[p.action for p in PAID])
async def test_a_paid_call_is_sent_once_and_its_outcome_is_unknown(
    paid: Paid,
    fault: tuple[str, dict[str, Any], bool],
    client: ProviderClient,
    make_client: ClientFactory,
    sandbox: Sandbox,
) -> None:
    kind, options, carried_out = fault
    purchase = await paid.prepare(client, sandbox)
    before = await _holdings(client)
    sandbox.clear_request_log()
    sandbox.inject_fault(paid.action, kind, **options)

    with pytest.raises(errors.OutcomeUnknownError) as caught:
        if kind == "slow":
            async with _impatient() as transport:
                await purchase(make_client(transport=transport))
        else:
            await purchase(client)

    assert caught.value.action == paid.action
    assert [(r.action, r.fault) for r in sandbox.request_log] == [(paid.action, kind)]
    activations, rents, balance = await _holdings(client)
    if carried_out:
        # The provider DID sell: this is why the client must never retry a purchase.
        assert (activations, rents) == (before[0] + paid.activations, before[1] + paid.rents)
        assert balance < before[2]
    else:
        assert (activations, rents, balance) == before
    assert [r.action for r in sandbox.request_log].count(paid.action) == 1
    if kind == "slow":
        await asyncio.sleep(SETTLE_SECONDS)  # let the sandbox finish its slow answer


@pytest.mark.parametrize("paid", PAID, ids=[p.action for p in PAID])
async def test_a_paid_call_that_never_left_is_a_transport_error(
    paid: Paid,
    client: ProviderClient,
    sandbox: Sandbox,
    closed_endpoint: ProviderEndpoint,
) -> None:
    purchase = await paid.prepare(client, sandbox)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with ProviderTransport(retry=FAST_RETRY, sleep=sleep) as transport:
        nowhere = ProviderClient(transport, closed_endpoint, Secret(ALICE_KEY))
        with pytest.raises(errors.TransportError) as caught:
            await purchase(nowhere)
        assert type(caught.value) is errors.TransportError  # connection refused: nothing sold
        assert waits == []  # and not retried
        with pytest.raises(errors.TransportError):
            await nowhere.get_balance()
        assert len(waits) == FAST_RETRY.attempts - 1  # a read is retried


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("getRentNumber", '{"status":"error","message":"SQL_ERROR"}'),
        ("getNumberV2", '{"status":"error","error":"SERVER_ERROR"}'),
    ],
)
async def test_a_server_error_envelope_on_a_paid_call_is_unknown(
    action: str, body: str, client: ProviderClient, sandbox: Sandbox
) -> None:
    sandbox.inject_fault(action, "reply", body=body, content_type="application/json")
    buy = next(p for p in PAID if p.action == action)
    with pytest.raises(errors.OutcomeUnknownError):
        await (await buy.prepare(client, sandbox))(client)
    assert len(sandbox.request_log) == 1


async def test_after_an_unknown_outcome_the_sale_is_found_by_reconciling(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    sandbox.inject_fault("getNumberV2", "drop", after=True)
    with pytest.raises(errors.OutcomeUnknownError):
        await client.get_number_v2("tg", country=0, order_id="order-7")
    (found,) = await client.get_active_activations()  # what the caller must do next
    assert found.service == "tg" and found.cost == Decimal("45.00")
    # A careless retry with the same order id is refused instead of buying twice.
    with pytest.raises(errors.StateConflictError) as again:
        await client.get_number_v2("tg", country=0, order_id="order-7")
    assert again.value.token == "ORDER_ALREADY_EXISTS"
    assert await client.get_balance() == Decimal("955.00")


async def test_an_http_timeout_is_not_taken_for_never_sent(
    sandbox: Sandbox, make_client: ClientFactory
) -> None:
    # A pool or connect timeout means "never sent"; a read timeout does not.
    async with _impatient() as transport:
        sandbox.inject_fault("getRentNumber", "slow", delay=SLOW_SECONDS)  # performed after
        with pytest.raises(errors.OutcomeUnknownError) as caught:
            await make_client(transport=transport).get_rent_number("tg", 4, country=0)
        assert "no reply in time" in str(caught.value)
        await asyncio.sleep(SETTLE_SECONDS)
    # It WAS carried out, after the client had stopped listening.
    assert len(sandbox.rents.all()) == 1


async def test_a_paid_call_over_get_on_a_reused_connection_is_sent_once(
    make_client: ClientFactory, get_endpoint: ProviderEndpoint, sandbox: Sandbox
) -> None:
    # HTTP clients may resend a GET, "idempotent", when a kept-alive connection dies under
    # it (aiohttp does by default); getNumber over GET is not idempotent at all.
    client = make_client(endpoint_=get_endpoint)
    await client.get_balance()  # opens the connection the purchase will reuse
    sandbox.inject_fault("getNumber", "drop", after=True)
    with pytest.raises(errors.OutcomeUnknownError):
        await client.get_number("tg", country=0)
    assert [r.action for r in sandbox.request_log] == ["getBalance", "getNumber"]
