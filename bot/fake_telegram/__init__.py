"""A fake Telegram Bot API server on loopback, with a driver that plays the person.

Used three ways: tests that call ``Application.process_update`` while the bot's HTTP calls go
here; end-to-end tests where the real bot long-polls ``getUpdates`` here via
``TELEGRAM_API_URL``; and a terminal chat client on top of `FakeUser`.

Map:

    server.py        FakeTelegramServer: aiohttp routes, tokens, the envelope, the call log
    state.py         FakeTelegramState: users, chats, messages, queries, commands, calls
    records.py       the records and their Bot API JSON
    updates.py       the update queue; queue vs direct delivery
    driver.py        FakeUser: send_text, press, chat(), transcript(), wait_for
    methods/         the Bot API methods implemented
    html_parser.py   parse_mode=HTML as TDLib parses it
    formatting.py    text rules (empty, too long, trimming); markup.py: reply_markup rules
    flood.py         forced 429s, a Telegram-like limiter, and the documented-limits mode
    ptb.py           process_with(application) for direct delivery

Wiring PTB: ``Bot(token, base_url=fake.bot_base_url)`` (PTB appends the token, then
``/<method>``), or ``ApplicationBuilder().token(token).base_url(fake.bot_base_url)``.
"""

from __future__ import annotations

from bot.fake_telegram.driver import Button, FakeUser, VisibleMessage
from bot.fake_telegram.errors import ApiError
from bot.fake_telegram.flood import FloodControl, FloodRule
from bot.fake_telegram.records import CallbackAnswer, CallRecord
from bot.fake_telegram.server import FakeTelegramServer
from bot.fake_telegram.state import FakeTelegramState

__all__ = [
    "ApiError",
    "Button",
    "CallRecord",
    "CallbackAnswer",
    "FakeTelegramServer",
    "FakeTelegramState",
    "FakeUser",
    "FloodControl",
    "FloodRule",
    "VisibleMessage",
]
