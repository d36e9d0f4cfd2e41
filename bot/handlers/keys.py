"""/key, /forgetkey and /provider: the user's provider and their encrypted API key.

The message that holds a key is deleted before anything else happens, and the key is shown
back only masked. /key works only in a private chat.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.handlers.common import AWAITING, BUY, renderer, send, services, show, user_id
from bot.keyboards import PickProvider
from bot.provider import PRESETS, InvalidEndpointError, ProviderError
from bot.rendering import Renderer, Screen
from bot.services.accounts import (
    CustomProviderRefusedError,
    KeyRejectedError,
    LiveNumbersError,
    MalformedKeyError,
    TooManyKeyAttemptsError,
)

log = logging.getLogger(__name__)


async def ask_key(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await _delete_quietly(update)  # "/key SECRET" in a group: remove it all the same
        await send(update, render("private-only"))
        return
    if context.args:  # "/key SECRET": the key came with the command
        await _delete_quietly(update)
        await _store_key(update, context, render, " ".join(context.args))
        return
    endpoint = await services(context).accounts.endpoint_of(user_id(update))
    assert context.user_data is not None
    context.user_data.pop(BUY, None)  # typed text is the key now, not a /buy search
    context.user_data[AWAITING] = "key"
    await send(update, render("key-ask", provider=endpoint.title))


async def receive_key(update: Update, context: Context) -> None:
    """The message after /key: delete it first, then check and store the key."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    await _delete_quietly(update)
    # The flag stays until a key is stored (or another command is sent): a second try after a
    # refused key is a key too, and must be deleted, never read as a search.
    if await _store_key(update, context, render, message.text or ""):
        context.user_data.pop(AWAITING, None)


async def _store_key(update: Update, context: Context, render: Renderer, text: str) -> bool:
    """Checks and stores a key; True when it was stored."""
    accounts = services(context).accounts
    endpoint = await accounts.endpoint_of(user_id(update))
    progress = await send(update, render("key-checking", provider=endpoint.title))
    try:
        balance = await accounts.set_key(user_id(update), text)
    except LiveNumbersError:
        reply = render("key-busy", provider=endpoint.title)
    except TooManyKeyAttemptsError as limited:
        reply = render("key-too-many", minutes=max(1, round(limited.retry_in / 60)))
    except MalformedKeyError:
        reply = render("key-malformed")
    except KeyRejectedError:
        reply = render("key-rejected", provider=endpoint.title)
    except ProviderError as error:
        reply = render("request-failed", reason=render.error(error))
    else:
        masked = await accounts.masked_key(user_id(update))
        reply = render("key-saved", masked=masked or "", balance=render.money(balance.balance))
        await progress.edit_text(reply + "\n" + render("key-deleted-notice"), parse_mode="HTML")
        return True
    await progress.edit_text(reply + "\n" + render("key-deleted-notice"), parse_mode="HTML")
    return False


async def forget_key(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    accounts = services(context).accounts
    endpoint = await accounts.endpoint_of(user_id(update))
    try:
        deleted = await accounts.forget_key(user_id(update))
    except LiveNumbersError:
        await send(update, render("key-busy", provider=endpoint.title))
        return
    message = "key-forgotten" if deleted else "key-nothing-to-forget"
    await send(update, render(message, provider=endpoint.title))


async def choose_provider(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    await send(update, *await _provider_menu(update, context, render))


async def _provider_menu(
    update: Update, context: Context, render: Renderer
) -> tuple[str, InlineKeyboardMarkup]:
    accounts = services(context).accounts
    current = await accounts.endpoint_of(user_id(update))
    with_keys = set(await accounts.providers_with_keys(user_id(update)))
    buttons = [
        InlineKeyboardButton(
            ("✓ " if preset.key in with_keys else "") + preset.title,
            callback_data=PickProvider(preset.name).pack(),
        )
        for preset in PRESETS.values()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([render.button("provider-custom-button", PickProvider("custom"))])
    return render("provider-choose", provider=current.title), InlineKeyboardMarkup(rows)


async def pick_provider(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    render = await renderer(update, context)
    name = PickProvider.unpack(query.data).name
    await query.answer()
    if name == "custom":
        context.user_data[AWAITING] = "provider_url"
        await show(query, Screen(render("provider-ask-url")))
        return
    if name not in PRESETS:
        await show(query, Screen(render("press-stale")))
        return
    await show(query, Screen(await _set_provider(update, context, render, name)))


async def receive_provider_url(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    context.user_data.pop(AWAITING, None)
    await send(update, await _set_provider(update, context, render, message.text or ""))


async def _set_provider(update: Update, context: Context, render: Renderer, setting: str) -> str:
    accounts = services(context).accounts
    try:
        endpoint = await accounts.set_provider(user_id(update), setting)
    except InvalidEndpointError:
        return render("provider-bad-url")
    except CustomProviderRefusedError as refused:
        return render("provider-url-refused", reason=refused.reason)
    has_key = endpoint.key in await accounts.providers_with_keys(user_id(update))
    return render("provider-set", provider=endpoint.title, has_key="yes" if has_key else "no")


async def _delete_quietly(update: Update) -> None:
    message = update.effective_message
    if message is None:
        return
    try:
        await message.delete()
    except TelegramError as error:  # too old, or no right to: say so in the log, go on
        log.warning("could not delete a message holding a key: %s", error)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("key", ask_key),
        CommandHandler("forgetkey", forget_key),
        CommandHandler("provider", choose_provider),
        CallbackQueryHandler(pick_provider, pattern=PickProvider.pattern()),
    ]
