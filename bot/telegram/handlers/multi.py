"""/multi: several services (toggle buttons) -> a country -> confirm -> one number for all.

The draft is a :class:`~bot.telegram.flow_types.MultiDraft`; buttons carry only choices. The confirm
screen asks the provider afresh for every service's price and the balance and mints the token
that is the one getMultiServiceNumber call's idempotency key. Each activation bought gets its
own ledger row and message, and is watched like any other.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderClient
from bot.provider.models import Service
from bot.services.catalog import rank_services
from bot.services.extras import MultiRequest, MultiResult, is_missing_action
from bot.services.purchases import PurchaseStatus
from bot.telegram import flows
from bot.telegram.buttons.multi import MultiConfirm, MultiCountry, MultiStep, MultiToggle
from bot.telegram.confirms import Confirm, on_confirm, refused_text
from bot.telegram.context import Context
from bot.telegram.flow_types import MultiDraft, MultiStage
from bot.telegram.handlers.common import (
    answer_text,
    command_argument,
    provider_client,
    renderer,
    send,
    services,
    show,
    user_id,
)
from bot.telegram.handlers.drafts import with_new_token
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Alert, Picker, Press, StepResult, button_handlers
from bot.telegram.screens.activation import activation_screen
from bot.telegram.screens.offers import multi_offering, paid_at
from bot.telegram.screens.pickers import country_name, fits, label, paginated

log = logging.getLogger(__name__)

MAX_SERVICES: Final = 10  # more than a provider sells on one number, and the button row fits


# --- screens ----------------------------------------------------------------------------------


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: MultiDraft, page: int
) -> Screen:
    draft.step, draft.token = MultiStage.SERVICES, None
    query = draft.query
    selected = draft.selected
    known = await services(context).catalog.services(client)
    ranked = [s for s in rank_services(known, (), query) if fits(MultiToggle(s.code, 0))]
    rows_after = [
        [render.button("button-multi-next", MultiStep("countries", 0))],
        [render.button("button-cancel", MultiStep("abort", 0))],
    ]
    if not ranked:
        text = render("multi-no-match", query=query or "")
        return Screen(text, InlineKeyboardMarkup(rows_after))
    pages = max(1, -(-len(ranked) // 8))
    page = min(max(page, 0), pages - 1)
    draft.page = page

    def button(service: Service) -> InlineKeyboardButton:
        mark = "✅ " if service.code in selected else ""
        return InlineKeyboardButton(
            mark + label(service.name, 24), callback_data=MultiToggle(service.code, page).pack()
        )

    keyboard = paginated(
        ranked,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=MultiStep("services", p).pack()),
        extra_rows=rows_after,
    )
    return Screen(render("multi-choose-services", count=len(selected)), keyboard)


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: MultiDraft, page: int
) -> Screen:
    """Countries that sell multi-service numbers and every chosen service, cheapest first."""
    draft.step, draft.token = MultiStage.COUNTRIES, None
    catalog = services(context).catalog
    countries = await catalog.countries(client)
    totals: dict[int, Decimal] = {}
    for index, code in enumerate(draft.selected):
        offers = {o.country: o.cost for o in await catalog.offers(client, code) if o.count > 0}
        if index == 0:
            totals = dict(offers)
        else:
            totals = {c: total + offers[c] for c, total in totals.items() if c in offers}
    choices = sorted(
        (
            (cost, country_id)
            for country_id, cost in totals.items()
            if (c := countries.get(country_id)) is not None and c.multi_service
        ),
    )
    back = [
        render.button("button-back", MultiStep("services", draft.page)),
        render.button("button-cancel", MultiStep("abort", 0)),
    ]
    names = _service_names(draft)
    if not choices:
        return Screen(render("multi-no-countries"), InlineKeyboardMarkup([back]))

    def button(choice: tuple[Decimal, int]) -> InlineKeyboardButton:
        cost, country_id = choice
        name = country_name(countries.get(country_id), country_id, render.locale)
        return InlineKeyboardButton(
            f"{label(name, 20)} · {render.money(cost)}",
            callback_data=MultiCountry(country_id).pack(),
        )

    keyboard = paginated(
        choices,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=MultiStep("countries", p).pack()),
        columns=1,
        extra_rows=[back],
    )
    return Screen(render("multi-choose-country", services=names), keyboard)


async def _confirm_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: MultiDraft
) -> Screen:
    catalog = services(context).catalog
    back = [
        render.button("button-back", MultiStep("countries", 0)),
        render.button("button-cancel", MultiStep("abort", 0)),
    ]
    # With keys at several providers: bought where the chosen row sells, in its codes.
    offering = await multi_offering(context, render, draft)
    pins = offering.pins if offering is not None else []
    if offering is not None:
        if offering.client is None:
            return offering.dead_end(back)
        client, render = offering.client, offering.priced(render)
    at = paid_at(draft, draft.selected)
    country_id = at.country
    total = Decimal(0)
    prices: dict[str, Decimal] = {}
    for code in draft.selected:
        price = await catalog.fresh_price(client, at.code(code), country_id)
        if price is None or price.count <= 0:
            return Screen(render("buy-sold-out"), InlineKeyboardMarkup([*pins, back]))
        total += price.cost
        prices[code] = price.cost
    balance = await client.get_balance()
    if balance < total:
        text = render("buy-balance-short", price=render.money(total), balance=render.money(balance))
        return Screen(text, InlineKeyboardMarkup([*pins, back]))
    theirs = {s.service for s in await client.get_numbers_status(country_id) if s.forwarding}
    forwardable = {code for code in draft.selected if at.code(code) in theirs}
    token = await with_new_token(context, draft)
    draft.step, draft.price, draft.prices = MultiStage.CONFIRM, total, prices
    if draft.forward not in forwardable:
        draft.forward = None
    text = render(
        "multi-confirm",
        services=_service_names(draft),
        country=draft.country_name,
        price=render.money(total),
        balance=render.money(balance),
    )
    names = draft.names
    if draft.forward:
        forward_line = render("multi-forward-line", service=names.get(draft.forward))
        text = Html(f"{text}\n{forward_line}")
    if offering is not None:
        text = offering.under(render, text)
    rows = [[render.button("button-multi-confirm", MultiConfirm(token), price=render.money(total))]]
    for index, code in enumerate(draft.selected):
        if code in forwardable:
            mark = "✅ " if draft.forward == code else ""
            button = render.button(
                "button-multi-forward", MultiStep("forward", index), service=names.get(code, code)
            )
            marked = InlineKeyboardButton(mark + button.text, callback_data=button.callback_data)
            rows.append([marked])
    rows.extend(pins)
    rows.append(back)
    return Screen(text, InlineKeyboardMarkup(rows))


def _service_names(draft: MultiDraft) -> str:
    return ", ".join(draft.names.get(code, code) for code in draft.selected)


# --- handlers -------------------------------------------------------------------------------


async def start_multi(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    draft = MultiDraft(
        provider=client.endpoint.key, query=command_argument(context), user=user_id(update)
    )
    screen = _services_screen(context, client, render, draft, 0)
    await _PICKER.open(update, context, render, draft, screen, "buy-refused")


_PICKER = Picker(MultiDraft, gone="multi-expired", expired=None, refused=None)
PICKER, confirm_screen = _PICKER, _confirm_screen  # the offers handlers pin a provider


async def search(update: Update, context: Context) -> bool:
    """Typed text while the /multi service picker is shown: filters it."""

    async def searched(
        client: ProviderClient, render: Renderer, draft: MultiDraft, text: str
    ) -> Screen:
        draft.query = text
        return await _services_screen(context, client, render, draft, 0)

    steps = (MultiStage.SERVICES,)
    return await _PICKER.search(update, context, steps, searched, refused="buy-refused")


@_PICKER.step(MultiToggle)
async def toggle_service(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: MultiDraft,
    toggle: MultiToggle,
) -> StepResult:
    """Adds or removes a service (the screen shown stays usable when the button is stale)."""
    if draft.step != MultiStage.SERVICES:
        return None
    known = {s.code: s.name for s in await services(context).catalog.services(client)}
    if toggle.code not in known:
        return None
    selected = draft.selected
    if toggle.code in selected:
        selected.remove(toggle.code)
    elif len(selected) < MAX_SERVICES:
        selected.append(toggle.code)
        draft.names[toggle.code] = known[toggle.code]
    return await _services_screen(context, client, render, draft, toggle.page)


@_PICKER.step(MultiCountry)
async def pick_country(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: MultiDraft,
    button: MultiCountry,
) -> StepResult:
    if draft.step not in (MultiStage.COUNTRIES, MultiStage.CONFIRM):
        return None
    country_id = button.country
    countries = await services(context).catalog.countries(client)
    country = countries.get(country_id)
    if country is None or not country.multi_service:
        return None
    draft.country, draft.country_name = country_id, country.name(render.locale)
    draft.country_names = {"en": country.name_en, "ru": country.name_ru, "es": country.name("es")}
    return await _confirm_screen(context, client, render, draft)


@_PICKER.step(MultiStep)
async def navigate(
    context: Context, client: ProviderClient, render: Renderer, draft: MultiDraft, move: MultiStep
) -> StepResult:
    step = draft.step
    if move.target == "abort":
        flows.end(context)
        return Screen(render("multi-aborted"))
    if move.target == "services":
        return await _services_screen(context, client, render, draft, move.page)
    if move.target == "countries":
        if len(draft.selected) < 2:
            return Alert(answer_text(render("multi-need-two")))
        return await _countries_screen(context, client, render, draft, move.page)
    if move.target == "forward" and step == MultiStage.CONFIRM:
        if not 0 <= move.page < len(draft.selected):
            return None
        code = draft.selected[move.page]
        draft.forward = None if draft.forward == code else code
        return await _confirm_screen(context, client, render, draft)
    return None


async def _show_multi_result(press: Press[MultiConfirm], result: MultiResult) -> None:
    if result.status is PurchaseStatus.DUPLICATE:
        return
    if result.status is PurchaseStatus.REFUSED or not result.activations:
        if result.status is PurchaseStatus.UNRESOLVED:
            await show(press.query, Screen(press.render("buy-unresolved")))
        elif result.error is not None and is_missing_action(result.error):
            await show(press.query, Screen(press.render("multi-not-offered")))
        else:
            await show(press.query, Screen(refused_text(press.render, "buy-refused", result.error)))
        return
    first = result.activations[0]
    await show(
        press.query,
        Screen(
            press.render("multi-bought", phone=first.phone or "", count=len(result.activations))
        ),
    )
    for row in result.activations:
        screen = await activation_screen(press.services.activations, press.render, row)
        message = await send(press.update, screen.text, screen.keyboard)
        # This message shows this activation: pushes update it from here on.
        await press.services.activations.set_message(
            row.ledger_id, chat_id=message.chat_id, message_id=message.message_id
        )


_CONFIRM = Confirm(MultiDraft, expired="multi-expired", catalogue=True)


@on_confirm(MultiConfirm, _CONFIRM, _show_multi_result)
async def confirm(press: Press[MultiConfirm], draft: MultiDraft, token: str) -> MultiResult:
    """The buy button: one getMultiServiceNumber for its token, whatever the taps."""
    at = paid_at(draft, draft.selected)  # the comparison's chosen provider, in its codes
    request = MultiRequest(
        services=tuple(at.code(code) for code in draft.selected),
        country=at.country,
        forward_service=at.code(draft.forward) if draft.forward else None,
        service_names={at.code(code): name for code, name in draft.names.items()},
        country_names=draft.country_names,
        shown_prices={at.code(code): price for code, price in draft.prices.items()},
    )
    return await press.services.extras.buy_multi(
        press.user_id, press.chat_id, request, token, provider=at.provider
    )


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("multi", start_multi),
        *button_handlers(confirm, toggle_service, pick_country, navigate),
    ]
