"""FakeUser: acting as a person, and seeing the chat as they see it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi

MENU = {
    "inline_keyboard": [
        [{"text": "Buy", "callback_data": "buy"}, {"text": "Rent", "callback_data": "rent"}],
        [{"text": "Site", "url": "https://example.com"}],
    ]
}


async def test_send_text_makes_a_telegram_message_update(fake: FakeTelegramServer) -> None:
    bob = fake.user(3003, "Bob", language_code="ru")
    update = await bob.send_text("/start@smsbot_fake_bot deep")
    message = update["message"]
    assert update["update_id"] == 1
    assert message["from"] == {
        "id": 3003,
        "is_bot": False,
        "first_name": "Bob",
        "language_code": "ru",
    }
    assert message["chat"] == {"id": 3003, "type": "private", "first_name": "Bob"}
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert fake.state.updates.pending == [update]
    plain = await bob.send_text("just words")
    assert "entities" not in plain["message"]


async def test_press_finds_the_newest_button_and_sends_its_data(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    older = await api.ok("sendMessage", chat_id=ann.id, text="old menu", reply_markup=MENU)
    newer = await api.ok("sendMessage", chat_id=ann.id, text="new menu", reply_markup=MENU)
    query_id = await ann.press("Rent")
    query = fake.state.updates.history[-1]["callback_query"]
    assert query["id"] == query_id
    assert query["data"] == "rent"
    assert query["from"]["id"] == ann.id
    assert query["message"]["message_id"] == newer["message_id"]
    await ann.press("Buy", message=older["message_id"])
    assert fake.state.updates.history[-1]["callback_query"]["message"]["message_id"] == 2
    with pytest.raises(LookupError, match=r"no button \[Sell\]"):
        await ann.press("Sell")
    with pytest.raises(ValueError, match="not a callback button"):
        await ann.press("Site")


async def test_press_data_forges_any_callback(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    sent = await api.ok("sendMessage", chat_id=ann.id, text="menu", reply_markup=MENU)
    query_id = await ann.press_data("refund:someone-else", sent["message_id"])
    assert fake.state.callback_queries[query_id].data == "refund:someone-else"
    with pytest.raises(LookupError):
        await ann.press_data("x", 999)


async def test_chat_shows_the_present_and_the_transcript_reads_well(
    api: RawBotApi, ann: FakeUser
) -> None:
    sent = await api.ok(
        "sendMessage", chat_id=ann.id, text="<b>Menu</b>", parse_mode="HTML", reply_markup=MENU
    )
    await api.ok(
        "editMessageText",
        chat_id=ann.id,
        message_id=sent["message_id"],
        text="Menu v2",
        reply_markup=MENU,
    )
    await api.ok("deleteMessage", chat_id=ann.id, message_id=1)
    [view] = ann.chat()
    assert (view.text, view.edited, view.from_bot) == ("Menu v2", True, True)
    assert view.buttons == [["Buy", "Rent"], ["Site"]]
    assert ann.last_bot_message() == view
    assert [b.callback_data for b in ann.buttons()] == ["buy", "rent", None]
    assert ann.transcript() == (
        "--- chat of user 1001 (Ann) ---\n"
        "#2 bot (edited): Menu v2\n"
        "      [Buy] [Rent]\n"
        "      [Site]"
    )


async def test_blocking_sends_my_chat_member_and_stops_sending(ann: FakeUser) -> None:
    update = await ann.block_bot()
    member = update["my_chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    with pytest.raises(RuntimeError, match="blocked the bot"):
        await ann.send_text("hi")
    await ann.unblock_bot()
    await ann.send_text("hi")


async def test_wait_for_wakes_on_a_change_and_times_out_with_the_transcript(
    api: RawBotApi, ann: FakeUser
) -> None:
    waiter = asyncio.create_task(ann.wait_for(lambda chat: any(m.text == "done" for m in chat), 2))
    await asyncio.sleep(0)
    assert not waiter.done()
    await api.ok("sendMessage", chat_id=ann.id, text="done")
    assert (await waiter)[-1].text == "done"
    with pytest.raises(TimeoutError, match="#1 you: hello"):
        await ann.wait_for(lambda chat: False, 0.05)


async def test_wait_for_answer(api: RawBotApi, ann: FakeUser) -> None:
    await api.ok("sendMessage", chat_id=ann.id, text="menu", reply_markup=MENU)
    query_id = await ann.press("Buy")
    waiter = asyncio.create_task(ann.wait_for_answer(query_id, 2))
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="ok")
    assert (await waiter).text == "ok"


async def test_direct_delivery_hands_updates_to_a_handler(fake: FakeTelegramServer) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(update: dict[str, Any]) -> None:
        seen.append(update)

    fake.state.deliver_directly(handler)
    bob = fake.user(3003, "Bob")
    update = await bob.send_text("/start")
    assert seen == [update]
    assert fake.state.updates.pending == []  # not queued for getUpdates
    assert fake.state.delivery == "direct"
    fake.state.deliver_by_queue()
    await bob.send_text("queued")
    assert len(fake.state.updates.pending) == 1
    assert len(seen) == 1
