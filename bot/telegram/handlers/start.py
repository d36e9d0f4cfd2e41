"""/start, /help, /lang and /cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.services.account_errors import AccountError
from bot.telegram import flows
from bot.telegram.buttons.settings import PickLanguage
from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Screen
from bot.telegram.routing import Press, on_button

_LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "es": "Español"}


async def start(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    accounts = services(context).accounts
    endpoint = await accounts.endpoint_of(user_id(update))
    try:
        masked = await accounts.masked_key(user_id(update))
    except AccountError:
        masked = None
    await send(
        update,
        render(
            "start-welcome",
            provider=endpoint.title,
            has_key="yes" if masked else "no",
            masked=masked or "",
        ),
    )


async def help_command(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    await send(update, render("help-text"))


async def choose_language(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    buttons = [
        InlineKeyboardButton(
            _LANGUAGE_NAMES.get(code, code), callback_data=PickLanguage(code).pack()
        )
        for code in services(context).translator.locales
    ]
    await send(update, render("lang-choose"), InlineKeyboardMarkup([buttons]))


@on_button(PickLanguage)
async def set_language(press: Press[PickLanguage]) -> None:
    code = press.button.code
    if code not in press.services.translator.locales:
        await press.query.answer()
        return
    await press.services.users.set_language(press.user_id, code)
    chosen = await renderer(press.update, press.context)  # the language just chosen
    await press.query.answer()
    await show(press.query, Screen(chosen("lang-set")))


async def cancel(update: Update, context: Context) -> None:
    """Ends the flow under way (its confirm buttons must not buy after /cancel)."""
    render = await renderer(update, context)
    ended = flows.end(context)
    await send(update, render("cancel-done" if ended else "cancel-nothing"))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("lang", choose_language),
        CommandHandler("cancel", cancel),
        set_language.handler(),
    ]
