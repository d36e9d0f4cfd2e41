"""getUpdates: real long polling, offsets, allowed_updates, conflicts, shutdown."""

from __future__ import annotations

import asyncio
import contextlib

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi


async def test_pending_updates_stay_until_confirmed(api: RawBotApi, ann: FakeUser) -> None:
    await ann.send_text("second")
    updates = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in updates] == ["hello", "second"]
    assert await api.ok("getUpdates") == updates  # unconfirmed: delivered again
    first_id = updates[0]["update_id"]
    again = await api.ok("getUpdates", offset=first_id + 1)
    assert [u["message"]["text"] for u in again] == ["second"]
    assert await api.ok("getUpdates", offset=first_id + 2) == []
    assert await api.ok("getUpdates", limit=1) == []


async def test_limit_and_negative_offset(api: RawBotApi, ann: FakeUser) -> None:
    for text in ("a", "b", "c"):
        await ann.send_text(text)
    assert [u["message"]["text"] for u in await api.ok("getUpdates", limit=2)] == ["hello", "a"]
    assert [u["message"]["text"] for u in await api.ok("getUpdates", offset=-1)] == ["c"]


async def test_long_polling_waits_then_wakes_on_an_update(
    api: RawBotApi, fake: FakeTelegramServer
) -> None:
    bob = fake.user(3003, "Bob")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await fake.state.wait_until(lambda: fake.state.poll_generation == 1 or None, 2)
    await asyncio.sleep(0.2)
    assert not poll.done()  # really waiting
    await bob.send_text("/start")
    updates = await asyncio.wait_for(poll, 2)
    elapsed = loop.time() - started
    assert 0.2 <= elapsed < 2
    assert updates[0]["message"]["text"] == "/start"


async def test_long_polling_times_out_empty(api: RawBotApi) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await api.ok("getUpdates", timeout=0.3) == []
    assert loop.time() - started >= 0.3


async def test_a_newer_poll_ends_an_older_one_with_409(
    api: RawBotApi, fake: FakeTelegramServer
) -> None:
    older = asyncio.create_task(api.call("getUpdates", timeout=5))
    await fake.state.wait_until(lambda: fake.state.poll_generation == 1 or None, 2)
    assert await api.ok("getUpdates") == []
    status, body = await asyncio.wait_for(older, 2)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_allowed_updates_filter_new_updates(api: RawBotApi, fake: FakeTelegramServer) -> None:
    bob = fake.user(3003, "Bob")
    await api.ok("getUpdates", allowed_updates=["callback_query"])
    await bob.send_text("ignored")
    assert await api.ok("getUpdates") == []
    await api.ok("getUpdates", allowed_updates=[])
    await bob.send_text("seen")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["seen"]


async def test_delete_webhook_may_drop_pending(api: RawBotApi, ann: FakeUser) -> None:
    info = await api.ok("getWebhookInfo")
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
    assert await api.ok("deleteWebhook") is True
    assert len(await api.ok("getUpdates")) == 1
    assert await api.ok("deleteWebhook", drop_pending_updates=True) is True
    assert await api.ok("getUpdates") == []


async def test_stopping_the_server_ends_long_polls(
    fake: FakeTelegramServer, api: RawBotApi
) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    await fake.state.wait_until(lambda: fake.state.poll_generation == 1 or None, 2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await fake.stop()
    assert await asyncio.wait_for(poll, 2) == []
    assert loop.time() - started < 2


async def test_a_poll_whose_client_hangs_up_stops_waiting(
    api: RawBotApi, fake: FakeTelegramServer
) -> None:
    poll = asyncio.create_task(api.call("getUpdates", timeout=30))
    await fake.state.wait_until(lambda: fake.state.poll_generation == 1 or None, 2)
    poll.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poll
    record = await fake.state.wait_for_call("getUpdates", 2)
    assert record.status == 499
