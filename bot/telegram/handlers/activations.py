"""The buttons on an activation message, and /active.

Every press is answered at once, then asks the provider (through ActivationService), and
re-draws the message from the ledger with the outcome under it; a press on someone else's
activation, a forged button, or a stale one changes nothing and says so.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderError
from bot.services.account_errors import AccountError
from bot.services.activations import Command
from bot.services.results import ActivationActionResult, NotYoursError, Outcome
from bot.telegram.buttons.activation import ActivationButton, ActiveList
from bot.telegram.cards import redraw_card
from bot.telegram.context import Context
from bot.telegram.handlers import extras, rent_actions
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Press, on_button
from bot.telegram.screens.activation import activation_screen
from bot.telegram.screens.active import active_list_screen, cancel_all_screen, without_code
from storage.activations import Activation, ActivationState

log = logging.getLogger(__name__)

_LIVE = (ActivationState.WAITING, ActivationState.CODE_RECEIVED, ActivationState.RETRY)

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
async def on_press(press: Press[ActivationButton]) -> None:
    """Answers the press at once, then asks the provider, then shows the outcome on the card.

    The answer cannot wait for the provider: reads are retried for up to a minute, Telegram
    rejects an answer that comes that late, and the user would see a spinner and then
    nothing. So only what needs no provider (a stale or foreign button) is said in the
    answer; every outcome, alerts included, is written on the activation message itself.
    """
    actions = press.services.activation_actions
    notice: Html | None
    try:
        row = await actions.owned(press.user_id, press.button.ledger_id)
    except NotYoursError:
        await press.query.answer(press.render("press-not-yours"), show_alert=True)
        return
    await press.query.answer(press.render("press-working"))
    try:
        result = await _carry_out(press)
    except NotYoursError:  # gone between the check and the call: nothing was asked
        await _show_card(press, row, press.render("press-not-yours"))
        return
    except AccountError:
        await _show_card(press, row, press.render("key-unreadable"))
        return
    except ProviderError as error:
        notice = press.render("request-failed", reason=press.render.error(error))
        await _show_card(press, row, notice)
        return
    if result.outcome is Outcome.CANCEL_LATER:
        notice = press.render("cancel-later", at=press.render.time(result.cancel_possible_at))
        auto = ActivationButton("autocancel", result.activation.ledger_id)
        await _show_card(press, result.activation, notice, auto)
        return
    if result.outcome is Outcome.DONE:
        if press.button.action == "autocancel":
            notice = press.render(
                "cancel-scheduled", at=press.render.time(result.cancel_possible_at)
            )
        elif press.button.action == "refresh":
            # When it was asked, so a card that did not change still shows the press worked.
            notice = press.render(
                "press-refreshed", at=press.render.time(press.services.clock.now())
            )
            line = await extras.call_line(
                press.context, press.render, press.user_id, result.activation
            )
            if line is not None:  # a call-verification number: what the provider says of it
                notice = Html(f"{line}\n{notice}")
        else:
            done = _DONE_NOTICES.get(_COMMANDS[press.button.action])
            notice = None if done is None else press.render(done)
    elif result.outcome is Outcome.ENDED:
        notice = press.render("press-ended")
        if press.button.action == "refresh":  # a call-verification number the call just ended
            line = await extras.call_line(
                press.context, press.render, press.user_id, result.activation
            )
            if line is not None:
                notice = Html(f"{line}\n{notice}")
    else:
        notice = press.render("press-refused")
    await _show_card(press, result.activation, notice)


async def _carry_out(press: Press[ActivationButton]) -> ActivationActionResult:
    actions, button, user = press.services.activation_actions, press.button, press.user_id
    if button.action in _COMMANDS:
        return await actions.act(user, button.ledger_id, _COMMANDS[button.action])
    if button.action == "autocancel":
        return await actions.schedule_cancel(user, button.ledger_id)
    return await actions.refresh(user, button.ledger_id)


async def _show_card(
    press: Press[ActivationButton],
    row: Activation,
    notice: Html | None,
    extra: ActivationButton | None = None,
) -> None:
    """The activation card as the ledger has it now, with what the press did under it."""
    ledger = press.services.activations
    screen = await activation_screen(ledger, press.render, row, notice=notice, extra=extra)
    await show(press.query, screen)


async def list_active(update: Update, context: Context) -> None:
    """One message for the live numbers: the card itself when there is one, else a row per
    number that opens its card (so no number has two live copies); rents follow."""
    render = await renderer(update, context)
    svc = services(context)
    rows = await svc.activations.active_for_user(user_id(update))
    rents = await svc.rents.active_for_user(user_id(update))
    if not rows and not rents:
        await send(update, render("active-none"))
        return
    if len(rows) > 1:
        screen = active_list_screen(render, rows, len(rents))
        await send(update, screen.text, screen.keyboard)
    else:
        await send(update, render("active-header", count=len(rows) + len(rents)))
        for row in rows:
            await _send_card(update, context, render, row)
    await rent_actions.send_active_rents(update, context, render)


async def _send_card(update: Update, context: Context, render: Renderer, row: Activation) -> None:
    """The activation's card as a new message, which pushes update from now on; the message
    that showed it before loses its buttons and says where the card went."""
    svc = services(context)
    screen = await activation_screen(svc.activations, render, row)
    message = await send(update, screen.text, screen.keyboard)
    await svc.activations.set_message(
        row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
    )
    if row.message_id is not None and row.message_id != message.message_id:
        moved = Screen(render("activation-card-moved", phone=row.phone or ""))
        what = f"old card {row.ledger_id}"
        await redraw_card(context.bot, row.chat_id, row.message_id, moved, what)


@on_button(ActiveList)
async def on_list_press(press: Press[ActiveList]) -> None:
    """A press on /active's list: open a card, or cancel every number without a code."""
    if press.button.action == "open":
        try:
            row = await press.services.activation_actions.owned(
                press.user_id, press.button.ledger_id
            )
        except NotYoursError:
            await press.query.answer(press.render("press-not-yours"), show_alert=True)
            return
        await press.query.answer()
        if row.state in _LIVE:
            await _send_card(press.update, press.context, press.render, row)
        await _show_list(press)
        return
    await press.query.answer()
    rows = await press.services.activations.active_for_user(press.user_id)
    if press.button.action == "cancelall" and without_code(rows):
        await show(press.query, cancel_all_screen(press.render, rows))
        return
    notice = (
        await _cancel_all(press.context, press.render, press.user_id, rows)
        if press.button.action == "confirm"
        else None
    )
    await _show_list(press, notice)


async def _show_list(press: Press[ActiveList], notice: Html | None = None) -> None:
    svc, render = press.services, press.render
    rows = await svc.activations.active_for_user(press.user_id)
    rents = await svc.rents.active_for_user(press.user_id)
    if not rows and not rents and notice is None:
        await show(press.query, Screen(render("active-none")))
        return
    await show(press.query, active_list_screen(render, rows, len(rents), notice))


async def _cancel_all(
    context: Context, render: Renderer, user: int, rows: list[Activation]
) -> Html:
    """Cancels each live number without a code (a refund, never a charge); one the provider
    does not let go yet is cancelled automatically when it does. Says what happened."""
    actions = services(context).activation_actions
    cancelled = later = failed = 0
    for row in without_code(rows):
        try:
            result = await actions.act(user, row.ledger_id, Command.CANCEL)
            if result.outcome is Outcome.CANCEL_LATER:
                result = await actions.schedule_cancel(user, row.ledger_id)
                later += 1
            elif result.outcome is Outcome.DONE:
                cancelled += 1
            else:
                failed += 1
        except (NotYoursError, AccountError, ProviderError) as error:
            log.info("cancel all: %s not cancelled: %s", row.ledger_id, type(error).__name__)
            failed += 1
            continue
        await _redraw(context, render, result.activation)
    return render("active-cancelled-all", cancelled=cancelled, later=later, failed=failed)


async def _redraw(context: Context, render: Renderer, row: Activation) -> None:
    """The row's card (wherever it is) as the ledger has it now; best effort."""
    if row.message_id is None:
        return
    screen = await activation_screen(services(context).activations, render, row)
    await redraw_card(context.bot, row.chat_id, row.message_id, screen, f"card {row.ledger_id}")


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("active", list_active),
        on_press.handler(),
        on_list_press.handler(),
    ]
