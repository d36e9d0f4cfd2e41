"""The rent message's buttons (Finish, Cancel, Extend), the extension's confirm, and /active's
rents.

Every press is answered, asks the provider (through RentService), and re-draws the rent
message from the ledger; a press on someone else's rent, a forged button or a stale one
changes nothing and says so. An extension shows the provider's price and is paid under a token
minted by that screen: however often its button is tapped, it pays once.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import CallbackDataError
from bot.cards import redraw_card
from bot.context import Context
from bot.handlers.common import answer_text, refusal, renderer, send, services, show, user_id
from bot.handlers.drafts import claim_confirm, issue_token
from bot.keyboards import ConfirmRentExtension, RentButton, RentExtendHours
from bot.provider import ProviderError
from bot.rendering import Renderer, Screen
from bot.rent_views import EXTENSION_HOURS, extension_hours_screen, rent_screen, when
from bot.services.accounts import AccountError
from bot.services.rents import ExtensionKind
from bot.services.results import NotYoursError, Outcome
from storage.rents import Rent

log = logging.getLogger(__name__)

EXTEND: Final = "rent_extend"  # user_data key: the extension being confirmed


# --- the rent message's buttons ---------------------------------------------------------------


async def on_press(update: Update, context: Context) -> None:
    """Finish, Cancel, Extend: each asks the provider and re-draws the rent message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    try:
        button = RentButton.unpack(query.data)
    except CallbackDataError:
        await query.answer(render("press-stale"))
        return
    svc = services(context)
    try:
        if button.action == "extend":
            row = await svc.renting.owned(user_id(update), button.ledger_id)
            await query.answer()
            screen = extension_hours_screen(render, row)
            await send(update, screen.text, screen.keyboard)
            return
        if button.action == "finish":
            result = await svc.renting.finish(user_id(update), button.ledger_id)
        elif button.action == "cancel":
            result = await svc.renting.cancel(user_id(update), button.ledger_id)
        else:
            await query.answer(render("press-stale"))
            return
    except (NotYoursError, AccountError, ProviderError) as error:
        await query.answer(refusal(render, error), show_alert=True)
        return
    if result.outcome is Outcome.DONE:
        answer = render(
            "rent-press-finished" if button.action == "finish" else "rent-press-cancelled"
        )
        await query.answer(answer_text(answer))
    elif result.outcome is Outcome.CANCEL_REFUSED:
        await query.answer(answer_text(render("rent-cancel-refused")), show_alert=True)
    elif result.outcome is Outcome.ENDED:
        await query.answer(answer_text(render("rent-press-ended")), show_alert=True)
    else:
        reason = render.error(result.error) if result.error else render("error-generic")
        await query.answer(
            answer_text(render("rent-press-refused", reason=reason)), show_alert=True
        )
    await show(query, rent_screen(render, result.rent, svc.clock.now()))


async def choose_extension(update: Update, context: Context) -> None:
    """An "extend by N hours" button: the provider's price, and a button to pay it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    svc = services(context)
    try:
        choice = RentExtendHours.unpack(query.data)
        if choice.hours not in EXTENSION_HOURS:
            raise CallbackDataError("not an offered duration")
    except CallbackDataError:
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
    token = await issue_token(context, "extend")
    assert context.user_data is not None
    context.user_data[EXTEND] = {
        "token": token,
        "ledger_id": row.ledger_id,
        "hours": choice.hours,
        "price": str(price),
        "at": svc.clock.now(),
        "done": False,
    }
    await query.answer()
    text = render(
        "rent-extend-confirm",
        phone=row.phone or "",
        hours=choice.hours,
        price=render.money(price),
        end=when(row.end_date),
    )
    button = render.button(
        "button-rent-pay-extension", ConfirmRentExtension(token), price=render.money(price)
    )
    await show(query, Screen(text, InlineKeyboardMarkup([[button]])))


async def confirm_extension(update: Update, context: Context) -> None:
    """The pay-for-the-extension button: at most one continueRentNumber per token."""
    query = update.callback_query
    assert query is not None
    render = await renderer(update, context)
    svc = services(context)
    claimed = await claim_confirm(
        update,
        context,
        render,
        ConfirmRentExtension.unpack,
        EXTEND,
        expired="rent-expired-menu",
        duplicate="rent-duplicate",
        in_progress="rent-in-progress",
    )
    if claimed is None:
        return
    draft, token = claimed
    try:
        result = await svc.renting.extend(
            user_id(update),
            int(draft["ledger_id"]),
            int(draft["hours"]),
            Decimal(draft["price"]),
            token,
        )
    except NotYoursError:
        await show(query, Screen(render("press-not-yours")))
        return
    except AccountError:
        await show(query, Screen(render("key-unreadable")))
        return
    draft["done"] = True
    if result.status is ExtensionKind.DUPLICATE:
        return
    if result.status is ExtensionKind.EXTENDED:
        text = render(
            "rent-extended", phone=result.rent.phone or "", end=when(result.rent.end_date)
        )
    elif result.status is ExtensionKind.REFUSED:
        reason = render.error(result.error) if result.error else render("error-generic")
        text = render("rent-extend-refused", reason=reason)
    else:
        text = render("rent-extend-unresolved")
    await show(query, Screen(text))
    await _refresh_card(context, render, result.rent.ledger_id)


async def _refresh_card(context: Context, render: Renderer, ledger_id: int) -> None:
    """Re-draws the rent message (its end date or state changed); best effort."""
    svc = services(context)
    row = await svc.rents.get(ledger_id)
    if row is None or row.message_id is None:
        return
    screen = rent_screen(render, row, svc.clock.now())
    await redraw_card(context.bot, row.chat_id, row.message_id, screen, f"rent {ledger_id}")


async def send_active_rents(update: Update, context: Context, render: Renderer) -> int:
    """/active's rent part: one message per live rent, which pushes update from then on."""
    svc = services(context)
    rows: list[Rent] = await svc.rents.active_for_user(user_id(update))
    for row in rows:
        screen = rent_screen(render, row, svc.clock.now())
        message = await send(update, screen.text, screen.keyboard)
        await svc.rents.set_message(
            row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
        )
    return len(rows)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CallbackQueryHandler(on_press, pattern=RentButton.pattern()),
        CallbackQueryHandler(choose_extension, pattern=RentExtendHours.pattern()),
        CallbackQueryHandler(confirm_extension, pattern=ConfirmRentExtension.pattern()),
    ]
