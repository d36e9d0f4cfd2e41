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

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.provider import InvalidRequestError, ProviderError, StateConflictError
from bot.provider.models import IncomingCallStatus
from bot.services.account_errors import AccountError
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
from bot.telegram.confirms import Confirm, on_confirm, on_dismiss
from bot.telegram.context import Context
from bot.telegram.flow_types import AdditionalDraft, CallDraft, ExtraDraft
from bot.telegram.handlers.buy_confirm import show_purchase
from bot.telegram.handlers.common import (
    answer_text,
    refusal,
    renderer,
    send,
    services,
    show,
    user_id,
)
from bot.telegram.handlers.drafts import with_new_token
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Press, button_handlers, on_button
from bot.telegram.screens.activation import activation_screen, service_name
from bot.telegram.screens.pickers import fits, paginated
from storage.activations import Activation

log = logging.getLogger(__name__)

# The protocol's documented fixed fee for an added service (PROTOCOL.md §3.19): the provider's
# answer does not tell the cost, and the ledger needs one for the spending total.
ADDITIONAL_FEE: Final = Decimal("5.00")
_PHONE: Final = re.compile(r"^\+?\d{7,15}$")


@on_button(ExtraOffer)
async def offer_extra(press: Press[ExtraOffer]) -> None:
    """The "use this number again" button: asks the provider for the price, shows a confirm."""
    ledger_id = press.button.ledger_id
    try:
        quote = await press.services.extras.quote_extra(press.user_id, ledger_id)
    except StateConflictError:
        await press.query.answer(answer_text(press.render("extra-not-possible")), show_alert=True)
        return
    except (NotYoursError, AccountError, ProviderError) as error:
        await press.query.answer(refusal(press.render, error), show_alert=True)
        return
    if quote.balance < quote.offer.cost:  # refused here, before any paid call
        short_text = press.render(
            "buy-balance-short",
            price=press.render.money(quote.offer.cost),
            balance=press.render.money(quote.balance),
        )
        await press.query.answer(answer_text(short_text), show_alert=True)
        return
    draft = ExtraDraft(parent=ledger_id, price=quote.offer.cost)
    token = await with_new_token(press.context, draft)
    flows.start(press.context, draft)
    await press.query.answer()
    text = press.render(
        "extra-offer",
        phone=quote.parent.phone or quote.offer.phone,
        service=service_name(quote.parent),
        price=press.render.money(quote.offer.cost),
    )
    button = press.render.button(
        "button-extra-confirm", ExtraConfirm(token), price=press.render.money(quote.offer.cost)
    )
    cancel = press.render.button("button-cancel", ExtraDismiss(token))
    # A new message: the finished activation's own message stays as it was.
    chat = press.update.effective_chat
    assert chat is not None
    keyboard = InlineKeyboardMarkup([[button], [cancel]])
    await chat.send_message(text, parse_mode="HTML", reply_markup=keyboard)


dismiss_extra = on_dismiss(
    ExtraDismiss, ExtraDraft, "extra-dismissed", lambda offer, button: offer.token == button.token
)


async def _show_extra(press: Press[ExtraConfirm], result: PurchaseResult) -> None:
    """A purchase, or "not possible" when the provider no longer offers the number again."""
    if result.status is PurchaseStatus.REFUSED and isinstance(result.error, StateConflictError):
        await show(press.query, Screen(press.render("extra-not-possible")))
    else:
        await show_purchase(press, result)


@on_confirm(ExtraConfirm, Confirm(ExtraDraft, expired="extra-expired"), _show_extra)
async def confirm_extra(
    press: Press[ExtraConfirm], offer: ExtraDraft, token: str
) -> PurchaseResult:
    """The buy button of an offer: one getExtraActivation for its token, whatever the taps."""
    return await press.services.extras.buy_extra(
        press.user_id, press.chat_id, offer.parent, offer.price, token
    )


# --- calls -----------------------------------------------------------------------------------


@on_button(CallStatus)
async def call_status(press: Press[CallStatus]) -> None:
    """Asks the provider about the incoming call and shows it on the activation's message; the
    "call me" button appears only where the provider has outgoing calls."""
    ledger_id = press.button.ledger_id
    try:
        call = await press.services.extras.incoming_call(press.user_id, ledger_id)
        outgoing = await press.services.extras.outgoing_calls_offered(press.user_id, ledger_id)
    except InvalidRequestError as error:
        message = "call-not-offered" if is_missing_action(error) else "call-not-verification"
        await press.query.answer(press.render(message), show_alert=True)
        return
    except (NotYoursError, AccountError, ProviderError) as error:
        await press.query.answer(refusal(press.render, error), show_alert=True)
        return
    line = _call_line(press.render, call)
    await press.query.answer(answer_text(line))
    row = await press.services.extras.owned(press.user_id, ledger_id)
    screen = await activation_screen(press.services.activations, press.render, row)
    rows = [list(r) for r in screen.keyboard.inline_keyboard] if screen.keyboard else []
    if outgoing:
        rows.append([press.render.button("button-order-call", OrderCall(ledger_id))])
    keyboard = InlineKeyboardMarkup(rows) if rows else None
    await show(press.query, Screen(Html(f"{screen.text}\n{line}"), keyboard))


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
async def order_call(press: Press[OrderCall]) -> None:
    """The "call me from this number" button: asks for the number to call."""
    ledger_id = press.button.ledger_id
    try:
        await press.services.extras.owned(press.user_id, ledger_id)
    except NotYoursError:
        await press.query.answer(press.render("press-not-yours"), show_alert=True)
        return
    flows.start(press.context, CallDraft(ledger_id=ledger_id))
    await press.query.answer()
    await send(press.update, press.render("call-ask-phone"))


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
async def additional_offer(press: Press[AdditionalOffer]) -> None:
    """The "add a service" button: the forwarding services to pick from, then a confirm."""
    try:
        parent = await press.services.extras.owned(press.user_id, press.button.ledger_id)
        choices = await press.services.extras.additional_choices(
            press.user_id, press.button.ledger_id
        )
    except (NotYoursError, AccountError, ProviderError) as error:
        await press.query.answer(refusal(press.render, error), show_alert=True)
        return
    # A code a button cannot carry is left out, as in every picker (it could not be sent back).
    choices = [
        c
        for c in choices
        if fits(AdditionalOffer(press.button.ledger_id, c[0], 0), "the added services")
    ]
    names = dict(choices)
    if press.button.service and press.button.service not in names:
        await press.query.answer(press.render("press-stale"))
        return
    await press.query.answer()
    if not press.button.service:
        keyboard = paginated(
            choices,
            press.button.page,
            lambda c: InlineKeyboardButton(
                c[1][:28], callback_data=AdditionalOffer(press.button.ledger_id, c[0], 0).pack()
            ),
            lambda p, text: InlineKeyboardButton(
                text, callback_data=AdditionalOffer(press.button.ledger_id, "", p).pack()
            ),
        )
        text = press.render("additional-choose", phone=parent.phone or "")
        chat = press.update.effective_chat
        assert chat is not None
        await chat.send_message(text, parse_mode="HTML", reply_markup=keyboard)
        return
    offer = AdditionalDraft(
        parent=press.button.ledger_id,
        service=press.button.service,
        service_name=names[press.button.service],
    )
    token = await with_new_token(press.context, offer)
    flows.start(press.context, offer)
    text = press.render(
        "additional-confirm", service=names[press.button.service], phone=parent.phone or ""
    )
    button = press.render.button(
        "button-additional-confirm", AdditionalConfirm(token), service=names[press.button.service]
    )
    await show(press.query, Screen(text, InlineKeyboardMarkup([[button]])))


_CONFIRM_ADDITIONAL = Confirm(AdditionalDraft, expired="additional-expired")


@on_confirm(AdditionalConfirm, _CONFIRM_ADDITIONAL, show_purchase)
async def confirm_additional(
    press: Press[AdditionalConfirm], offer: AdditionalDraft, token: str
) -> PurchaseResult:
    """One getAdditionalService for the offer's token, whatever the taps."""
    return await press.services.extras.buy_additional(
        press.user_id,
        press.chat_id,
        offer.parent,
        offer.service,
        offer.service_name,
        ADDITIONAL_FEE,
        token,
    )


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
