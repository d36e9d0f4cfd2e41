"""The API key never leaks: not into a log record (root, httpx, httpcore, bot, all at DEBUG),
not into an exception (its str, repr, args or attributes, along its whole chain), not into a
result or a client's repr, not even when the provider echoes the key back in its reply.

One full flow runs over POST and over GET (where the key rides in the URL), with purchases,
codes, a rent, error replies, transport failures and unexpected replies.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from bot.core.secret import Secret
from bot.provider import ProviderClient, ProviderTransport, errors
from bot.provider.models import ActivationAction
from bot.provider.presets import ProviderEndpoint
from bot.provider.sandbox import Sandbox

from .conftest import FAST_RETRY

KEY = "sk_live_7Hq2-Z9wXv4Lm8Np3Rt6Yb1Cd5Fg0Jk"
"""Carol's key: long and distinctive, so any fragment of it is easy to spot."""
WRONG_KEY = "sk_live_WRONG-0a1b2c3d4e5f6a7b8c9d0e1f"
"""A key the provider does not know: still the user's secret."""
LOGGERS = ("", "httpx", "httpcore", "aiohttp", "bot")


class _Collector(logging.Handler):
    """Keeps every record and its fully formatted text (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.texts.append(f"{record.msg!r} {record.args!r}")


@pytest.fixture
def collector(caplog: pytest.LogCaptureFixture) -> Iterator[_Collector]:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    handler = _Collector()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def _leaks(text: str) -> list[str]:
    """The forms of a key found in ``text``: as is, URL-quoted, or a long enough fragment."""
    found = []
    for secret in (KEY, WRONG_KEY):
        forms = {secret, quote(secret), quote_plus(secret), secret[:12], secret[-12:]}
        found += [form for form in forms if form in text]
    return found


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


class Flow:
    """Runs calls, keeping every result and every exception for inspection."""

    def __init__(self) -> None:
        self.results: list[object] = []
        self.failures: list[BaseException] = []

    async def ok(self, call: Awaitable[Any]) -> Any:
        result = await call
        self.results.append(result)
        return result

    async def fails(self, call: Awaitable[object], expected: type[Exception]) -> Exception:
        with pytest.raises(expected) as caught:
            await call
        self.failures.append(caught.value)
        return caught.value


async def _full_flow(client: ProviderClient, nowhere: ProviderClient, sandbox: Sandbox) -> Flow:
    flow = Flow()
    await flow.ok(client.get_balance())
    bought = await flow.ok(client.get_number("tg", country=0))
    await flow.ok(client.get_status(bought.activation_id))
    sandbox.deliver_sms(int(bought.activation_id), "Telegram code: 12345")
    await flow.ok(client.get_status(bought.activation_id))
    await flow.ok(client.get_active_activations())
    await flow.ok(client.set_status(bought.activation_id, ActivationAction.FINISH))
    await flow.ok(client.get_number_v2("tg", country=0))
    rent = await flow.ok(client.get_rent_number("tg", 4, country=0))
    sandbox.deliver_rent_sms(int(rent.rent_id), "hello 4242")
    await flow.ok(client.get_rent_status(rent.rent_id))
    await flow.ok(client.finish_rent(rent.rent_id))

    # Error replies.
    await flow.fails(client.get_number("zz", country=0), errors.InvalidRequestError)
    await flow.fails(client.get_status("3936040001"), errors.NotFoundError)
    await flow.fails(client.get_rent_status("1"), errors.NotFoundError)
    # Transport failures: refused, dropped (read and paid), 5xx, timeouts of a paid call.
    await flow.fails(nowhere.get_balance(), errors.TransportError)
    await flow.fails(nowhere.get_number("tg"), errors.TransportError)
    sandbox.inject_fault("getBalance", "drop", count=3)
    await flow.fails(client.get_balance(), errors.TransportError)
    sandbox.inject_fault("getNumber", "drop")
    await flow.fails(client.get_number("tg"), errors.OutcomeUnknownError)
    sandbox.inject_fault("getPrices", "http_500", count=3)
    await flow.fails(client.get_prices(), errors.ProviderUnavailableError)
    # Unexpected replies.
    sandbox.inject_fault("getBalance", "garbage")
    await flow.fails(client.get_balance(), errors.UnexpectedReplyError)
    sandbox.inject_fault("getCountries", "html", count=3)
    await flow.fails(client.get_countries(), errors.ProviderUnavailableError)
    sandbox.inject_fault("getNumber", "reply", body="SOMETHING_NEW:1:2")
    await flow.fails(client.get_number("tg"), errors.OutcomeUnknownError)

    # The provider echoes the key back, in every way a reply can carry it.
    echoes: list[tuple[str, str, str, type[Exception]]] = [
        ("getBalance", f"Invalid api_key {KEY}", "text/plain", errors.UnexpectedReplyError),
        ("getBalance", f"BAD_KEY:{KEY}", "text/plain", errors.AuthenticationError),
        (
            "getRentList",
            f'{{"status":"error","message":"BAD_KEY","info":"{KEY}"}}',
            "application/json",
            errors.AuthenticationError,
        ),
        (
            "getRentList",
            f'{{"title":"INVALID_PHONE","details":"not rented by {KEY}"}}',
            "application/json",
            errors.NotFoundError,
        ),
        ("getBalance", f"<html><body>key={KEY}</body></html>", "text/html", errors.ProviderError),
        # The key straddling the point where the kept excerpt of a reply is cut.
        ("getBalance", "x" * 285 + KEY + "y" * 50, "text/plain", errors.UnexpectedReplyError),
        ("getNumber", f"Unknown key {KEY}", "text/plain", errors.OutcomeUnknownError),
    ]
    for action, body, content_type, expected in echoes:
        sandbox.inject_fault(action, "reply", body=body, content_type=content_type)
        call = {
            "getBalance": client.get_balance,
            "getRentList": client.get_rent_list,
            "getNumber": lambda: client.get_number("tg"),
        }[action]()
        await flow.fails(call, expected)
    return flow


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_the_key_never_leaks(
    method: str,
    collector: _Collector,
    caplog: pytest.LogCaptureFixture,
    provider_transport: ProviderTransport,
    endpoint: ProviderEndpoint,
    get_endpoint: ProviderEndpoint,
    closed_endpoint: ProviderEndpoint,
    sandbox: Sandbox,
) -> None:
    sandbox.add_account(KEY, "1000.00", name="carol")
    chosen = endpoint if method == "POST" else get_endpoint
    nowhere_endpoint = ProviderEndpoint("custom", "nowhere", closed_endpoint.url, chosen.method)
    client = ProviderClient(provider_transport, chosen, Secret(KEY))
    async with ProviderTransport(retry=FAST_RETRY) as other:
        nowhere = ProviderClient(other, nowhere_endpoint, Secret(KEY))
        flow = await _full_flow(client, nowhere, sandbox)
        stranger = ProviderClient(provider_transport, chosen, Secret(WRONG_KEY))
        await flow.fails(stranger.get_balance(), errors.AuthenticationError)
        await flow.fails(stranger.get_rent_list(), errors.AuthenticationError)

    # The flow really ran, with the key on the wire and logging switched on.
    assert len(flow.results) == 10 and len(flow.failures) == 20
    assert {r.account for r in sandbox.request_log} >= {"carol", None}
    # (The provider's HTTP is aiohttp's, which logs no request lines; httpx's loggers, which
    # would print a GET's URL, keep their redaction for an injected httpx transport.)
    assert any(text.startswith("bot.provider.transport DEBUG") for text in collector.texts)

    for text in collector.texts:
        assert not _leaks(text), text
    for record in caplog.records:
        assert not _leaks(record.getMessage()), record.getMessage()
        assert not _leaks(repr(record.args)) and not _leaks(str(record.msg))
        assert not _leaks(repr(record.__dict__))

    for failure in flow.failures:
        for exc in _chain(failure):
            for text in (str(exc), repr(exc), repr(exc.args)):
                assert not _leaks(text), (type(exc).__name__, text)
            # An httpx error chained behind ours would carry the request, whose URL holds
            # a GET provider's key: none may ride along.
            assert getattr(exc, "_request", None) is None, type(exc).__name__
            assert getattr(exc, "request_info", None) is None, type(exc).__name__
            if isinstance(exc, errors.ProviderError):
                assert not _leaks(repr(vars(exc))), vars(exc)
            if isinstance(exc, errors.UnexpectedReplyError):
                assert not _leaks(exc.raw), exc.raw
    raws = [e.raw for e in flow.failures if isinstance(e, errors.UnexpectedReplyError)]
    assert any("***" in raw for raw in raws)  # the echoes were read, with the key masked
    assert any(
        isinstance(e, errors.AuthenticationError) and e.detail == "***" for e in flow.failures
    )

    for shown in [*flow.results, client, nowhere, stranger, chosen]:
        assert not _leaks(repr(shown)) and not _leaks(str(shown)), repr(shown)
    for record in sandbox.request_log:
        assert not _leaks(repr(record.to_json()))
