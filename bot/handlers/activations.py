"""The buttons on an activation message, and /active.

Every press is answered, asks the provider (through ActivationService), and re-draws the
message from the ledger; a press on someone else's activation, a forged button, or a stale
one changes nothing and says so.
"""

from __future__ import annotations

import html
import logging
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CallbackDataError
from bot.context import Context
from bot.handlers import extras
from bot.handlers.common import renderer, send, services, show, user_id
from bot.keyboards import ActivationButton
from bot.provider import ProviderError
from bot.rendering import Html
from bot.services.accounts import AccountError
from bot.services.activations import Command, NotYoursError, Outcome
from bot.views import activation_screen

log = logging.getLogger(__name__)

_COMMANDS = {
    "sent": Command.SMS_SENT,
    "again": Command.ANOTHER_CODE,
    "finish": Command.FINISH,
    "cancel": Command.CANCEL,
}
_DONE_ANSWERS = {
    Command.SMS_SENT: "press-sms-sent",
    Command.ANOTHER_CODE: "press-another-code",
    Command.FINISH: "press-finished",
    Command.CANCEL: "press-cancelled",
}


async def on_press(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    try:
        button = ActivationButton.unpack(query.data)
    except CallbackDataError:
        await query.answer(render("press-stale"))
        return
    actions = services(context).activation_actions
    try:
        if button.action in _COMMANDS:
            result = await actions.act(user_id(update), button.ledger_id, _COMMANDS[button.action])
        elif button.action == "autocancel":
            result = await actions.schedule_cancel(user_id(update), button.ledger_id)
        elif button.action == "refresh":
            result = await actions.refresh(user_id(update), button.ledger_id)
        else:
            await query.answer(render("press-stale"))
            return
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    except AccountError:
        await query.answer(render("key-unreadable"), show_alert=True)
        return
    except ProviderError as error:
        await query.answer(_short(render.error(error)), show_alert=True)
        return

    screen = await activation_screen(services(context).activations, render, result.activation)
    if result.outcome is Outcome.CANCEL_LATER:
        at = render.time(result.cancel_possible_at)
        await query.answer(_short(render("cancel-later", at=at)), show_alert=True)
        auto = render.button(
            "button-cancel-auto", ActivationButton("autocancel", result.activation.ledger_id)
        )
        keyboard = screen.keyboard
        rows = [list(row) for row in keyboard.inline_keyboard] if keyboard else []
        rows.append([auto])
        await show(query, type(screen)(screen.text, InlineKeyboardMarkup(rows)))
        return
    if result.outcome is Outcome.DONE:
        if button.action == "autocancel":
            answer = render("cancel-scheduled", at=render.time(result.cancel_possible_at))
        elif button.action == "refresh":
            answer = render("press-done")
            line = await extras.call_line(context, render, user_id(update), result.activation)
            if line is not None:  # a call-verification number: what the provider says of it
                screen = type(screen)(Html(f"{screen.text}\n{line}"), screen.keyboard)
        else:
            answer = render(_DONE_ANSWERS[_COMMANDS[button.action]])
    elif result.outcome is Outcome.ENDED:
        answer = render("press-ended")
    else:
        answer = render("press-refused")
    await query.answer(_short(answer))
    await show(query, screen)


async def list_active(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    svc = services(context)
    rows = await svc.activations.active_for_user(user_id(update))
    if not rows:
        await send(update, render("active-none"))
        return
    await send(update, render("active-header", count=len(rows)))
    for row in rows:
        screen = await activation_screen(svc.activations, render, row)
        message = await send(update, screen.text, screen.keyboard)
        # This message now shows the activation: pushes update it from here on.
        await svc.activations.set_message(
            row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
        )


def _short(text: str) -> str:
    """Callback answers are limited to 200 characters and show no HTML."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return plain if len(plain) <= 200 else plain[:199] + "…"


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("active", list_active),
        CallbackQueryHandler(on_press, pattern=ActivationButton.pattern()),
    ]
