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
from bot.services.account_errors import AccountError
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
from bot.telegram.routing import Press, button_handlers, on_button
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
async def on_press(press: Press[RentButton]) -> None:
    """Finish (asked first), Cancel, Extend: each asks the provider and re-draws the rent
    message; "Finish" and its "Keep it" only change the message."""
    try:
        if press.button.action in ("extend", "finish", "back"):
            row = await press.services.renting.owned(press.user_id, press.button.ledger_id)
            await press.query.answer()
            if press.button.action == "extend":
                screen = extension_hours_screen(press.render, row)
                await send(press.update, screen.text, screen.keyboard)
            elif press.button.action == "finish" and row.state is RentState.ACTIVE:
                await show(press.query, finish_question_screen(press.render, row))
            else:
                now = press.services.clock.now()
                screen = await rent_card(press.services.rents, press.render, row, now)
                await show(press.query, screen)
            return
        if press.button.action == "end":
            result = await press.services.renting.finish(press.user_id, press.button.ledger_id)
        else:
            result = await press.services.renting.cancel(press.user_id, press.button.ledger_id)
    except (NotYoursError, AccountError, ProviderError) as error:
        await press.query.answer(refusal(press.render, error), show_alert=True)
        return
    if result.outcome is Outcome.DONE:
        answer = press.render(
            "rent-press-finished" if press.button.action == "end" else "rent-press-cancelled"
        )
        await press.query.answer(answer_text(answer))
    elif result.outcome is Outcome.CANCEL_REFUSED:
        await press.query.answer(answer_text(press.render("rent-cancel-refused")), show_alert=True)
    elif result.outcome is Outcome.ENDED:
        await press.query.answer(answer_text(press.render("rent-press-ended")), show_alert=True)
    else:
        refused = refused_text(press.render, "rent-press-refused", result.error)
        await press.query.answer(answer_text(refused), show_alert=True)
    now = press.services.clock.now()
    await show(press.query, await rent_card(press.services.rents, press.render, result.rent, now))


@on_button(RentExtendHours)
async def choose_extension(press: Press[RentExtendHours]) -> None:
    """An "extend by N hours" button: the provider's price, and a button to pay it."""
    if press.button.hours not in EXTENSION_HOURS:
        await press.query.answer(press.render("press-stale"))
        return
    try:
        price = await press.services.renting.extension_price(
            press.user_id, press.button.ledger_id, press.button.hours
        )
    except NotYoursError:
        await press.query.answer(press.render("press-not-yours"), show_alert=True)
        return
    except AccountError:
        await press.query.answer(press.render("key-unreadable"), show_alert=True)
        return
    except ProviderError as error:
        await press.query.answer()
        refused = press.render("rent-extend-refused", reason=press.render.error(error))
        await show(press.query, Screen(refused))
        await _refresh_card(press.context, press.render, press.button.ledger_id)
        return
    row = await press.services.renting.owned(press.user_id, press.button.ledger_id)
    extension = ExtendDraft(ledger_id=row.ledger_id, hours=press.button.hours, price=price)
    token = await with_new_token(press.context, extension)
    flows.start(press.context, extension)
    await press.query.answer()
    text = press.render(
        "rent-extend-confirm",
        phone=row.phone or "",
        duration=press.render.duration(press.button.hours),
        price=press.render.money(price),
        end=press.render.moment(row.end_date),
    )
    button = press.render.button(
        "button-rent-pay-extension", ConfirmRentExtension(token), price=press.render.money(price)
    )
    cancel = press.render.button("button-cancel", RentExtendDismiss(row.ledger_id))
    await show(press.query, Screen(text, InlineKeyboardMarkup([[button], [cancel]])))


dismiss_extension = on_dismiss(
    RentExtendDismiss,
    ExtendDraft,
    "rent-extend-dismissed",
    lambda draft, button: draft.ledger_id == button.ledger_id,
)


async def _show_extension(press: Press[ConfirmRentExtension], result: ExtensionResult) -> None:
    """The extension's outcome in place of its confirm, and the rent message re-drawn."""
    if result.status is ExtensionKind.DUPLICATE:
        return
    if result.status is ExtensionKind.EXTENDED:
        text = press.render(
            "rent-extended",
            phone=result.rent.phone or "",
            end=press.render.moment(result.rent.end_date),
        )
    elif result.status is ExtensionKind.REFUSED:
        text = refused_text(press.render, "rent-extend-refused", result.error)
    else:
        text = press.render("rent-extend-unresolved")
    await show(press.query, Screen(text))
    await _refresh_card(press.context, press.render, result.rent.ledger_id)


_CONFIRM_EXTENSION = Confirm(
    ExtendDraft,
    expired="rent-expired-menu",
    duplicate="rent-duplicate",
    in_progress="rent-in-progress",
)


@on_confirm(ConfirmRentExtension, _CONFIRM_EXTENSION, _show_extension)
async def confirm_extension(
    press: Press[ConfirmRentExtension], draft: ExtendDraft, token: str
) -> ExtensionResult:
    """The pay-for-the-extension button: at most one continueRentNumber per token."""
    return await press.services.renting.extend(
        press.user_id, draft.ledger_id, draft.hours, draft.price, token
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
