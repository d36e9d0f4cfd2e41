"""/buy: service -> country -> operator -> confirm -> one number.

The draft lives in ``user_data["buy"]`` (server-side; buttons carry only choices). The confirm
screen asks the provider afresh for the price and the balance, refuses a short balance before
any paid call, and mints the token that is the purchase's idempotency key: however often its
button is tapped, it buys at most one number.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CallbackDataError
from bot.context import Context
from bot.handlers.common import (
    AWAITING,
    BUY,
    MULTI,
    PRICES,
    chat_id,
    renderer,
    send,
    services,
    show,
    user_id,
)
from bot.keyboards import (
    BuyNavigation,
    ConfirmPurchase,
    CountryPage,
    PickCountry,
    PickOperator,
    PickService,
    ServicePage,
    paginated,
)
from bot.provider import ProviderClient, ProviderError
from bot.provider.models import Country, Price
from bot.rendering import Html, Renderer, Screen
from bot.services.accounts import AccountError, KeyNeedsReentryError
from bot.services.catalog import rank_services, search_countries
from bot.services.purchases import PurchaseRequest, PurchaseStatus
from bot.views import activation_screen

log = logging.getLogger(__name__)

_LABEL_CHARS = 28
_CONFIRM_TTL = 600.0  # seconds a confirm screen's price is offered


def _draft(context: Context) -> dict[str, Any] | None:
    assert context.user_data is not None
    draft = context.user_data.get(BUY)
    return draft if isinstance(draft, dict) else None


async def _client(update: Update, context: Context, render: Renderer) -> ProviderClient | None:
    try:
        return await services(context).accounts.client_for(user_id(update))
    except KeyNeedsReentryError:
        await send(update, render("key-unreadable"))
    except AccountError:
        endpoint = await services(context).accounts.endpoint_of(user_id(update))
        await send(update, render("key-none", provider=endpoint.title))
    return None


# --- screens ----------------------------------------------------------------------------------


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    svc = services(context)
    user = await svc.users.ensure(draft["user"])
    query = draft.get("query")
    ranked = [
        service
        for service in rank_services(
            await svc.catalog.services(client), user.preferences.favourite_services, query
        )
        if _fits_a_button(PickService, service.code)
    ]
    if not ranked:
        return Screen(render("buy-no-service-match", query=query or ""), _abort_only(render))
    keyboard = paginated(
        ranked,
        page,
        lambda s: InlineKeyboardButton(_label(s.name), callback_data=PickService(s.code).pack()),
        lambda p, label: InlineKeyboardButton(label, callback_data=ServicePage(p).pack()),
        extra_rows=[[render.button("button-cancel", BuyNavigation("abort"))]],
    )
    text = render("buy-search-results", query=query) if query else render("buy-choose-service")
    return Screen(text, keyboard)


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    catalog = services(context).catalog
    offers = await catalog.offers(client, draft["service"])
    countries = await catalog.countries(client)
    query = draft.get("country_query")
    if query:
        matching = {
            c.country_id for c in search_countries(countries.values(), query, render.locale)
        }
        offers = tuple(offer for offer in offers if offer.country in matching)
    back = [
        render.button("button-back", BuyNavigation("services")),
        render.button("button-cancel", BuyNavigation("abort")),
    ]
    if not offers:
        message = "buy-no-country-match" if query else "buy-no-offers"
        text = render(message, query=query or "", service=draft["service_name"])
        return Screen(text, InlineKeyboardMarkup([back]))

    def button(offer: Price) -> InlineKeyboardButton:
        name = _country_name(countries.get(offer.country), offer.country, render.locale)
        label = f"{_label(name, 18)} · {render.money(offer.cost)} · {offer.count}"
        return InlineKeyboardButton(label, callback_data=PickCountry(offer.country).pack())

    keyboard = paginated(
        offers,
        page,
        button,
        lambda p, label: InlineKeyboardButton(label, callback_data=CountryPage(p).pack()),
        columns=1,
        extra_rows=[back],
    )
    return Screen(render("buy-choose-country", service=draft["service_name"]), keyboard)


async def _confirm_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any]
) -> Screen:
    catalog = services(context).catalog
    back = [
        render.button("button-back", BuyNavigation("countries")),
        render.button("button-cancel", BuyNavigation("abort")),
    ]
    price = await catalog.fresh_price(client, draft["service"], draft["country"])
    if price is None or price.count <= 0:
        return Screen(render("buy-sold-out"), InlineKeyboardMarkup([back]))
    balance = await client.get_balance()
    if balance < price.cost:
        text = render(
            "buy-balance-short", price=render.money(price.cost), balance=render.money(balance)
        )
        return Screen(text, InlineKeyboardMarkup([back]))
    draft["token"] = secrets.token_hex(8)
    draft["token_at"] = services(context).clock.now()
    draft["done"] = False
    draft["price"] = str(price.cost)
    draft["step"] = "confirm"
    operator = draft.get("operator") or "any"
    text = render(
        "buy-confirm",
        service=draft["service_name"],
        country=draft["country_name"],
        operator=render("buy-operator-any") if operator == "any" else operator,
        price=render.money(price.cost),
        count=price.count,
        balance=render.money(balance),
    )
    if draft.get("max_price"):
        max_price = render.money(Decimal(draft["max_price"]))
        text = Html(f"{text}\n{render('buy-max-price-line', max_price=max_price)}")
    confirm = render.button(
        "buy-confirm-button", ConfirmPurchase(draft["token"]), price=render.money(price.cost)
    )
    max_price_button = render.button("buy-max-price-button", BuyNavigation("maxprice"))
    return Screen(text, InlineKeyboardMarkup([[confirm], [max_price_button], back]))


# --- handlers -------------------------------------------------------------------------------


async def start_buy(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await _client(update, context, render)
    if client is None:
        return
    assert context.user_data is not None
    context.user_data.pop(AWAITING, None)  # a new command ends a pending /key or /provider step
    for other in (PRICES, MULTI):  # typed text then searches this /buy, not an older browser
        context.user_data.pop(other, None)
    query = " ".join(context.args or ()).strip() or None
    draft: dict[str, Any] = {
        "step": "service",
        "user": user_id(update),
        "query": query,
        "provider": client.endpoint.key,
    }
    context.user_data[BUY] = draft
    try:
        screen = await _services_screen(context, client, render, draft, 0)
    except ProviderError as error:
        await send(update, render("buy-refused", reason=render.error(error)))
        return
    await send(update, screen.text, screen.keyboard)


async def search(update: Update, context: Context) -> bool:
    """Typed text during /buy: a service or country search. False if no buy step wants it."""
    draft = _draft(context)
    message = update.effective_message
    if draft is None or message is None or draft.get("step") not in ("service", "country"):
        return False
    render = await renderer(update, context)
    client = await _client(update, context, render)
    if client is None:
        return True
    text = (message.text or "").strip()[:64]
    try:
        if draft["step"] == "service":
            draft["query"] = text
            screen = await _services_screen(context, client, render, draft, 0)
        else:
            draft["country_query"] = text
            screen = await _countries_screen(context, client, render, draft, 0)
    except ProviderError as error:
        await send(update, render("buy-refused", reason=render.error(error)))
        return True
    await send(update, screen.text, screen.keyboard)
    return True


async def on_button(update: Update, context: Context) -> None:
    """Every /buy button but the confirm: pages, picks and navigation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    draft = _draft(context)
    if draft is None:
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    client = await _client(update, context, render)
    if client is None:
        await query.answer()
        return
    try:
        screen = await _next_screen(context, client, render, draft, query.data)
    except ProviderError as error:
        await query.answer()
        await send(update, render("buy-refused", reason=render.error(error)))
        return
    await query.answer()
    if screen is None:
        await show(query, Screen(render("buy-expired-menu")))
        return
    await show(query, screen)


async def _next_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], data: str
) -> Screen | None:
    """The screen a button leads to, or None when it does not fit the draft (stale)."""
    catalog = services(context).catalog
    prefix = data.split(":", 1)[0]
    if prefix == ServicePage.prefix and draft["step"] == "service":
        return await _services_screen(context, client, render, draft, ServicePage.unpack(data).page)
    if prefix == PickService.prefix and draft["step"] in ("service", "country"):
        code = PickService.unpack(data).code
        known = {s.code: s for s in await catalog.services(client)}
        if code not in known:
            return None
        draft.update(
            step="country", service=code, service_name=known[code].name, country_query=None
        )
        return await _countries_screen(context, client, render, draft, 0)
    if prefix == CountryPage.prefix and draft["step"] == "country":
        return await _countries_screen(
            context, client, render, draft, CountryPage.unpack(data).page
        )
    if prefix == PickCountry.prefix and draft["step"] in ("country", "operator"):
        country_id = PickCountry.unpack(data).country
        countries = await catalog.countries(client)
        draft.update(
            country=country_id,
            country_name=_country_name(countries.get(country_id), country_id, render.locale),
            country_names=_names(countries.get(country_id)),
            operator=None,
        )
        operators = await catalog.operators(client, country_id)
        if not operators:
            return await _confirm_screen(context, client, render, draft)
        draft["step"] = "operator"
        return _operators_screen(render, draft, operators)
    if prefix == PickOperator.prefix and draft["step"] == "operator":
        operator = PickOperator.unpack(data).operator
        if operator not in await catalog.operators(client, draft["country"]):
            return None
        draft["operator"] = operator
        return await _confirm_screen(context, client, render, draft)
    if prefix == BuyNavigation.prefix:
        target = BuyNavigation.unpack(data).target
        if target == "abort":
            assert context.user_data is not None
            context.user_data.pop(BUY, None)
            return Screen(render("buy-aborted"))
        if target == "services":
            draft.update(step="service", token=None)
            return await _services_screen(context, client, render, draft, 0)
        if target == "maxprice" and draft.get("step") == "confirm":
            assert context.user_data is not None
            context.user_data[AWAITING] = "max_price"
            return Screen(render("buy-ask-max-price"))
        if target == "countries" and draft.get("service"):
            draft.update(step="country", token=None)
            return await _countries_screen(context, client, render, draft, 0)
    return None


def _operators_screen(
    render: Renderer, draft: dict[str, Any], operators: tuple[str, ...]
) -> Screen:
    operators = tuple(name for name in operators if _fits_a_button(PickOperator, name))
    rows = [
        [
            InlineKeyboardButton(
                render("buy-operator-any") if name == "any" else name,
                callback_data=PickOperator(name).pack(),
            )
            for name in operators[i : i + 2]
        ]
        for i in range(0, len(operators), 2)
    ]
    rows.append(
        [
            render.button("button-back", BuyNavigation("countries")),
            render.button("button-cancel", BuyNavigation("abort")),
        ]
    )
    text = render(
        "buy-choose-operator", service=draft["service_name"], country=draft["country_name"]
    )
    return Screen(text, InlineKeyboardMarkup(rows))


async def receive_max_price(update: Update, context: Context) -> None:
    """The text after "Max price…": an amount (0 for none), then the confirm screen again."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    draft = _draft(context)
    if draft is None or draft.get("step") != "confirm":
        context.user_data.pop(AWAITING, None)
        await send(update, render("buy-expired-menu"))
        return
    try:
        amount = Decimal((message.text or "").strip().replace(",", "."))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        await send(update, render("buy-bad-max-price"))  # the next text is tried again
        return
    context.user_data.pop(AWAITING, None)
    draft["max_price"] = str(amount) if amount > 0 else None
    client = await _client(update, context, render)
    if client is None:
        return
    try:
        screen = await _confirm_screen(context, client, render, draft)
    except ProviderError as error:
        await send(update, render("request-failed", reason=render.error(error)))
        return
    await send(update, screen.text, screen.keyboard)


async def confirm(update: Update, context: Context) -> None:
    """The buy button. Sequential updates plus the ledger's unique key make it buy once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    token = ConfirmPurchase.unpack(query.data).token
    draft = _draft(context)
    age = services(context).clock.now() - float(draft.get("token_at") or 0) if draft else 0.0
    if draft is None or draft.get("token") != token or age > _CONFIRM_TTL:
        # An old confirm screen's price may no longer hold: ask for a fresh one.
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    current = await services(context).accounts.endpoint_of(user_id(update))
    if draft.get("provider") != current.key:  # /provider changed since the prices were shown
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    if draft.get("done"):
        await query.answer(render("buy-duplicate"))
        return
    await query.answer(render("buy-in-progress"))
    request = PurchaseRequest(
        service=draft["service"],
        country=int(draft["country"]),
        operator=draft.get("operator"),
        shown_price=Decimal(draft["price"]),
        max_price=Decimal(draft["max_price"]) if draft.get("max_price") else None,
        service_name=draft["service_name"],
        country_names=draft.get("country_names") or {},
    )
    svc = services(context)
    try:
        result = await svc.purchases.buy(user_id(update), chat_id(update), request, token)
    except AccountError:
        await show(query, Screen(render("key-unreadable")))
        return
    draft["done"] = True
    await _show_result(query, context, render, result)


async def _show_result(
    query: CallbackQuery, context: Context, render: Renderer, result: Any
) -> None:
    svc = services(context)
    if result.status is PurchaseStatus.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is PurchaseStatus.BOUGHT and result.activation is not None:
        screen = await activation_screen(svc.activations, render, result.activation)
        await show(query, screen)
        message = query.message
        if message is not None:
            await svc.activations.set_message(
                result.activation.ledger_id, chat_id=message.chat.id, message_id=message.message_id
            )
        return
    if result.status is PurchaseStatus.REFUSED:
        reason = render.error(result.error) if result.error else render("error-generic")
        await show(query, Screen(render("buy-refused", reason=reason)))
        return
    await show(query, Screen(render("buy-unresolved")))


def _fits_a_button(kind: type[PickService] | type[PickOperator], value: str) -> bool:
    """Whether a provider's code or name can ride in a button (64 bytes, safe characters);
    one that cannot is left out rather than breaking the whole screen."""
    try:
        kind(value).pack()
    except CallbackDataError:
        log.warning("left out of a picker: %r does not fit in callback data", value[:80])
        return False
    return True


def _abort_only(render: Renderer) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[render.button("button-cancel", BuyNavigation("abort"))]])


def _label(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _country_name(country: Country | None, country_id: int, locale: str) -> str:
    return country.name(locale) if country is not None else f"#{country_id}"


def _names(country: Country | None) -> dict[str, str]:
    if country is None:
        return {}
    return {"en": country.name_en, "ru": country.name_ru, "es": country.name("es")}


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    buttons = "|".join(
        kind.prefix
        for kind in (
            ServicePage,
            PickService,
            CountryPage,
            PickCountry,
            PickOperator,
            BuyNavigation,
        )
    )
    return [
        CommandHandler("buy", start_buy),
        CallbackQueryHandler(confirm, pattern=ConfirmPurchase.pattern()),
        CallbackQueryHandler(on_button, pattern=rf"^(?:{buttons})(?::|$)"),
    ]
