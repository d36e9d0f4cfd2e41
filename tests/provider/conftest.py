"""Fixtures of the provider client tests: our client, over real loopback HTTP, against the sandbox.

The transport is the real one (aiohttp, pooled), pointed at
``sandbox_server.url`` through ``resolve_endpoint``; only its timeouts and retry waits are
shortened so the suite stays fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.core.secret import Secret
from bot.provider import ProviderClient, ProviderTransport, RetryPolicy, Timeouts, resolve_endpoint
from bot.provider.presets import HttpMethod, ProviderEndpoint
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY
from tests.ports import unused_port

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
"""Three tries in all, as in production, with waits of at most 20 ms."""

IMPATIENT_SECONDS = 0.15
"""The read timeout of ``impatient_transport``: shorter than any ``slow`` fault in the tests."""

ClientFactory = Callable[..., ProviderClient]


@pytest.fixture
async def provider_transport() -> AsyncIterator[ProviderTransport]:
    """The real pooled transport, closed after the test."""
    transport = ProviderTransport(timeout=Timeouts(5.0, connect=2.0), retry=FAST_RETRY)
    yield transport
    await transport.aclose()


@pytest.fixture
async def impatient_transport() -> AsyncIterator[ProviderTransport]:
    """A transport that gives up reading after ``IMPATIENT_SECONDS`` (for ``slow`` faults)."""
    transport = ProviderTransport(
        timeout=Timeouts(IMPATIENT_SECONDS, connect=2.0), retry=FAST_RETRY
    )
    yield transport
    await transport.aclose()


@pytest.fixture(params=["POST", "GET"])
def http_method(request: pytest.FixtureRequest) -> HttpMethod:
    """Runs a test once with the default POST endpoint and once with a GET-only one."""
    method: HttpMethod = request.param
    return method


@pytest.fixture
def endpoint(sandbox_server: SandboxServer) -> ProviderEndpoint:
    """The sandbox as a custom POST endpoint."""
    found = resolve_endpoint(sandbox_server.url)
    assert (found.name, found.method, found.url) == ("custom", "POST", sandbox_server.url)
    return found


@pytest.fixture
def get_endpoint(sandbox_server: SandboxServer) -> ProviderEndpoint:
    """The sandbox as a custom endpoint that sends everything, the key too, in the query."""
    found = resolve_endpoint(sandbox_server.url, method="GET")
    assert found.method == "GET"
    return found


@pytest.fixture
def make_client(provider_transport: ProviderTransport, endpoint: ProviderEndpoint) -> ClientFactory:
    """``make_client(key=ALICE_KEY, endpoint=None, transport=None)``: a client of that key."""

    def make(
        key: str = ALICE_KEY,
        endpoint_: ProviderEndpoint | None = None,
        transport: ProviderTransport | None = None,
    ) -> ProviderClient:
        return ProviderClient(transport or provider_transport, endpoint_ or endpoint, Secret(key))

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> ProviderClient:
    """Alice's client over POST."""
    return make_client()


@pytest.fixture
def any_client(
    make_client: ClientFactory,
    http_method: HttpMethod,
    endpoint: ProviderEndpoint,
    get_endpoint: ProviderEndpoint,
) -> ProviderClient:
    """Alice's client, over POST and then over GET (the test runs twice)."""
    return make_client(endpoint_=endpoint if http_method == "POST" else get_endpoint)


@pytest.fixture
def closed_endpoint() -> ProviderEndpoint:
    """An endpoint on a loopback port nothing listens on: connections are refused."""
    port = unused_port()
    return resolve_endpoint(f"http://127.0.0.1:{port}")
