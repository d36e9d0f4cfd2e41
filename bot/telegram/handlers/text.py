"""Plain text: what the user was asked for (a key, a provider URL, a max price, a number to
forward calls to, a phone to call), else a search in the /buy, /rent, /prices or /multi picker
shown. Other messages (photos, stickers, files…) get a short answer, except a key sent as a
photo's caption after /key, which is taken (and deleted) like a typed one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.telegram.context import Context
from bot.telegram.flows import AWAITING
from bot.telegram.handlers import (
    buy,
    buy_options,
    extras,
    keys,
    multi,
    prices,
    rent,
    settings,
)
from bot.telegram.handlers.common import renderer, send


async def on_text(update: Update, context: Context) -> None:
    assert context.user_data is not None
    message = update.effective_message
    assert message is not None
    if await keys.expects_key(update, context):
        await keys.receive_key(update, context, message.text or "")
        return
    awaiting = context.user_data.get(AWAITING)
    if awaiting == "provider_url":
        await keys.receive_provider_url(update, context)
    elif awaiting == "max_price":
        await buy_options.receive_max_price(update, context)
    elif awaiting == "forward_number":
        await buy_options.receive_forward_number(update, context)
    elif awaiting == "call_phone":
        await extras.receive_call_phone(update, context)
    elif awaiting == "time_zone":
        await settings.receive_time_zone(update, context)
    elif not (
        await buy.search(update, context)
        or await rent.search(update, context)
        or await prices.search(update, context)
        or await multi.search(update, context)
    ):
        render = await renderer(update, context)
        await send(update, render("unknown-text"))


async def on_other_message(update: Update, context: Context) -> None:
    """A message that is not text: a captioned key after /key is a key; else "text only"."""
    message = update.effective_message
    assert message is not None
    if message.caption and await keys.expects_key(update, context):
        await keys.receive_key(update, context, message.caption)
        return
    render = await renderer(update, context)
    await send(update, render("only-text"))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.StatusUpdate.ALL,
            on_other_message,
        ),
    ]
