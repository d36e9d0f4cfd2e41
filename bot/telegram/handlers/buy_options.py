"""/buy's typed answers on the confirm screen: a maximum price, the number calls forward to.

Each is the next text after its button (the draft's ``question``); a bad one is answered and
the next text tried again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from telegram import Update

from bot.services.purchases import forward_number
from bot.telegram import flows
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft, BuyStep
from bot.telegram.handlers.common import provider_client, renderer, send, send_screen
from bot.telegram.handlers.drafts import draft_in
from bot.telegram.rendering import Renderer
from bot.telegram.screens.buy import confirm_screen

_CENT = Decimal("0.01")


async def receive_max_price(update: Update, context: Context) -> None:
    """The text after "Max price…": an amount (0 for none), then the confirm screen again."""
    render = await renderer(update, context)
    draft, text = await _confirm_draft(update, context, render)
    if draft is None:
        return
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        amount = Decimal(-1)
    # A positive amount under a cent reads as 0.00 ("no limit") yet no number meets it.
    if not amount.is_finite() or amount < 0 or amount > 1_000_000 or 0 < amount < _CENT:
        await send(update, render("buy-bad-max-price"))  # the next text is tried again
        return
    draft.question = None
    # Plain digits ("5e2" is 500): the limit goes to the provider as typed numbers read.
    draft.max_price = Decimal(format(amount, "f")) if amount > 0 else None
    await _send_confirm(update, context, render, draft)


async def receive_forward_number(update: Update, context: Context) -> None:
    """The text after "Forwarding": the number calls go to, then the confirm screen again."""
    render = await renderer(update, context)
    draft, text = await _confirm_draft(update, context, render)
    if draft is None:
        return
    number = forward_number(text)
    if number is None:
        await send(update, render("options-bad-forward-number"))  # the next text is tried again
        return
    draft.question = None
    draft.forward, draft.forward_number = True, number
    await _send_confirm(update, context, render, draft)


async def _confirm_draft(
    update: Update, context: Context, render: Renderer
) -> tuple[BuyDraft | None, str]:
    """The purchase draft on its confirm step and the typed text; None (after saying the menu
    expired) when there is no such draft any more."""
    message = update.effective_message
    assert message is not None
    draft = draft_in(context, BuyDraft)
    if draft is None or draft.step != BuyStep.CONFIRM:
        if draft is not None:
            draft.question = None
            flows.save(context, draft)
        await send(update, render("buy-expired-menu"))
        return None, ""
    return draft, message.text or ""


async def _send_confirm(
    update: Update, context: Context, render: Renderer, draft: BuyDraft
) -> None:
    """The confirm screen as a new message, after a text answer changed the draft."""
    flows.save(context, draft)  # the answer is taken, even if the screen cannot be shown
    client = await provider_client(update, context, render)
    if client is None:
        return
    screen = confirm_screen(context, client, render, draft)
    try:
        await send_screen(update, render, screen, "request-failed")
    finally:
        flows.save(context, draft)  # the new screen's token and price
