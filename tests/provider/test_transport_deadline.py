"""A provider call has one deadline for the whole exchange, not one per chunk read.

A provider that answers one byte a second never trips a read timeout (each chunk comes in
time), so without a total deadline one call lasts as long as the provider likes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.secret import Secret
from bot.provider import (
    ProviderClient,
    ProviderTransport,
    RetryPolicy,
    Timeouts,
    errors,
    resolve_endpoint,
)
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY
from tests.trickling import TricklingProvider

DEADLINE = 1.5
"""The transport's timeout: each trickled byte comes well inside it, the whole body never."""


@pytest.fixture
async def trickler(sandbox_server: SandboxServer) -> AsyncIterator[TricklingProvider]:
    async with TricklingProvider(sandbox_server.url, byte_every=0.25) as provider:
        yield provider


async def test_a_trickled_read_fails_after_the_timeout_in_all(trickler: TricklingProvider) -> None:
    trickler.trickle.add("getBalance")
    async with ProviderTransport(
        timeout=Timeouts(DEADLINE, connect=2.0), retry=RetryPolicy(attempts=1)
    ) as transport:
        client = ProviderClient(transport, resolve_endpoint(trickler.url), Secret(ALICE_KEY))
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(errors.ProviderTimeout):
            await asyncio.wait_for(client.get_balance(), timeout=30)
        took = loop.time() - started
    assert DEADLINE - 0.1 <= took < DEADLINE + 1.0, took


async def test_a_trickled_purchase_is_an_unknown_outcome_sent_once(
    trickler: TricklingProvider,
) -> None:
    trickler.trickle.add("getNumber")
    async with ProviderTransport(timeout=Timeouts(DEADLINE, connect=2.0)) as transport:
        client = ProviderClient(transport, resolve_endpoint(trickler.url), Secret(ALICE_KEY))
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(errors.OutcomeUnknownError):
            await asyncio.wait_for(client.get_number("tg", country=0), timeout=30)
        took = loop.time() - started
    assert took < DEADLINE + 1.0, took
    assert trickler.trickled == 1  # a paid call is never sent twice
    # Answered once the transport is healthy: the trickle held no connection hostage.
    trickler.trickle.clear()
    async with ProviderTransport(timeout=Timeouts(DEADLINE, connect=2.0)) as transport:
        client = ProviderClient(transport, resolve_endpoint(trickler.url), Secret(ALICE_KEY))
        assert await client.get_balance() >= 0
