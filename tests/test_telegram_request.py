"""The Bot API client on aiohttp: what PTB gets back, and which errors a failure becomes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.fake_telegram import FakeTelegramServer
from bot.telegram.request import AiohttpRequest
from tests.ports import unused_port

TOKEN = "123456789:TEST-bot-token"


@asynccontextmanager
async def _server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """An HTTP server on loopback that answers every POST with ``handler``: its base URL."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def _client(**timeouts: float) -> AsyncIterator[AiohttpRequest]:
    """The client as PTB runs it: initialized first, shut down after."""
    request = AiohttpRequest(**timeouts)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


async def test_a_bot_on_it_talks_to_the_bot_api() -> None:
    async with FakeTelegramServer(tokens=[TOKEN]) as fake:
        ann = fake.user(1001, "Ann")
        await ann.send_text("hello")
        bot = Bot(TOKEN, base_url=fake.bot_base_url, request=AiohttpRequest())
        async with bot:
            assert (await bot.get_me()).id == 123456789
            await bot.send_message(ann.id, "<b>hi</b> &amp; more", parse_mode="HTML")
        assert ann.last_bot_message() is not None
        assert ann.last_bot_message().text == "hi & more"  # type: ignore[union-attr]


async def test_nothing_listening_is_a_network_error() -> None:
    port = unused_port()  # nothing listens there
    async with _client() as request:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")


async def test_a_server_that_does_not_answer_in_time_is_a_timeout() -> None:
    released = asyncio.Event()  # set once the client gave up: the server answers only then

    async def slow(request: web.Request) -> web.Response:
        await asyncio.wait_for(released.wait(), 5)
        return web.json_response({"ok": True, "result": True})

    async with _server(slow) as base:
        try:
            async with _client(read_timeout=0.2) as request:
                with pytest.raises(TimedOut):
                    await request.post(f"{base}/bot{TOKEN}/getMe")
        finally:
            released.set()  # the server's cleanup waits for the handler to end


async def test_a_redirect_is_not_followed_so_a_send_goes_out_once_and_the_token_stays_out() -> None:
    """PTB's own client never follows redirects: a followed 307 sends the same POST again (a
    message twice, unannounced), and aiohttp's error after too many names the URL, which holds
    the bot's token, in the NetworkError that PTB logs."""
    received: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        received.append(request.path)
        raise web.HTTPTemporaryRedirect(f"/elsewhere/{len(received)}")

    async with _server(moved) as base, _client() as request:
        with pytest.raises(TelegramError) as failed:
            await request.post(
                f"{base}/bot{TOKEN}/sendMessage",
                RequestData([
                    RequestParameter("chat_id", 1, None), RequestParameter("text", "hi", None),
                ]),
            )
        assert TOKEN not in str(failed.value)
    assert received == [f"/bot{TOKEN}/sendMessage"]
