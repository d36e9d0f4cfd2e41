"""Plain text: what the user was asked for (a key, a provider URL, a max price, a number to
forward calls to, a phone to call), else a search in the /buy, /rent, /prices or /multi picker
shown. Other messages (photos, stickers, files…) get a short answer, except a key sent as a
photo's caption after /key, which is taken (and deleted) like a typed one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.telegram import flows
from bot.telegram.context import Context
from bot.telegram.flow_types import (
    Asked,
    BuyDraft,
    BuyQuestion,
    CallDraft,
    Flow,
    MultiDraft,
    PricesDraft,
    Question,
    RentDraft,
)
from bot.telegram.handlers import (
    buy,
    buy_options,
    extras,
    keys,
    multi,
    prices,
    provider_choice,
    rent,
    settings,
)
from bot.telegram.handlers.common import renderer, send


async def on_text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if await keys.expects_key(update, context):
        await keys.receive_key(update, context, message.text or "")
        return
    if not await _answer(update, context, flows.current(context)):
        render = await renderer(update, context)
        await send(update, render("unknown-text"))


async def _answer(update: Update, context: Context, flow: Flow | None) -> bool:
    """Gives the text to the flow under way: the answer to its question, or a search in its
    picker. False when it wants no text (or nothing is under way)."""
    match flow:
        case Asked(question=Question.PROVIDER_URL):
            await provider_choice.receive_provider_url(update, context)
        case Asked(question=Question.TIME_ZONE):
            await settings.receive_time_zone(update, context)
        case Asked(question=Question.CAP_DAY | Question.CAP_MONTH as question):
            await settings.receive_cap(update, context, question.removeprefix("cap_"))
        case CallDraft():
            await extras.receive_call_phone(update, context, flow)
        case BuyDraft(question=BuyQuestion.MAX_PRICE):
            await buy_options.receive_max_price(update, context)
        case BuyDraft(question=BuyQuestion.FORWARD_NUMBER):
            await buy_options.receive_forward_number(update, context)
        case BuyDraft():
            return await buy.search(update, context)
        case RentDraft():
            return await rent.search(update, context)
        case PricesDraft():
            return await prices.search(update, context)
        case MultiDraft():
            return await multi.search(update, context)
        case _:
            return False
    return True


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
