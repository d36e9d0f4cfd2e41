"""/buy's Buy button: the one paid call for the confirm screen's token, and what it shows.

Sequential updates plus the ledger's unique key make a token buy at most once, however often
its button is tapped; a tap the ledger could not record leaves the same Buy to tap again.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.provider import OutcomeUnknownError
from bot.services.accounts import AccountError
from bot.services.purchases import (
    LedgerUnavailableError,
    PurchaseRequest,
    PurchaseResult,
    PurchaseStatus,
)
from bot.services.spending import SpendingCapError
from bot.telegram import flows
from bot.telegram.buttons.buy import BuyNavigation, ConfirmPurchase
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft, chosen_country, chosen_service
from bot.telegram.handlers.common import chat_id, services, show, user_id, with_new_balance
from bot.telegram.handlers.drafts import Verdict, confirm_verdict, draft_in
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import on_button, pressed, show_unpaid_refusal
from bot.telegram.screens.activation import activation_screen


@on_button(ConfirmPurchase)
async def confirm(
    update: Update, context: Context, button: ConfirmPurchase, render: Renderer
) -> None:
    """The buy button. Sequential updates plus the ledger's unique key make it buy once."""
    query = pressed(update)
    token = button.token
    draft = draft_in(context, BuyDraft)
    verdict = await confirm_verdict(update, context, draft, token)
    if verdict is Verdict.STALE:
        # An old confirm screen's price may no longer hold: ask for a fresh one.
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    if verdict is Verdict.DUPLICATE:
        await query.answer(render("buy-duplicate"))
        return
    if verdict is Verdict.UNAVAILABLE:
        # Nothing was bought: the same Buy stays, to tap again once the database recovers.
        await query.answer()
        message = query.message
        keyboard = message.reply_markup if isinstance(message, Message) else None
        await show(query, Screen(render("buy-not-recorded"), keyboard))
        return
    assert draft is not None and draft.price is not None
    await query.answer(render("buy-in-progress"))
    # With several providers, Buy buys where the screen's chosen row sells, in its codes.
    at = draft.buy_at
    request = PurchaseRequest(
        service=at.service if at else chosen_service(draft),
        country=at.country if at else chosen_country(draft),
        operator=draft.operator,
        shown_price=draft.price,
        max_price=draft.max_price,
        forward=bool(draft.forward and draft.forward_number),
        forward_number=draft.forward_number,
        verification=draft.verification,
        service_name=draft.service_name,
        country_names=draft.country_names,
    )
    svc = services(context)
    try:
        result = await svc.purchases.buy(
            user_id(update), chat_id(update), request, token, provider=at.provider if at else None
        )
    except (SpendingCapError, AccountError) as refused:  # nothing recorded or paid
        await show_unpaid_refusal(query, render, refused)
        return
    except LedgerUnavailableError:
        # Nothing was bought: the same Buy stays, to tap again once the database recovers.
        message = query.message
        keyboard = message.reply_markup if isinstance(message, Message) else None
        await show(query, Screen(render("buy-not-recorded"), keyboard))
        return
    draft.done = True
    flows.save(context, draft)
    await _show_result(query, context, render, result)


async def _show_result(
    query: CallbackQuery, context: Context, render: Renderer, result: PurchaseResult
) -> None:
    svc = services(context)
    if result.status is PurchaseStatus.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is PurchaseStatus.BOUGHT and result.activation is not None:
        screen = await activation_screen(svc.activations, render, result.activation)
        screen = await with_new_balance(context, result.activation.user_id, render, screen)
        await show(query, screen)
        message = query.message
        if message is not None:
            await svc.activations.set_message(
                result.activation.ledger_id, chat_id=message.chat.id, message_id=message.message_id
            )
        return
    if result.status is PurchaseStatus.REFUSED:
        if isinstance(result.error, OutcomeUnknownError):
            # The paid call's reply could not be read, and the provider's own list was
            # checked at once: that, not "unreadable", is what the user needs to know.
            text = render("buy-checked-not-bought")
        else:
            reason = render.error(result.error) if result.error else render("error-generic")
            text = render("buy-refused", reason=reason)
        # A way on: a fresh confirm (new price, new token), another country, or leave.
        keyboard = InlineKeyboardMarkup(
            [
                [render.button("button-try-again", BuyNavigation("confirm"))],
                [
                    render.button("button-back", BuyNavigation("countries")),
                    render.button("button-cancel", BuyNavigation("abort")),
                ],
            ]
        )
        await show(query, Screen(text, keyboard))
        return
    if result.status is PurchaseStatus.UNRECORDED:
        await show(query, Screen(render("buy-unrecorded")))
        return
    await show(query, Screen(render("buy-unresolved")))
