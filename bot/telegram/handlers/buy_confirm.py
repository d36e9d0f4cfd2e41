"""/buy's Buy button: the one paid call for the confirm screen's token, and what it shows.

Sequential updates plus the ledger's unique key make a token buy at most once, however often
its button is tapped; a tap the ledger could not record leaves the same Buy to tap again.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.provider import OutcomeUnknownError
from bot.services.purchases import PurchaseRequest, PurchaseResult, PurchaseStatus
from bot.telegram.buttons.buy import BuyNavigation, ConfirmPurchase
from bot.telegram.confirms import Confirm, Token, on_confirm, refused_text, show_paid
from bot.telegram.flow_types import BuyDraft, chosen_country, chosen_service
from bot.telegram.handlers.common import show
from bot.telegram.rendering import Screen
from bot.telegram.routing import Press
from bot.telegram.screens.activation import activation_screen


async def show_purchase(
    press: Press[Token], result: PurchaseResult, *, new_balance: bool = False
) -> None:
    """Turns the confirm message into the bought activation's message (watched from here;
    with the balance left if ``new_balance``), or says why nothing was bought."""
    if result.status is PurchaseStatus.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is PurchaseStatus.BOUGHT and result.activation is not None:
        row = result.activation
        screen = await activation_screen(press.services.activations, press.render, row)
        set_message = press.services.activations.set_message
        await show_paid(press, row, screen, set_message, new_balance=new_balance)
        return
    if result.status is PurchaseStatus.REFUSED:
        await show(press.query, Screen(refused_text(press.render, "buy-refused", result.error)))
        return
    await show(press.query, Screen(press.render("buy-unresolved")))


async def _show_result(press: Press[ConfirmPurchase], result: PurchaseResult) -> None:
    """/buy's purchase with the balance left; a refusal with a way on; an unrecorded one."""
    if result.status is PurchaseStatus.REFUSED:
        if isinstance(result.error, OutcomeUnknownError):
            # The paid call's reply could not be read, and the provider's own list was
            # checked at once: that, not "unreadable", is what the user needs to know.
            text = press.render("buy-checked-not-bought")
        else:
            text = refused_text(press.render, "buy-refused", result.error)
        # A way on: a fresh confirm (new price, new token), another country, or leave.
        keyboard = InlineKeyboardMarkup(
            [
                [press.render.button("button-try-again", BuyNavigation("confirm"))],
                [
                    press.render.button("button-back", BuyNavigation("countries")),
                    press.render.button("button-cancel", BuyNavigation("abort")),
                ],
            ]
        )
        await show(press.query, Screen(text, keyboard))
    elif result.status is PurchaseStatus.UNRECORDED:
        await show(press.query, Screen(press.render("buy-unrecorded")))
    else:
        await show_purchase(press, result, new_balance=True)


# An old confirm screen's price may no longer hold: "expired" asks for a fresh one. A press
# the ledger could not record keeps the same Buy, to tap again once the database recovers.
_CONFIRM = Confirm(
    BuyDraft, expired="buy-expired-menu", catalogue=True, not_recorded="buy-not-recorded"
)


@on_confirm(ConfirmPurchase, _CONFIRM, _show_result)
async def confirm(press: Press[ConfirmPurchase], draft: BuyDraft, token: str) -> PurchaseResult:
    """The buy button. Sequential updates plus the ledger's unique key make it buy once."""
    assert draft.price is not None, "set by the confirm screen"
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
    return await press.services.purchases.buy(
        press.user_id, press.chat_id, request, token, provider=at.provider if at else None
    )
