"""The buttons on an activation message, and /active.

Every press is answered at once, then asks the provider (through ActivationService), and
re-draws the message from the ledger with the outcome under it; a press on someone else's
activation, a forged button, or a stale one changes nothing and says so.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderError
from bot.services.accounts import AccountError
from bot.services.activations import Command
from bot.services.results import ActivationActionResult, NotYoursError, Outcome
from bot.telegram.buttons.activation import ActivationButton
from bot.telegram.context import Context
from bot.telegram.handlers import extras, rent_actions
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Html, Renderer
from bot.telegram.routing import on_button
from bot.telegram.screens.activation import activation_screen
from storage.activations import Activation

log = logging.getLogger(__name__)

_COMMANDS = {
    "sent": Command.SMS_SENT,
    "again": Command.ANOTHER_CODE,
    "finish": Command.FINISH,
    "cancel": Command.CANCEL,
}
# What a done press adds under the card: only what its new state does not say already
# ("✔️ Finished." needs no "Finished." under it); "SMS sent" leaves the state as it was.
_DONE_NOTICES = {Command.SMS_SENT: "press-sms-sent"}


@on_button(ActivationButton)
async def on_press(
    update: Update, context: Context, button: ActivationButton, render: Renderer
) -> None:
    """Answers the press at once, then asks the provider, then shows the outcome on the card.

    The answer cannot wait for the provider: reads are retried for up to a minute, Telegram
    rejects an answer that comes that late, and the user would see a spinner and then
    nothing. So only what needs no provider (a stale or foreign button) is said in the
    answer; every outcome, alerts included, is written on the activation message itself.
    """
    query = update.callback_query
    assert query is not None
    actions = services(context).activation_actions
    notice: Html | None
    try:
        row = await actions.owned(user_id(update), button.ledger_id)
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    await query.answer(render("press-working"))
    try:
        result = await _carry_out(context, update, button)
    except NotYoursError:  # gone between the check and the call: nothing was asked
        await _show_card(query, context, render, row, render("press-not-yours"))
        return
    except AccountError:
        await _show_card(query, context, render, row, render("key-unreadable"))
        return
    except ProviderError as error:
        notice = render("request-failed", reason=render.error(error))
        await _show_card(query, context, render, row, notice)
        return
    if result.outcome is Outcome.CANCEL_LATER:
        notice = render("cancel-later", at=render.time(result.cancel_possible_at))
        auto = ActivationButton("autocancel", result.activation.ledger_id)
        await _show_card(query, context, render, result.activation, notice, auto)
        return
    if result.outcome is Outcome.DONE:
        if button.action == "autocancel":
            notice = render("cancel-scheduled", at=render.time(result.cancel_possible_at))
        elif button.action == "refresh":
            # When it was asked, so a card that did not change still shows the press worked.
            notice = render("press-refreshed", at=render.time(services(context).clock.now()))
            line = await extras.call_line(context, render, user_id(update), result.activation)
            if line is not None:  # a call-verification number: what the provider says of it
                notice = Html(f"{line}\n{notice}")
        else:
            done = _DONE_NOTICES.get(_COMMANDS[button.action])
            notice = None if done is None else render(done)
    elif result.outcome is Outcome.ENDED:
        notice = render("press-ended")
        if button.action == "refresh":  # a call-verification number the call just ended
            line = await extras.call_line(context, render, user_id(update), result.activation)
            if line is not None:
                notice = Html(f"{line}\n{notice}")
    else:
        notice = render("press-refused")
    await _show_card(query, context, render, result.activation, notice)


async def _carry_out(
    context: Context, update: Update, button: ActivationButton
) -> ActivationActionResult:
    actions = services(context).activation_actions
    if button.action in _COMMANDS:
        return await actions.act(user_id(update), button.ledger_id, _COMMANDS[button.action])
    if button.action == "autocancel":
        return await actions.schedule_cancel(user_id(update), button.ledger_id)
    return await actions.refresh(user_id(update), button.ledger_id)


async def _show_card(
    query: CallbackQuery,
    context: Context,
    render: Renderer,
    row: Activation,
    notice: Html | None,
    extra: ActivationButton | None = None,
) -> None:
    """The activation card as the ledger has it now, with what the press did under it."""
    ledger = services(context).activations
    await show(query, await activation_screen(ledger, render, row, notice=notice, extra=extra))


async def list_active(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    svc = services(context)
    rows = await svc.activations.active_for_user(user_id(update))
    rents = await svc.rents.active_for_user(user_id(update))
    if not rows and not rents:
        await send(update, render("active-none"))
        return
    await send(update, render("active-header", count=len(rows) + len(rents)))
    for row in rows:
        screen = await activation_screen(svc.activations, render, row)
        message = await send(update, screen.text, screen.keyboard)
        # This message now shows the activation: pushes update it from here on.
        await svc.activations.set_message(
            row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
        )
    await rent_actions.send_active_rents(update, context, render)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("active", list_active),
        on_press.handler(),
    ]
