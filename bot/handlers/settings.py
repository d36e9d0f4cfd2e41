"""/settings: the user's preferences (auto-cancel of codeless numbers, on by default)."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.handlers.common import renderer, send, services, show, user_id
from bot.keyboards import ToggleSetting
from bot.rendering import Renderer, Screen
from storage.users import User


def _screen(render: Renderer, user: User) -> Screen:
    on = user.preferences.auto_cancel
    button = render.button(
        "button-auto-cancel-off" if on else "button-auto-cancel-on", ToggleSetting("autocancel")
    )
    text = render("settings-text", auto_cancel="on" if on else "off")
    return Screen(text, InlineKeyboardMarkup([[button]]))


async def show_settings(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    user = await services(context).users.ensure(user_id(update))
    screen = _screen(render, user)
    await send(update, screen.text, screen.keyboard)


async def toggle(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    if ToggleSetting.unpack(query.data).name != "autocancel":
        await query.answer(render("press-stale"))
        return
    users = services(context).users
    user = await users.ensure(user_id(update))
    preferences = replace(user.preferences, auto_cancel=not user.preferences.auto_cancel)
    await users.set_preferences(user.user_id, preferences)
    await query.answer(render("press-done"))
    await show(query, _screen(render, await users.ensure(user.user_id)))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("settings", show_settings),
        CallbackQueryHandler(toggle, pattern=ToggleSetting.pattern()),
    ]
