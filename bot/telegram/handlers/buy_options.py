"""/buy's typed answers on the confirm screen: a maximum price, the number calls forward to.

Each is the next text after its button; a bad one is answered and the next text tried again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import Update

from bot.services.purchases import forward_number
from bot.telegram.context import Context
from bot.telegram.flows import AWAITING, BUY
from bot.telegram.handlers.common import provider_client, renderer, send, send_screen
from bot.telegram.handlers.drafts import draft_in
from bot.telegram.rendering import Renderer
from bot.telegram.screens.buy import confirm_screen


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
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        await send(update, render("buy-bad-max-price"))  # the next text is tried again
        return
    _answered(context)
    draft["max_price"] = str(amount) if amount > 0 else None
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
    _answered(context)
    draft.update(forward=True, forward_number=number)
    await _send_confirm(update, context, render, draft)


async def _confirm_draft(
    update: Update, context: Context, render: Renderer
) -> tuple[dict[str, Any] | None, str]:
    """The purchase draft on its confirm step and the typed text; None (after saying the menu
    expired) when there is no such draft any more."""
    message = update.effective_message
    assert message is not None
    draft = draft_in(context, BUY)
    if draft is None or draft.get("step") != "confirm":
        _answered(context)
        await send(update, render("buy-expired-menu"))
        return None, ""
    return draft, message.text or ""


def _answered(context: Context) -> None:
    assert context.user_data is not None
    context.user_data.pop(AWAITING, None)


async def _send_confirm(
    update: Update, context: Context, render: Renderer, draft: dict[str, Any]
) -> None:
    """The confirm screen as a new message, after a text answer changed the draft."""
    client = await provider_client(update, context, render)
    if client is None:
        return
    screen = confirm_screen(context, client, render, draft)
    await send_screen(update, render, screen, "request-failed")
