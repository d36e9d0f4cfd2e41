"""``smsbot run --webhook``'s route: the secret checked on every request, an update answered
200 only once handled, and a re-sent update acknowledged without being handled twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.cluster.telegram_webhook import SECRET_HEADER, TelegramWebhookServer
from bot.core.secret import Secret
from tests.bot.conftest import Harness

SECRET = "webhook-secret_0123456789"


@pytest.fixture
async def route(harness: Harness) -> AsyncIterator[str]:
    server = TelegramWebhookServer(
        harness.application, harness.services.db, Secret(SECRET),
        host="127.0.0.1", port=0, path="/telegram",
    )
    await server.start()
    url = f"http://127.0.0.1:{server.port}/telegram"
    await harness.application.bot.set_webhook(url, secret_token=SECRET)
    try:
        yield url
    finally:
        await server.stop()


async def test_updates_pushed_by_telegram_are_handled_once_each(
    harness: Harness, route: str
) -> None:
    alice = harness.user()
    update = await alice.send_text("/start")
    await harness.telegram.state.webhook.wait_idle(15)
    replies = len(alice.chat())
    assert replies >= 2, alice.transcript()  # her /start, and the bot's welcome
    async with httpx.AsyncClient(timeout=10) as client:
        # Telegram sends it again (a timeout, a process that died before answering).
        again = await client.post(route, json=update, headers={SECRET_HEADER: SECRET})
        assert again.status_code == 200
        assert len(alice.chat()) == replies  # acknowledged, not handled twice
        forged = dict(update, update_id=update["update_id"] + 1000)
        for headers in ({}, {SECRET_HEADER: SECRET[:-1] + "x"}):
            refused = await client.post(route, json=forged, headers=headers)
            assert refused.status_code == 401
        assert len(alice.chat()) == replies  # a forged update does nothing
    attempts = harness.telegram.state.webhook.attempts
    assert [a.status for a in attempts] == [200]
