"""setWebhook: updates POSTed with the secret, one at a time per chat, retried until a 200."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.webhook import SECRET_HEADER
from tests.fakes.raw_api import RawBotApi

SECRET = "s3cret-token_for-tests"


class _Receiver:
    """A bot's webhook route: fails the first POST, holds each for a moment, records order."""

    def __init__(self) -> None:
        self.received: list[tuple[int, str]] = []  # (chat id, text), as acknowledged
        self.in_flight: dict[int, int] = {}
        self.most_in_flight_per_chat = 0
        self.failures_left = 1
        self.secrets: set[str | None] = set()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.add(request.headers.get(SECRET_HEADER))
        update: dict[str, Any] = await request.json()
        chat = int(update["message"]["chat"]["id"])
        self.in_flight[chat] = self.in_flight.get(chat, 0) + 1
        self.most_in_flight_per_chat = max(self.most_in_flight_per_chat, self.in_flight[chat])
        try:
            await asyncio.sleep(0.02)
            if self.failures_left:
                self.failures_left -= 1
                return web.Response(status=500)
            self.received.append((chat, update["message"]["text"]))
            return web.Response(status=200)
        finally:
            self.in_flight[chat] -= 1

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[_Receiver]:
    hook = _Receiver()
    await hook.start()
    yield hook
    await hook.stop()


async def test_updates_reach_the_webhook_in_order_per_chat_and_are_retried(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser, receiver: _Receiver
) -> None:
    assert await api.ok("setWebhook", url=receiver.url, secret_token=SECRET) is True
    bob = fake.user(3003, "Bob")
    for n in range(5):
        await ann.send_text(f"ann {n}")
        await bob.send_text(f"bob {n}")
    await fake.state.webhook.wait_idle(10)
    ann_texts = [text for chat, text in receiver.received if chat == ann.id]
    assert ann_texts == ["hello"] + [f"ann {n}" for n in range(5)]  # the queued one first
    assert [t for c, t in receiver.received if c == bob.id] == [f"bob {n}" for n in range(5)]
    assert receiver.secrets == {SECRET}
    assert receiver.most_in_flight_per_chat == 1  # the next only after a 200
    statuses = [a.status for a in fake.state.webhook.attempts]
    assert statuses.count(500) == 1 and statuses.count(200) == 11
    info = await api.ok("getWebhookInfo")
    assert (info["url"], info["pending_update_count"]) == (receiver.url, 0)


async def test_get_updates_conflicts_while_a_webhook_is_set(
    api: RawBotApi, receiver: _Receiver
) -> None:
    await api.ok("setWebhook", url=receiver.url)
    status, body = await api.call("getUpdates")
    assert status == 409 and "webhook is active" in body["description"]
    await api.ok("deleteWebhook")
    assert await api.ok("getUpdates") == []
