"""The rent message's buttons (Finish, Cancel, Extend), the extension's confirm, and /active's
rents.

Every press is answered, asks the provider (through RentService), and re-draws the rent
message from the ledger; a press on someone else's rent, a forged button or a stale one
changes nothing and says so. An extension shows the provider's price and is paid under a token
minted by that screen: however often its button is tapped, it pays once.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.provider import ProviderError
from bot.services.accounts import AccountError
from bot.services.rents import ExtensionKind, ExtensionResult
from bot.services.results import NotYoursError, Outcome
from bot.telegram import flows
from bot.telegram.buttons.rent import (
    ConfirmRentExtension,
    RentButton,
    RentExtendDismiss,
    RentExtendHours,
)
from bot.telegram.cards import redraw_card
from bot.telegram.confirms import Confirm, on_confirm, on_dismiss, refused_text
from bot.telegram.context import Context
from bot.telegram.flow_types import ExtendDraft
from bot.telegram.handlers.common import answer_text, refusal, send, services, show, user_id
from bot.telegram.handlers.drafts import with_new_token
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import button_handlers, on_button, pressed
from bot.telegram.screens.rent import (
    EXTENSION_HOURS,
    extension_hours_screen,
    finish_question_screen,
    rent_card,
)
from storage.rents import Rent, RentState

log = logging.getLogger(__name__)



# --- the rent message's buttons ---------------------------------------------------------------


@on_button(RentButton)
async def on_press(
    update: Update, context: Context, button: RentButton, render: Renderer
) -> None:
    """Finish (asked first), Cancel, Extend: each asks the provider and re-draws the rent
    message; "Finish" and its "Keep it" only change the message."""
    query = pressed(update)
    svc = services(context)
    try:
        if button.action in ("extend", "finish", "back"):
            row = await svc.renting.owned(user_id(update), button.ledger_id)
            await query.answer()
            if button.action == "extend":
                screen = extension_hours_screen(render, row)
                await send(update, screen.text, screen.keyboard)
            elif button.action == "finish" and row.state is RentState.ACTIVE:
                await show(query, finish_question_screen(render, row))
            else:
                await show(query, await rent_card(svc.rents, render, row, svc.clock.now()))
            return
        if button.action == "end":
            result = await svc.renting.finish(user_id(update), button.ledger_id)
        else:
            result = await svc.renting.cancel(user_id(update), button.ledger_id)
    except (NotYoursError, AccountError, ProviderError) as error:
        await query.answer(refusal(render, error), show_alert=True)
        return
    if result.outcome is Outcome.DONE:
        answer = render(
            "rent-press-finished" if button.action == "end" else "rent-press-cancelled"
        )
        await query.answer(answer_text(answer))
    elif result.outcome is Outcome.CANCEL_REFUSED:
        await query.answer(answer_text(render("rent-cancel-refused")), show_alert=True)
    elif result.outcome is Outcome.ENDED:
        await query.answer(answer_text(render("rent-press-ended")), show_alert=True)
    else:
        refused = refused_text(render, "rent-press-refused", result.error)
        await query.answer(answer_text(refused), show_alert=True)
    await show(query, await rent_card(svc.rents, render, result.rent, svc.clock.now()))


@on_button(RentExtendHours)
async def choose_extension(
    update: Update, context: Context, choice: RentExtendHours, render: Renderer
) -> None:
    """An "extend by N hours" button: the provider's price, and a button to pay it."""
    query = pressed(update)
    svc = services(context)
    if choice.hours not in EXTENSION_HOURS:
        await query.answer(render("press-stale"))
        return
    try:
        price = await svc.renting.extension_price(user_id(update), choice.ledger_id, choice.hours)
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    except AccountError:
        await query.answer(render("key-unreadable"), show_alert=True)
        return
    except ProviderError as error:
        await query.answer()
        await show(query, Screen(render("rent-extend-refused", reason=render.error(error))))
        await _refresh_card(context, render, choice.ledger_id)
        return
    row = await svc.renting.owned(user_id(update), choice.ledger_id)
    extension = ExtendDraft(ledger_id=row.ledger_id, hours=choice.hours, price=price)
    token = await with_new_token(context, extension)
    flows.start(context, extension)
    await query.answer()
    text = render(
        "rent-extend-confirm",
        phone=row.phone or "",
        duration=render.duration(choice.hours),
        price=render.money(price),
        end=render.moment(row.end_date),
    )
    button = render.button(
        "button-rent-pay-extension", ConfirmRentExtension(token), price=render.money(price)
    )
    cancel = render.button("button-cancel", RentExtendDismiss(row.ledger_id))
    await show(query, Screen(text, InlineKeyboardMarkup([[button], [cancel]])))


dismiss_extension = on_dismiss(
    RentExtendDismiss,
    ExtendDraft,
    "rent-extend-dismissed",
    lambda draft, button: draft.ledger_id == button.ledger_id,
)


async def _show_extension(
    update: Update, context: Context, render: Renderer, result: ExtensionResult
) -> None:
    """The extension's outcome in place of its confirm, and the rent message re-drawn."""
    if result.status is ExtensionKind.DUPLICATE:
        return
    if result.status is ExtensionKind.EXTENDED:
        text = render(
            "rent-extended", phone=result.rent.phone or "", end=render.moment(result.rent.end_date)
        )
    elif result.status is ExtensionKind.REFUSED:
        text = refused_text(render, "rent-extend-refused", result.error)
    else:
        text = render("rent-extend-unresolved")
    await show(pressed(update), Screen(text))
    await _refresh_card(context, render, result.rent.ledger_id)


_CONFIRM_EXTENSION = Confirm(
    ExtendDraft,
    expired="rent-expired-menu",
    duplicate="rent-duplicate",
    in_progress="rent-in-progress",
)


@on_confirm(ConfirmRentExtension, _CONFIRM_EXTENSION, _show_extension)
async def confirm_extension(
    update: Update, context: Context, draft: ExtendDraft, token: str, render: Renderer
) -> ExtensionResult:
    """The pay-for-the-extension button: at most one continueRentNumber per token."""
    return await services(context).renting.extend(
        user_id(update), draft.ledger_id, draft.hours, draft.price, token
    )


async def _refresh_card(context: Context, render: Renderer, ledger_id: int) -> None:
    """Re-draws the rent message (its end date or state changed); best effort."""
    svc = services(context)
    row = await svc.rents.get(ledger_id)
    if row is None or row.message_id is None:
        return
    screen = await rent_card(svc.rents, render, row, svc.clock.now())
    await redraw_card(context.bot, row.chat_id, row.message_id, screen, f"rent {ledger_id}")


async def send_active_rents(update: Update, context: Context, render: Renderer) -> int:
    """/active's rent part: one message per live rent, which pushes update from then on."""
    svc = services(context)
    rows: list[Rent] = await svc.rents.active_for_user(user_id(update))
    for row in rows:
        screen = await rent_card(svc.rents, render, row, svc.clock.now())
        message = await send(update, screen.text, screen.keyboard)
        await svc.rents.set_message(
            row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
        )
    return len(rows)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        *button_handlers(on_press, choose_extension, confirm_extension, dismiss_extension),
    ]
