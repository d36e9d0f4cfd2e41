"""What every handler needs: its services, the user's locale, and safe ways to answer."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Final

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.provider import ProviderClient, ProviderError
from bot.services.account_errors import AccountError, KeyNeedsReentryError
from bot.services.results import NotYoursError
from bot.telegram.context import Context
from bot.telegram.rendering import Html, Renderer, Screen

if TYPE_CHECKING:
    from bot.services.container import Services

log = logging.getLogger(__name__)



def services(context: Context) -> Services:
    return context.bot_data.services


async def renderer(update: Update, context: Context) -> Renderer:
    """The user's renderer: their /lang choice, else Telegram's language (remembered)."""
    svc = services(context)
    user = update.effective_user
    now = svc.clock.now()
    if user is None:
        return Renderer(svc.translator, svc.translator.resolve(None), now=now)
    row = await svc.users.ensure(user.id)
    zone = row.preferences.time_zone
    currency = await svc.accounts.currency_of(user.id)
    if row.language is None:
        # Remember it, so pushes (which have no Telegram update) speak the same language.
        language = svc.translator.resolve(user.language_code)
        await svc.users.set_language(user.id, language)
        return Renderer(svc.translator, language, zone=zone, now=now, currency=currency)
    language = svc.translator.resolve(row.language)
    return Renderer(svc.translator, language, zone=zone, now=now, currency=currency)


async def send(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
    """Sends a new message to the update's chat."""
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def show(query: CallbackQuery, screen: Screen) -> None:
    """Replaces the pressed message's content; an identical screen is not an error."""
    try:
        await query.edit_message_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


SEARCH_CHARS: Final = 64  # a search longer than any name is not one; Fluent caps placeables


def command_argument(context: Context) -> str | None:
    """The text after a command (``/buy tele``) as a search, or None; as long as a typed one."""
    text = " ".join(context.args or ()).strip()[:SEARCH_CHARS].strip()
    return text or None


def user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


def chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def provider_client(
    update: Update, context: Context, render: Renderer
) -> ProviderClient | None:
    """The user's provider client, or None after telling them why there is none."""
    try:
        return await services(context).accounts.client_for(user_id(update))
    except KeyNeedsReentryError:
        await send(update, render("key-unreadable"))
    except AccountError:
        endpoint = await services(context).accounts.endpoint_of(user_id(update))
        await send(update, render("key-none", provider=endpoint.title))
    return None


def answer_text(text: str) -> str:
    """Callback answers are limited to 200 characters and show no HTML."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return plain if len(plain) <= 200 else plain[:199] + "…"


async def send_screen(
    update: Update, render: Renderer, screen: Awaitable[Screen], refused: str
) -> Message | None:
    """Sends a screen built from the provider's answers, or, when the provider could not
    answer, the ``refused`` message with its reason (the draft stays where it was).

    A slow provider shows "⏳" meanwhile (see ``respond``).

    Returns:
        The screen's message; None when the refusal was sent instead.
    """
    failed = False

    async def built() -> Screen:
        nonlocal failed
        try:
            return await screen
        except ProviderError as error:
            failed = True
            return Screen(render(refused, reason=render.error(error)))

    message = await respond(update, render, built())
    return None if failed else message


WORKING_AFTER: Final = 1.0  # seconds before a slow answer to a command shows "⏳"


async def respond(update: Update, render: Renderer, screen: Awaitable[Screen]) -> Message:
    """Sends the screen a command's work builds; when that takes over ``WORKING_AFTER`` (a
    slow provider), "⏳ Asking the provider…" is sent meanwhile and becomes the screen.

    Returns:
        The message showing the screen.
    """
    task = asyncio.ensure_future(screen)
    done, _ = await asyncio.wait({task}, timeout=WORKING_AFTER)
    if done:
        built = task.result()
        return await send(update, built.text, built.keyboard)
    note = await send(update, render("press-working"))
    built = await task
    edited = await note.edit_text(
        built.text, parse_mode=ParseMode.HTML, reply_markup=built.keyboard
    )
    return edited if isinstance(edited, Message) else note


def refusal(render: Renderer, error: Exception) -> str:
    """The alert for a press on a ledger row refused before anything changed: not the
    presser's row, no usable key for its provider, or the provider's own reason.

    Raises:
        Exception: ``error`` itself when it is none of those (a bug to surface, not hide).
    """
    if isinstance(error, NotYoursError):
        return render("press-not-yours")
    if isinstance(error, AccountError):
        return render("key-unreadable")
    if isinstance(error, ProviderError):
        return answer_text(render.error(error))
    raise error


BALANCE_WAIT: Final = 5.0  # seconds the new balance may hold up a bought number's message


async def with_new_balance(
    context: Context, user: int, render: Renderer, screen: Screen, provider: str | None = None
) -> Screen:
    """The screen of a number just paid for, with the balance the provider that sold it
    (``provider``; None: the user's current one) reports now; the screen alone when the
    provider cannot tell in time (the number is bought either way)."""
    try:
        client = await services(context).accounts.client_at(user, provider)
        balance = await asyncio.wait_for(client.get_balance(), BALANCE_WAIT)
    except (AccountError, ProviderError, TimeoutError):
        return screen
    line = render("balance-after-purchase", balance=render.money(balance))
    return Screen(Html(screen.text + "\n\n" + line), screen.keyboard)
