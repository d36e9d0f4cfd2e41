"""/forgetkey: deletes the user's key for the current provider, after asking.

The question's buttons carry a short digest of the provider they ask about, so a switch of
provider in between makes them stale rather than deleting another provider's key.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.services.account_errors import LiveNumbersError
from bot.telegram.buttons.settings import ForgetKey
from bot.telegram.buttons.shapes import digest
from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Screen
from bot.telegram.routing import Press, on_button


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
    check = digest(stored.key, 10)
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
async def confirm_forget_key(press: Press[ForgetKey]) -> None:
    """/forgetkey's answer: "yes" deletes the key it asked about, "no" keeps it."""
    accounts = press.services.accounts
    endpoint = await accounts.endpoint_of(press.user_id)
    if press.button.check != digest(endpoint.key, 10):  # the provider changed since the question
        await press.query.answer(press.render("press-stale"), show_alert=True)
        return
    await press.query.answer()
    if press.button.answer == "no":
        await show(press.query, Screen(press.render("key-kept", provider=endpoint.title)))
        return
    try:
        deleted = await accounts.forget_key(press.user_id)
    except LiveNumbersError:
        await show(press.query, Screen(press.render("key-busy", provider=endpoint.title)))
        return
    message = "key-forgotten" if deleted else "key-nothing-to-forget"
    await show(press.query, Screen(press.render(message, provider=endpoint.title)))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("forgetkey", forget_key), confirm_forget_key.handler()]
