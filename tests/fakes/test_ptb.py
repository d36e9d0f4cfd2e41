"""python-telegram-bot 22 against the fake: every reply parses, errors map to PTB's exceptions,
and an Application answers a person both by long polling and by direct delivery."""

from __future__ import annotations

import datetime as dtm
import html
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.ptb import process_with
from tests.fakes.raw_api import TOKEN

MENU = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Buy", callback_data="buy:1")],
        [InlineKeyboardButton("Site", url="https://example.com")],
    ]
)


@pytest.fixture
async def bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.bot_base_url) as ptb_bot:
        yield ptb_bot


async def test_ptb_parses_every_reply(bot: Bot, fake: FakeTelegramServer, ann: FakeUser) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "smsbot_fake_bot", True)

    sent = await bot.send_message(
        ann.id, "<b>Hello</b>, <i>Ann</i> &amp; co", parse_mode=ParseMode.HTML, reply_markup=MENU
    )
    assert sent.text == "Hello, Ann & co"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("italic", 7, 3),
    ]
    assert sent.reply_markup == MENU
    assert sent.from_user is not None and sent.from_user.id == me.id
    assert sent.chat.id == ann.id

    edited = await bot.edit_message_text("Hello again", ann.id, sent.message_id, reply_markup=MENU)
    assert isinstance(edited, type(sent))
    assert edited.text == "Hello again"
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Hello again", ann.id, sent.message_id, reply_markup=MENU)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ann.id, 999)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(ann.id, "a <foo> b", parse_mode=ParseMode.HTML)

    query_id = await ann.press("Buy")
    assert await bot.answer_callback_query(query_id, text="Done", show_alert=True) is True
    answer = ann.answer_for(query_id)
    assert answer is not None and (answer.text, answer.show_alert) == ("Done", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)

    assert await bot.send_chat_action(ann.id, "typing") is True
    chat = await bot.get_chat(ann.id)
    assert (chat.id, chat.first_name) == (ann.id, "Ann")

    assert await bot.delete_message(ann.id, sent.message_id) is True
    assert [m.text for m in ann.chat()] == ["hello"]

    commands = [BotCommand("start", "Start"), BotCommand("keys", "API keys")]
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(commands, scope=scope, language_code="en") is True
    assert await bot.get_my_commands(scope=scope, language_code="en") == tuple(commands)
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(scope=scope, language_code="en") is True

    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "hello"
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.data == "buy:1"


async def test_a_429_is_retry_after(
    bot: Bot, fake: FakeTelegramServer, ann: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns that retry_after becomes a timedelta unless this opt-in is set.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.flood.force(12, calls=1, methods=["sendMessage"])
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ann.id, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=12)
    assert (await bot.send_message(ann.id, "x")).text == "x"


async def test_forbidden_and_invalid_token(
    fake: FakeTelegramServer, bot: Bot, ann: FakeUser
) -> None:
    await ann.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ann.id, "x")
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake.bot_base_url):
            pass


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(f"Welcome, <b>{name}</b>!", reply_markup=MENU)


async def _buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Buying")
    await query.edit_message_text("Bought")


def _application(fake: FakeTelegramServer) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        ApplicationBuilder().token(TOKEN).base_url(fake.bot_base_url).job_queue(None).build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_buy, pattern=r"^buy:"))
    return application


async def test_an_application_long_polls_and_answers(fake: FakeTelegramServer) -> None:
    carol = fake.user(4004, "Carol <3")
    application = _application(fake)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=dtm.timedelta(seconds=5), poll_interval=0)
        try:
            await carol.send_text("/start")
            chat = await carol.wait_for(lambda chat: len(chat) == 2)
            assert chat[-1].text == "Welcome, Carol <3!"
            assert chat[-1].entities == ({"type": "bold", "offset": 9, "length": 8},)
            assert chat[-1].buttons == [["Buy"], ["Site"]]
            query_id = await carol.press("Buy")
            assert (await carol.wait_for_answer(query_id)).text == "Buying"
            await carol.wait_for(lambda chat: chat[-1].text == "Bought")
        finally:
            await application.updater.stop()
            await application.stop()
    # The updater confirmed what it fetched before it stopped.
    assert fake.state.updates.pending == []
    assert [c.status for c in fake.state.calls_to("getUpdates")].count(409) == 0


async def test_an_application_gets_updates_directly(fake: FakeTelegramServer) -> None:
    dave = fake.user(5005, "Dave")
    application = _application(fake)
    async with application:
        fake.state.deliver_directly(process_with(application))
        await dave.send_text("/start")
        # Direct delivery awaits the handler: the reply is already there.
        assert dave.chat()[-1].text == "Welcome, Dave!"
        query_id = await dave.press("Buy")
        assert dave.answer_for(query_id) is not None
        assert dave.chat()[-1].text == "Bought"
    assert fake.state.updates.pending == []
    assert fake.state.call_counts["getUpdates"] == 0
