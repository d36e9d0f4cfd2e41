"""/forgetkey: deletes the user's key for the current provider, after asking.

The question's buttons carry a short digest of the provider they ask about, so a switch of
provider in between makes them stale rather than deleting another provider's key.
"""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.services.accounts import LiveNumbersError
from bot.telegram.buttons.settings import ForgetKey
from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import on_button, pressed


async def forget_key(update: Update, context: Context) -> None:
    """/forgetkey: asks first (a deleted key has to be found and sent again), unless there is
    nothing to delete or live numbers need the key."""
    render = await renderer(update, context)
    accounts = services(context).accounts
    endpoint = await accounts.endpoint_of(user_id(update))
    try:
        stored = await accounts.key_to_forget(user_id(update))
    except LiveNumbersError:
        await send(update, render("key-busy", provider=endpoint.title))
        return
    if stored is None:
        await send(update, render("key-nothing-to-forget", provider=endpoint.title))
        return
    check = _digest(stored.key)
    keyboard = InlineKeyboardMarkup(
        [
            [
                render.button("button-forget-key-yes", ForgetKey("yes", check)),
                render.button("button-forget-key-no", ForgetKey("no", check)),
            ]
        ]
    )
    await send(update, render("key-forget-ask", provider=stored.title), keyboard)


@on_button(ForgetKey)
async def confirm_forget_key(
    update: Update, context: Context, button: ForgetKey, render: Renderer
) -> None:
    """/forgetkey's answer: "yes" deletes the key it asked about, "no" keeps it."""
    query = pressed(update)
    accounts = services(context).accounts
    endpoint = await accounts.endpoint_of(user_id(update))
    if button.check != _digest(endpoint.key):  # the provider changed since the question
        await query.answer(render("press-stale"), show_alert=True)
        return
    await query.answer()
    if button.answer == "no":
        await show(query, Screen(render("key-kept", provider=endpoint.title)))
        return
    try:
        deleted = await accounts.forget_key(user_id(update))
    except LiveNumbersError:
        await show(query, Screen(render("key-busy", provider=endpoint.title)))
        return
    message = "key-forgotten" if deleted else "key-nothing-to-forget"
    await show(query, Screen(render(message, provider=endpoint.title)))


def _digest(provider: str) -> str:
    """A short digest of a provider's key name: fits a button, names no URL."""
    return hashlib.sha256(provider.encode("utf-8")).hexdigest()[:10]


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("forgetkey", forget_key), confirm_forget_key.handler()]
