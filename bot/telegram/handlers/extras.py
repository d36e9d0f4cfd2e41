"""Another activation on a used number, an added service on a forwarded one, and calls.

The offer screens keep their server-side state in their flow (:mod:`bot.telegram.flows`): the
price the provider quoted,
and the token that is the paid call's idempotency key, so however often a confirm button is
tapped it buys at most one thing. Every press names our ledger row; a row that is not the
presser's is refused before the provider is asked anything.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.provider import InvalidRequestError, ProviderError, StateConflictError
from bot.provider.models import IncomingCallStatus
from bot.services.accounts import AccountError
from bot.services.extras import is_missing_action
from bot.services.purchases import PurchaseResult, PurchaseStatus
from bot.services.results import NotYoursError
from bot.telegram import flows
from bot.telegram.buttons.activation import (
    AdditionalConfirm,
    AdditionalOffer,
    CallStatus,
    ExtraConfirm,
    ExtraDismiss,
    ExtraOffer,
    OrderCall,
)
from bot.telegram.context import Context
from bot.telegram.flow_types import AdditionalDraft, CallDraft, ExtraDraft
from bot.telegram.handlers.common import (
    answer_text,
    chat_id,
    refusal,
    renderer,
    send,
    services,
    show,
    user_id,
)
from bot.telegram.handlers.drafts import issue_token
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Confirm, button_handlers, on_button, on_confirm, pressed
from bot.telegram.screens.activation import activation_screen, service_name
from bot.telegram.screens.pickers import fits, paginated
from storage.activations import Activation

log = logging.getLogger(__name__)

# The protocol's documented fixed fee for an added service (PROTOCOL.md §3.19): the provider's
# answer does not tell the cost, and the ledger needs one for the spending total.
ADDITIONAL_FEE: Final = Decimal("5.00")
_PHONE: Final = re.compile(r"^\+?\d{7,15}$")


@on_button(ExtraOffer)
async def offer_extra(
    update: Update, context: Context, offer: ExtraOffer, render: Renderer
) -> None:
    """The "use this number again" button: asks the provider for the price, shows a confirm."""
    query = update.callback_query
    assert query is not None
    ledger_id = offer.ledger_id
    svc = services(context)
    try:
        quote = await svc.extras.quote_extra(user_id(update), ledger_id)
    except StateConflictError:
        await query.answer(answer_text(render("extra-not-possible")), show_alert=True)
        return
    except (NotYoursError, AccountError, ProviderError) as error:
        await query.answer(refusal(render, error), show_alert=True)
        return
    if quote.balance < quote.offer.cost:  # refused here, before any paid call
        short_text = render(
            "buy-balance-short",
            price=render.money(quote.offer.cost),
            balance=render.money(quote.balance),
        )
        await query.answer(answer_text(short_text), show_alert=True)
        return
    token = await issue_token(context, "extra")
    flows.start(
        context,
        ExtraDraft(token=token, token_at=svc.clock.now(), parent=ledger_id, price=quote.offer.cost),
    )
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
    cancel = render.button("button-cancel", ExtraDismiss(token))
    # A new message: the finished activation's own message stays as it was.
    chat = update.effective_chat
    assert chat is not None
    keyboard = InlineKeyboardMarkup([[button], [cancel]])
    await chat.send_message(text, parse_mode="HTML", reply_markup=keyboard)


@on_button(ExtraDismiss)
async def dismiss_extra(
    update: Update, context: Context, button: ExtraDismiss, render: Renderer
) -> None:
    """✖️ Cancel under another activation's offer: its Buy can no longer buy."""
    query = update.callback_query
    assert query is not None
    offer = flows.current_as(context, ExtraDraft)
    if offer is not None and offer.token == button.token and not offer.done:
        flows.end(context)
    await query.answer()
    await show(query, Screen(render("extra-dismissed")))


_CONFIRM_EXTRA = Confirm(
    ExtraDraft,
    expired="extra-expired",
    duplicate="buy-duplicate",
    in_progress="buy-in-progress",
)


@on_confirm(ExtraConfirm, _CONFIRM_EXTRA)
async def confirm_extra(
    update: Update, context: Context, offer: ExtraDraft, token: str, render: Renderer
) -> None:
    """The buy button of an offer: one getExtraActivation for its token, whatever the taps."""
    query = pressed(update)
    svc = services(context)
    try:
        result = await svc.extras.buy_extra(
            user_id(update), chat_id(update), offer.parent, offer.price, token
        )
    except NotYoursError:
        await show(query, Screen(render("press-not-yours")))
        return
    offer.done = True
    await show_purchase(query, context, render, result, conflict="extra-not-possible")


async def show_purchase(
    query: CallbackQuery,
    context: Context,
    render: Renderer,
    result: PurchaseResult,
    *,
    conflict: str | None = None,
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
        if conflict is not None and isinstance(result.error, StateConflictError):
            await show(query, Screen(render(conflict)))
            return
        reason = render.error(result.error) if result.error else render("error-generic")
        await show(query, Screen(render("buy-refused", reason=reason)))
        return
    await show(query, Screen(render("buy-unresolved")))


# --- calls -----------------------------------------------------------------------------------


@on_button(CallStatus)
async def call_status(
    update: Update, context: Context, button: CallStatus, render: Renderer
) -> None:
    """Asks the provider about the incoming call and shows it on the activation's message; the
    "call me" button appears only where the provider has outgoing calls."""
    query = update.callback_query
    assert query is not None
    ledger_id = button.ledger_id
    svc = services(context)
    try:
        call = await svc.extras.incoming_call(user_id(update), ledger_id)
        outgoing = await svc.extras.outgoing_calls_offered(user_id(update), ledger_id)
    except InvalidRequestError as error:
        message = "call-not-offered" if is_missing_action(error) else "call-not-verification"
        await query.answer(render(message), show_alert=True)
        return
    except (NotYoursError, AccountError, ProviderError) as error:
        await query.answer(refusal(render, error), show_alert=True)
        return
    line = _call_line(render, call)
    await query.answer(answer_text(line))
    row = await svc.extras.owned(user_id(update), ledger_id)
    screen = await activation_screen(svc.activations, render, row)
    rows = [list(r) for r in screen.keyboard.inline_keyboard] if screen.keyboard else []
    if outgoing:
        rows.append([render.button("button-order-call", OrderCall(ledger_id))])
    keyboard = InlineKeyboardMarkup(rows) if rows else None
    await show(query, Screen(Html(f"{screen.text}\n{line}"), keyboard))


async def call_line(context: Context, render: Renderer, user: int, row: Activation) -> Html | None:
    """The incoming-call line for a refreshed call-verification card, or None (not one, or the
    provider could not tell: the card is still worth showing)."""
    if not row.options.get("verification"):
        return None
    try:
        call = await services(context).extras.incoming_call(user, row.ledger_id)
    except (NotYoursError, AccountError, ProviderError):
        return None
    return _call_line(render, call)


def _call_line(render: Renderer, call: IncomingCallStatus) -> Html:
    if call.phone is not None:
        return render("call-line-arrived", phone=call.phone)
    if call.status in (3, 4, 5):  # completed, cancelled, returned
        return render("call-line-ended")
    return render("call-line-waiting")


@on_button(OrderCall)
async def order_call(
    update: Update, context: Context, button: OrderCall, render: Renderer
) -> None:
    """The "call me from this number" button: asks for the number to call."""
    query = update.callback_query
    assert query is not None
    ledger_id = button.ledger_id
    try:
        await services(context).extras.owned(user_id(update), ledger_id)
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    flows.start(context, CallDraft(ledger_id=ledger_id))
    await query.answer()
    await send(update, render("call-ask-phone"))


async def receive_call_phone(update: Update, context: Context, call: CallDraft) -> None:
    """The number to call, after "call me": one createTaskForCall."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip().replace(" ", "")
    if not _PHONE.match(text):
        await send(update, render("call-bad-phone"))  # the next text is tried again
        return
    flows.end(context)
    ledger_id = call.ledger_id
    try:
        answer = await services(context).extras.order_call(
            user_id(update), ledger_id, text.lstrip("+")
        )
    except NotYoursError:
        await send(update, render("press-not-yours"))
        return
    except AccountError:
        await send(update, render("key-unreadable"))
        return
    except ProviderError as error:
        if is_missing_action(error):
            await send(update, render("call-not-offered"))
        else:
            await send(update, render("request-failed", reason=render.error(error)))
        return
    await send(update, render("call-ordered", text=answer))


# --- an added service on a forwarded number ---------------------------------------------------


@on_button(AdditionalOffer)
async def additional_offer(
    update: Update, context: Context, pick: AdditionalOffer, render: Renderer
) -> None:
    """The "add a service" button: the forwarding services to pick from, then a confirm."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    try:
        parent = await svc.extras.owned(user_id(update), pick.ledger_id)
        choices = await svc.extras.additional_choices(user_id(update), pick.ledger_id)
    except (NotYoursError, AccountError, ProviderError) as error:
        await query.answer(refusal(render, error), show_alert=True)
        return
    # A code a button cannot carry is left out, as in every picker (it could not be sent back).
    choices = [
        c for c in choices if fits(AdditionalOffer(pick.ledger_id, c[0], 0), "the added services")
    ]
    names = dict(choices)
    if pick.service and pick.service not in names:
        await query.answer(render("press-stale"))
        return
    await query.answer()
    if not pick.service:
        keyboard = paginated(
            choices,
            pick.page,
            lambda c: InlineKeyboardButton(
                c[1][:28], callback_data=AdditionalOffer(pick.ledger_id, c[0], 0).pack()
            ),
            lambda p, text: InlineKeyboardButton(
                text, callback_data=AdditionalOffer(pick.ledger_id, "", p).pack()
            ),
        )
        text = render("additional-choose", phone=parent.phone or "")
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(text, parse_mode="HTML", reply_markup=keyboard)
        return
    token = await issue_token(context, "additional")
    offer = AdditionalDraft(
        token=token,
        token_at=svc.clock.now(),
        parent=pick.ledger_id,
        service=pick.service,
        service_name=names[pick.service],
    )
    flows.start(context, offer)
    text = render("additional-confirm", service=names[pick.service], phone=parent.phone or "")
    button = render.button(
        "button-additional-confirm", AdditionalConfirm(token), service=names[pick.service]
    )
    await show(query, Screen(text, InlineKeyboardMarkup([[button]])))


_CONFIRM_ADDITIONAL = Confirm(
    AdditionalDraft,
    expired="additional-expired",
    duplicate="buy-duplicate",
    in_progress="buy-in-progress",
)


@on_confirm(AdditionalConfirm, _CONFIRM_ADDITIONAL)
async def confirm_additional(
    update: Update, context: Context, offer: AdditionalDraft, token: str, render: Renderer
) -> None:
    """One getAdditionalService for the offer's token, whatever the taps."""
    query = pressed(update)
    svc = services(context)
    try:
        result = await svc.extras.buy_additional(
            user_id(update),
            chat_id(update),
            offer.parent,
            offer.service,
            offer.service_name,
            ADDITIONAL_FEE,
            token,
        )
    except NotYoursError:
        await show(query, Screen(render("press-not-yours")))
        return
    offer.done = True
    await show_purchase(query, context, render, result)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        *button_handlers(
            offer_extra,
            dismiss_extra,
            confirm_extra,
            call_status,
            order_call,
            additional_offer,
            confirm_additional,
        ),
    ]
