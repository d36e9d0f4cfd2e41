"""The whole PROTOCOL §2 table over HTTP: the sandbox's ``reply`` fault speaks every token
(``SECTION_2_TOKENS``, the same table the parser's own tests use), plain and in every JSON
envelope, with 200 and with HeroSMS-like 4xx codes; the client must raise each token's class.

A reply fault performs nothing, so one server and one transport serve the whole module (a
fresh pair per case would cost more than the cases); each case starts with no faults and an
empty request log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest
import pytest_asyncio

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.provider import ProviderClient, ProviderTransport, Timeouts, errors, resolve_endpoint
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, default_test_accounts

from .test_parsing import SECTION_2_TOKENS

pytestmark = pytest.mark.asyncio(loop_scope="module")

ENVELOPES = ["plain", "plain-4xx", "message", "error", "msg", "title-4xx"]
Rejection = type[errors.ProviderRejection]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_server() -> AsyncIterator[SandboxServer]:
    sandbox = Sandbox(clock=ManualClock(), accounts=default_test_accounts())
    async with SandboxServer(sandbox, host="127.0.0.1", port=0) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_client(shared_server: SandboxServer) -> AsyncIterator[ProviderClient]:
    async with ProviderTransport(timeout=Timeouts(5.0)) as transport:
        yield ProviderClient(transport, resolve_endpoint(shared_server.url), Secret(ALICE_KEY))


@pytest.fixture
def fresh(shared_server: SandboxServer) -> Iterator[Sandbox]:
    sandbox = shared_server.sandbox
    sandbox.faults.clear()
    sandbox.clear_request_log()
    yield sandbox
    assert sandbox.faults.pending() == {}  # every injected reply was used


def _reply(token: str, envelope: str) -> tuple[str, int, str]:
    """The body, HTTP status and Content-Type of ``token`` in ``envelope``."""
    if envelope == "plain":
        return token, 200, "text/plain"
    if envelope == "plain-4xx":
        return token, 400, "text/plain"
    if envelope == "title-4xx":
        name, _, payload = token.partition(":")
        return f'{{"title":"{name}","details":"{payload or "refused"}"}}', 409, "application/json"
    return f'{{"status":"error","{envelope}":"{token}"}}', 200, "application/json"


@pytest.mark.parametrize("envelope", ENVELOPES)
@pytest.mark.parametrize(("token", "expected"), SECTION_2_TOKENS.items())
async def test_every_token_on_a_read(
    token: str, expected: Rejection, envelope: str, shared_client: ProviderClient, fresh: Sandbox
) -> None:
    body, status, content_type = _reply(token, envelope)
    fresh.inject_fault("getStatus", "reply", body=body, status=status, content_type=content_type)
    with pytest.raises(expected) as caught:
        await shared_client.get_status("3936040001")
    assert type(caught.value) is expected
    name, _, payload = token.partition(":")
    assert caught.value.token == name
    if payload:
        assert caught.value.detail == payload
    (record,) = fresh.request_log  # a rejection is an answer: never retried
    assert (record.fault, record.status) == ("reply", status)


@pytest.mark.parametrize(("token", "expected"), SECTION_2_TOKENS.items())
async def test_every_token_on_a_paid_call(
    token: str, expected: Rejection, shared_client: ProviderClient, fresh: Sandbox
) -> None:
    fresh.inject_fault("getNumber", "reply", body=token)
    if issubclass(expected, errors.ProviderServerError):
        # The provider's own "internal error" after a purchase request: it may have sold.
        with pytest.raises(errors.OutcomeUnknownError) as unknown:
            await shared_client.get_number("tg", country=0)
        assert unknown.value.action == "getNumber"
    else:
        # Any other rejection is a definite "not bought".
        with pytest.raises(expected) as caught:
            await shared_client.get_number("tg", country=0)
        assert type(caught.value) is expected
    assert [r.action for r in fresh.request_log] == ["getNumber"]  # sent once
    assert fresh.balance(ALICE_KEY) == Decimal("1000.00")
    assert fresh.activations.all() == []
