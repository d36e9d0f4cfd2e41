"""Another activation on a used number, an added service on a forwarded one, and calls.

The offer screens keep their server-side state in ``user_data``: the price the provider quoted,
and the token that is the paid call's idempotency key, so however often a confirm button is
tapped it buys at most one thing. Every press names our ledger row; a row that is not the
presser's is refused before the provider is asked anything.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from decimal import Decimal
from typing import Any, Final

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import Context
from bot.handlers.common import EXTRA, chat_id, renderer, services, show, user_id
from bot.keyboards import ExtraConfirm, ExtraOffer
from bot.provider import ProviderError, StateConflictError
from bot.rendering import Renderer, Screen
from bot.services.accounts import AccountError
from bot.services.activations import NotYoursError
from bot.services.purchases import PurchaseResult, PurchaseStatus
from bot.views import activation_screen, service_name

log = logging.getLogger(__name__)

_OFFER_TTL: Final = 600.0  # seconds a quoted price is offered


async def offer_extra(update: Update, context: Context) -> None:
    """The "use this number again" button: asks the provider for the price, shows a confirm."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    render = await renderer(update, context)
    ledger_id = ExtraOffer.unpack(query.data).ledger_id
    svc = services(context)
    try:
        quote = await svc.extras.quote_extra(user_id(update), ledger_id)
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    except AccountError:
        await query.answer(render("key-unreadable"), show_alert=True)
        return
    except StateConflictError:
        await query.answer(short(render("extra-not-possible")), show_alert=True)
        return
    except ProviderError as error:
        await query.answer(short(render.error(error)), show_alert=True)
        return
    token = secrets.token_hex(8)
    context.user_data[EXTRA] = {
        "token": token,
        "at": svc.clock.now(),
        "parent": ledger_id,
        "price": str(quote.offer.cost),
        "done": False,
    }
    await query.answer()
    text = render(
        "extra-offer",
        phone=quote.parent.phone or quote.offer.phone,
        service=service_name(quote.parent),
        price=render.money(quote.offer.cost),
    )
    button = render.button(
        "button-extra-confirm", ExtraConfirm(token), price=render.money(quote.offer.cost)
    )
    # A new message: the finished activation's own message stays as it was.
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, parse_mode="HTML", reply_markup=InlineKeyboardMarkup([[button]]))


async def confirm_extra(update: Update, context: Context) -> None:
    """The buy button of an offer: one getExtraActivation for its token, whatever the taps."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    render = await renderer(update, context)
    token = ExtraConfirm.unpack(query.data).token
    offer: dict[str, Any] | None = context.user_data.get(EXTRA)
    svc = services(context)
    if (
        not isinstance(offer, dict)
        or offer.get("token") != token
        or svc.clock.now() - float(offer.get("at") or 0) > _OFFER_TTL
    ):
        await query.answer(render("extra-expired"), show_alert=True)
        return
    if offer.get("done"):
        await query.answer(render("buy-duplicate"))
        return
    await query.answer(render("buy-in-progress"))
    try:
        result = await svc.extras.buy_extra(
            user_id(update), chat_id(update), int(offer["parent"]), Decimal(offer["price"]), token
        )
    except NotYoursError:
        await show(query, Screen(render("press-not-yours")))
        return
    except AccountError:
        await show(query, Screen(render("key-unreadable")))
        return
    offer["done"] = True
    await show_purchase(query, context, render, result)


async def show_purchase(
    query: CallbackQuery, context: Context, render: Renderer, result: PurchaseResult
) -> None:
    """Turns the confirm message into the bought activation's message (watched from here), or
    says why nothing was bought."""
    svc = services(context)
    if result.status is PurchaseStatus.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is PurchaseStatus.BOUGHT and result.activation is not None:
        await show(query, await activation_screen(svc.activations, render, result.activation))
        message = query.message
        if message is not None:
            await svc.activations.set_message(
                result.activation.ledger_id, chat_id=message.chat.id, message_id=message.message_id
            )
        return
    if result.status is PurchaseStatus.REFUSED:
        if isinstance(result.error, StateConflictError):
            reason = render("extra-not-possible")
            await show(query, Screen(reason))
            return
        reason = render.error(result.error) if result.error else render("error-generic")
        await show(query, Screen(render("buy-refused", reason=reason)))
        return
    await show(query, Screen(render("buy-unresolved")))


def short(text: str) -> str:
    """Callback answers are limited to 200 characters and show no HTML."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return plain if len(plain) <= 200 else plain[:199] + "…"


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CallbackQueryHandler(offer_extra, pattern=ExtraOffer.pattern()),
        CallbackQueryHandler(confirm_extra, pattern=ExtraConfirm.pattern()),
    ]
