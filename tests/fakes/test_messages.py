"""sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, sendChatAction over HTTP."""

from __future__ import annotations

import json

from bot.core.clock import ManualClock
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
KEYBOARD = {"inline_keyboard": [[{"text": "Buy", "callback_data": "buy"}]]}


async def test_send_message_answers_a_telegram_message(api: RawBotApi, ann: FakeUser) -> None:
    result = await api.ok(
        "sendMessage",
        chat_id=ann.id,
        text="<b>Hi</b>, Ann",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert result["message_id"] == 2  # the person's "hello" was #1
    assert result["from"]["is_bot"] is True
    assert result["chat"] == {
        "id": ann.id,
        "type": "private",
        "first_name": "Ann",
        "username": "ann",
    }
    assert isinstance(result["date"], int)
    assert result["text"] == "Hi, Ann"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["reply_markup"] == KEYBOARD
    assert ann.last_bot_message() is not None


async def test_html_errors_are_400_cant_parse_entities(api: RawBotApi, ann: FakeUser) -> None:
    status, description = await api.error(
        "sendMessage", chat_id=ann.id, text="abc<foo>", parse_mode="HTML"
    )
    assert (status, description) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 3',
    )
    assert len(ann.chat()) == 1  # nothing was sent


async def test_only_html_parse_mode_is_accepted(api: RawBotApi, ann: FakeUser) -> None:
    for mode in ("MarkdownV2", "Markdown", "bogus"):
        assert await api.error("sendMessage", chat_id=ann.id, text="x", parse_mode=mode) == (
            400,
            "Bad Request: unsupported parse_mode",
        )
    assert (await api.ok("sendMessage", chat_id=ann.id, text="<i>x</i>", parse_mode="html"))[
        "entities"
    ] == [{"type": "italic", "offset": 0, "length": 1}]


async def test_empty_and_too_long_texts(api: RawBotApi, ann: FakeUser) -> None:
    empty = (400, "Bad Request: message text is empty")
    assert await api.error("sendMessage", chat_id=ann.id, text="") == empty
    assert await api.error("sendMessage", chat_id=ann.id) == empty
    assert await api.error("sendMessage", chat_id=ann.id, text="   \n ") == empty
    assert (
        await api.error("sendMessage", chat_id=ann.id, text="<b></b>", parse_mode="HTML") == empty
    )
    too_long = (400, "Bad Request: message is too long")
    assert await api.error("sendMessage", chat_id=ann.id, text="x" * 4097) == too_long
    # Telegram counts UTF-16 code units: 2049 astral characters are 4098 units.
    assert await api.error("sendMessage", chat_id=ann.id, text="🏟" * 2049) == too_long
    assert await api.ok("sendMessage", chat_id=ann.id, text="🏟" * 2048)
    # The limit applies to the text after parsing, so markup does not count.
    assert await api.ok(
        "sendMessage", chat_id=ann.id, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )


async def test_outer_whitespace_is_trimmed(api: RawBotApi, ann: FakeUser) -> None:
    result = await api.ok("sendMessage", chat_id=ann.id, text="\n  <b>hi</b> \n", parse_mode="HTML")
    assert result["text"] == "hi"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


async def test_unknown_chat_and_blocked_user(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    not_found = (400, "Bad Request: chat not found")
    assert await api.error("sendMessage", chat_id=999, text="x") == not_found
    assert await api.error("sendMessage", chat_id="@nobody", text="x") == not_found
    assert await api.error("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    silent = fake.user(2002, "Silent")
    assert await api.error("sendMessage", chat_id=silent.id, text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await ann.block_bot()
    blocked = (403, "Forbidden: bot was blocked by the user")
    assert await api.error("sendMessage", chat_id=ann.id, text="x") == blocked
    assert await api.error("sendChatAction", chat_id=ann.id, action="typing") == blocked
    await ann.unblock_bot()
    assert await api.ok("sendMessage", chat_id=ann.id, text="welcome back")


async def test_edit_text_keeps_history_and_refuses_no_op_edits(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    sent = await api.ok("sendMessage", chat_id=ann.id, text="one", reply_markup=KEYBOARD)
    message_id = sent["message_id"]
    same = {"chat_id": ann.id, "message_id": message_id, "text": "one", "reply_markup": KEYBOARD}
    assert await api.error("editMessageText", **same) == (400, NOT_MODIFIED)
    # The same text through HTML without tags is the same content too.
    assert await api.error("editMessageText", **same, parse_mode="HTML") == (400, NOT_MODIFIED)
    edited = await api.ok("editMessageText", **{**same, "text": "<b>two</b>"}, parse_mode="HTML")
    assert edited["text"] == "two"
    assert edited["edit_date"] >= sent["date"]
    assert edited["reply_markup"] == KEYBOARD
    # Leaving reply_markup out of editMessageText removes the keyboard, as on Telegram.
    stripped = await api.ok("editMessageText", chat_id=ann.id, message_id=message_id, text="three")
    assert "reply_markup" not in stripped
    record = fake.state.chats[ann.id].messages[message_id]
    assert [version.content.text for version in record.history] == ["one", "two", "three"]
    assert ann.chat()[-1].text == "three"
    assert ann.chat()[-1].edited


async def test_edit_reply_markup(api: RawBotApi, ann: FakeUser) -> None:
    sent = await api.ok("sendMessage", chat_id=ann.id, text="pick", reply_markup=KEYBOARD)
    target = {"chat_id": ann.id, "message_id": sent["message_id"]}
    assert await api.error("editMessageReplyMarkup", **target, reply_markup=KEYBOARD) == (
        400,
        NOT_MODIFIED,
    )
    other = {"inline_keyboard": [[{"text": "Sell", "callback_data": "sell"}]]}
    assert (await api.ok("editMessageReplyMarkup", **target, reply_markup=other))[
        "reply_markup"
    ] == other
    assert ann.chat()[-1].buttons == [["Sell"]]
    removed = await api.ok("editMessageReplyMarkup", **target)
    assert "reply_markup" not in removed
    assert await api.error("editMessageReplyMarkup", **target) == (400, NOT_MODIFIED)


async def test_edit_errors(api: RawBotApi, ann: FakeUser) -> None:
    assert await api.error("editMessageText", chat_id=ann.id, message_id=99, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    # Message #1 is Ann's own "hello".
    assert await api.error("editMessageText", chat_id=ann.id, message_id=1, text="x") == (
        400,
        "Bad Request: message can't be edited",
    )
    assert await api.error("editMessageText", chat_id=ann.id, text="x") == (
        400,
        "Bad Request: message identifier is not specified",
    )


async def test_delete_message(api: RawBotApi, ann: FakeUser, clock: ManualClock) -> None:
    sent = await api.ok("sendMessage", chat_id=ann.id, text="secret")
    assert await api.ok("deleteMessage", chat_id=ann.id, message_id=sent["message_id"]) is True
    gone = (400, "Bad Request: message to delete not found")
    assert await api.error("deleteMessage", chat_id=ann.id, message_id=sent["message_id"]) == gone
    assert await api.error("deleteMessage", chat_id=ann.id, message_id=42) == gone
    # The bot may delete the person's own messages in a private chat (a pasted API key).
    assert await api.ok("deleteMessage", chat_id=ann.id, message_id=1) is True
    assert ann.chat() == []
    assert await api.error("editMessageText", chat_id=ann.id, message_id=1, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    await ann.send_text("old")
    clock.advance(48 * 3600 + 1)
    assert await api.error("deleteMessage", chat_id=ann.id, message_id=3) == (
        400,
        "Bad Request: message can't be deleted for everyone",
    )


async def test_chat_actions_are_recorded(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    assert await api.ok("sendChatAction", chat_id=ann.id, action="typing") is True
    assert fake.state.chats[ann.id].actions == ["typing"]
    assert await api.error("sendChatAction", chat_id=ann.id, action="dancing") == (
        400,
        "Bad Request: wrong parameter action in request",
    )


async def test_explicit_entities_without_parse_mode(api: RawBotApi, ann: FakeUser) -> None:
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    result = await api.ok(
        "sendMessage", chat_id=ann.id, text="hi there", entities=json.dumps(entities)
    )
    assert result["entities"] == entities


async def test_reply_keyboards_belong_to_the_chat(api: RawBotApi, ann: FakeUser) -> None:
    keyboard = {"keyboard": [["Buy", {"text": "Rent"}]], "resize_keyboard": True}
    result = await api.ok("sendMessage", chat_id=ann.id, text="menu", reply_markup=keyboard)
    assert "reply_markup" not in result  # only inline keyboards are part of a message
    assert ann.reply_keyboard() == [["Buy", "Rent"]]
    await api.ok("sendMessage", chat_id=ann.id, text="bye", reply_markup={"remove_keyboard": True})
    assert ann.reply_keyboard() is None
