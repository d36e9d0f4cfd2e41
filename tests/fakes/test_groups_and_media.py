"""Groups the bot is in, and messages that are not text (photos, stickers)."""

from __future__ import annotations

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi


async def test_a_group_message_names_the_group_and_the_bot_may_write_there(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    group = ann.in_group(-4242, "Flatmates")
    update = await group.send_text("/buy")
    chat = update["message"]["chat"]
    assert chat == {"id": -4242, "type": "group", "title": "Flatmates"}
    assert update["message"]["from"]["id"] == ann.id
    assert await api.ok("sendMessage", chat_id=-4242, text="only in private")
    assert [m.text for m in group.chat()] == ["/buy", "only in private"]
    assert all(m.text != "only in private" for m in ann.chat())  # the private chat is apart


async def test_a_photo_has_its_caption_and_no_text_and_can_be_deleted(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    update = await ann.send_photo(caption="look")
    message = update["message"]
    assert message["caption"] == "look" and "text" not in message and message["photo"]
    assert await api.ok("deleteMessage", chat_id=ann.id, message_id=message["message_id"])
    assert all(m.text != "look" for m in ann.chat())


async def test_a_sticker_has_neither_text_nor_caption(ann: FakeUser) -> None:
    message = (await ann.send_sticker())["message"]
    assert message["sticker"]["type"] == "regular"
    assert "text" not in message and "caption" not in message
