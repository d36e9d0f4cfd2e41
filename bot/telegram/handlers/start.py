"""/start, /help, /lang and /cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.services.accounts import AccountError
from bot.telegram import flows
from bot.telegram.buttons.settings import PickLanguage
from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import on_button, pressed

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
async def set_language(
    update: Update, context: Context, button: PickLanguage, render: Renderer
) -> None:
    query = pressed(update)
    code = button.code
    svc = services(context)
    if code not in svc.translator.locales:
        await query.answer()
        return
    await svc.users.set_language(user_id(update), code)
    render = await renderer(update, context)  # the language just chosen
    await query.answer()
    await show(query, Screen(render("lang-set")))


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
