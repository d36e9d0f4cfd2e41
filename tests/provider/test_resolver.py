"""Public addresses only for user-chosen providers, judged on every connection (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.core.secret import Secret
from bot.provider import (
    AddressRefusedError,
    OutcomeUnknownError,
    ProviderClient,
    ProviderTransport,
    Timeouts,
    TransportError,
    resolve_endpoint,
)
from bot.provider.resolver import AddressGuard, is_public
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY
from tests.provider.conftest import FAST_RETRY

PUBLIC = "93.184.215.14"

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "169.254.169.254",
    "100.64.0.1",  # shared (carrier-grade NAT)
    "224.0.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fe80::1",
    "ff02::1",
    "fc00::1",
    "fec0::1",  # site-local: "global" to Python 3.11
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",  # IPv4-mapped
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address
    "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]

ACCEPTED = [
    PUBLIC,
    "8.8.8.8",
    "2606:4700::1111",
    "::ffff:93.184.215.14",
    "64:ff9b::5db8:d70e",  # NAT64 of a public address
    "2002:5db8:d70e::1",  # 6to4 of a public address
]


@pytest.mark.parametrize("text", REFUSED)
def test_an_address_off_the_public_internet_is_refused(text: str) -> None:
    assert not is_public(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_public_address_is_accepted(text: str) -> None:
    assert is_public(ipaddress.ip_address(text))


class RebindingResolver(AbstractResolver):
    """Answers a public address the first time, then 127.0.0.1: DNS rebinding."""

    def __init__(self) -> None:
        self.asked = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked += 1
        address = PUBLIC if self.asked == 1 else "127.0.0.1"
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": 0,
            }
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
async def rebinding() -> AsyncIterator[tuple[ProviderTransport, RebindingResolver]]:
    resolver = RebindingResolver()
    transport = ProviderTransport(
        timeout=Timeouts(5.0, connect=2.0),
        retry=FAST_RETRY,
        address_guard=AddressGuard(resolver=resolver),
    )
    yield transport, resolver
    await transport.aclose()


async def test_a_name_that_rebinds_to_loopback_after_the_check_reaches_nothing(
    sandbox_server: SandboxServer, rebinding: tuple[ProviderTransport, RebindingResolver]
) -> None:
    transport, resolver = rebinding
    url = sandbox_server.url.replace("127.0.0.1", "rebind.test")
    endpoint = resolve_endpoint(url)
    guard = transport.address_guard
    assert guard is not None and guard.guards(endpoint)
    await guard.check_host(url)  # what /provider checks: public, at that moment
    client = ProviderClient(transport, endpoint, Secret(ALICE_KEY))
    with pytest.raises(AddressRefusedError):
        await client.get_balance()
    # A paid call is refused before anything leaves: a plain "not sent", nothing to reconcile.
    with pytest.raises(TransportError) as paid:
        await client.get_number("tg", country=0)
    assert isinstance(paid.value, AddressRefusedError)
    assert not isinstance(paid.value, OutcomeUnknownError)
    assert resolver.asked > 2, "every connection asked the resolver again"
    assert sandbox_server.sandbox.request_log == ()


async def test_a_private_literal_is_refused_unless_it_is_the_operators_own(
    sandbox_server: SandboxServer,
) -> None:
    endpoint = resolve_endpoint(sandbox_server.url)  # http://127.0.0.1:<port>/…
    guarded = ProviderTransport(retry=FAST_RETRY, address_guard=AddressGuard())
    trusted = ProviderTransport(
        retry=FAST_RETRY, address_guard=AddressGuard(trusted=(endpoint.key,))
    )
    try:
        with pytest.raises(AddressRefusedError):
            await ProviderClient(guarded, endpoint, Secret(ALICE_KEY)).get_balance()
        assert sandbox_server.sandbox.request_log == ()
        balance = await ProviderClient(trusted, endpoint, Secret(ALICE_KEY)).get_balance()
        assert balance > 0
    finally:
        await guarded.aclose()
        await trusted.aclose()
