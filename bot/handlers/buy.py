"""/buy: service -> country -> operator -> confirm -> one number.

The draft lives in ``user_data["buy"]`` (server-side; buttons carry only choices). The confirm
screen asks the provider afresh for the price, the balance and the options it offers (call
verification, forwarding), refuses a short balance before any paid call, and mints the token
that is the purchase's idempotency key: however often its button is tapped, it buys at most
one number. A service code or operator name that cannot ride in a button is kept in the draft
and its button carries its position instead. Favourites and the default operator are set
from the pickers and the confirm screen, and come first in the pickers.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CallbackDataError
from bot.context import Context
from bot.handlers.common import (
    AWAITING,
    BUY,
    MULTI,
    PRICES,
    chat_id,
    command_argument,
    provider_client,
    renderer,
    send,
    send_screen,
    services,
    show,
    user_id,
)
from bot.handlers.drafts import Verdict, confirm_verdict, draft_in, new_token
from bot.handlers.favourites import favourite_rows, preferences_of, star, toggle_favourite
from bot.handlers.pickers import country_name, country_names, label, step_button
from bot.keyboards import (
    BuyNavigation,
    ConfirmPurchase,
    CountryPage,
    PickCountry,
    PickListed,
    PickOperator,
    PickService,
    ServicePage,
    ToggleFavourite,
    ToggleOption,
    listed_picks,
    paginated,
    picked_name,
)
from bot.provider import ProviderClient
from bot.provider.models import Price
from bot.rendering import Html, Renderer, Screen
from bot.services.accounts import AccountError
from bot.services.catalog import rank_services, search_countries
from bot.services.purchases import (
    LedgerUnavailableError,
    PurchaseRequest,
    PurchaseStatus,
    forward_number,
    offered_options,
)
from bot.views import activation_screen

log = logging.getLogger(__name__)


# --- screens ----------------------------------------------------------------------------------


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    svc = services(context)
    preferences = await preferences_of(context, draft["user"])
    query = draft.get("query")
    ranked = rank_services(
        await svc.catalog.services(client), preferences.favourite_services, query
    )
    if not ranked:
        return Screen(render("buy-no-service-match", query=query or ""), _abort_only(render))
    pick = listed_picks(
        draft.setdefault("listings", {}), "service", PickService, [s.code for s in ranked]
    )
    favourites = set(preferences.favourite_services)
    keyboard = paginated(
        ranked,
        page,
        lambda s: InlineKeyboardButton(
            star(s.code in favourites) + label(s.name), callback_data=pick(s.code)
        ),
        lambda p, text: InlineKeyboardButton(text, callback_data=ServicePage(p).pack()),
        extra_rows=[[render.button("button-cancel", BuyNavigation("abort"))]],
    )
    text = render("buy-search-results", query=query) if query else render("buy-choose-service")
    return Screen(text, keyboard)


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    catalog = services(context).catalog
    preferences = await preferences_of(context, draft["user"])
    offers = await catalog.offers(client, draft["service"])
    countries = await catalog.countries(client)
    query = draft.get("country_query")
    if query:
        matching = {
            c.country_id for c in search_countries(countries.values(), query, render.locale)
        }
        offers = tuple(offer for offer in offers if offer.country in matching)
    favourite_service = draft["service"] in preferences.favourite_services
    back = [
        render.button("button-back", BuyNavigation("services")),
        render.button("button-cancel", BuyNavigation("abort")),
    ]
    star_service = render.button(
        "button-unstar-service" if favourite_service else "button-star-service",
        ToggleFavourite("service"),
        service=draft["service_name"],
    )
    if not offers:
        message = "buy-no-country-match" if query else "buy-no-offers"
        text = render(message, query=query or "", service=draft["service_name"])
        return Screen(text, InlineKeyboardMarkup([[star_service], back]))
    # Favourite countries first, in the order they were starred; the rest stay cheapest first
    # (sorted() is stable), and a sold-out favourite still goes after every country in stock.
    rank = {country: i for i, country in enumerate(preferences.favourite_countries)}
    offers = tuple(sorted(offers, key=lambda o: (o.count <= 0, rank.get(o.country, len(rank)))))

    def button(offer: Price) -> InlineKeyboardButton:
        name = country_name(countries.get(offer.country), offer.country, render.locale)
        name = star(offer.country in rank) + label(name, 18)
        text = f"{name} · {render.money(offer.cost)} · {offer.count}"
        return InlineKeyboardButton(text, callback_data=PickCountry(offer.country).pack())

    keyboard = paginated(
        offers,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=CountryPage(p).pack()),
        columns=1,
        extra_rows=[[star_service], back],
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
    offered = await offered_options(client, draft["service"], int(draft["country"]))
    # An option the provider no longer offers here is dropped, never sent on trust.
    if offered.verification_price is None:
        draft["verification"] = False
    if not offered.forward:
        draft.update(forward=False, forward_number=None)
    verification = bool(draft.get("verification"))
    cost = offered.verification_price if verification else price.cost
    assert cost is not None
    balance = await client.get_balance()
    if balance < cost:
        text = render("buy-balance-short", price=render.money(cost), balance=render.money(balance))
        return Screen(text, InlineKeyboardMarkup([back]))
    draft["token"] = new_token()
    draft["token_at"] = services(context).clock.now()
    draft["done"] = False
    draft["price"] = str(cost)
    draft["step"] = "confirm"
    operator = draft.get("operator") or "any"
    lines = [
        render(
            "buy-confirm",
            service=draft["service_name"],
            country=draft["country_name"],
            operator=render("buy-operator-any") if operator == "any" else operator,
            price=render.money(cost),
            count=offered.verification_count if verification else price.count,
            balance=render.money(balance),
        )
    ]
    if draft.get("max_price") and not verification:
        max_price = render.money(Decimal(draft["max_price"]))
        lines.append(render("buy-max-price-line", max_price=max_price))
    if verification:
        lines.append(render("options-line-verification"))
    if draft.get("forward"):
        lines.append(render("options-line-forward", number=f"+{draft['forward_number']}"))
    rows = [
        [
            render.button(
                "buy-confirm-button", ConfirmPurchase(draft["token"]), price=render.money(cost)
            )
        ]
    ]
    if offered.verification_price is not None:
        name = "button-verification-off" if verification else "button-verification-on"
        rows.append([render.button(name, ToggleOption("verification"))])
    if offered.forward:
        name = "button-forward-off" if draft.get("forward") else "button-forward-on"
        rows.append([render.button(name, ToggleOption("forward"))])
    if not verification:  # the protocol: a call-verification number takes no Free Price
        rows.append([render.button("buy-max-price-button", BuyNavigation("maxprice"))])
    rows.extend(favourite_rows(render, draft, await preferences_of(context, draft["user"])))
    rows.append(back)
    return Screen(Html("\n".join(lines)), InlineKeyboardMarkup(rows))


# --- handlers -------------------------------------------------------------------------------


async def start_buy(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    assert context.user_data is not None
    context.user_data.pop(AWAITING, None)  # a new command ends a pending /key or /provider step
    for other in (PRICES, MULTI):  # typed text then searches this /buy, not an older browser
        context.user_data.pop(other, None)
    query = command_argument(context)
    draft: dict[str, Any] = {
        "step": "service",
        "user": user_id(update),
        "query": query,
        "provider": client.endpoint.key,
    }
    context.user_data[BUY] = draft
    screen = _services_screen(context, client, render, draft, 0)
    await send_screen(update, render, screen, "buy-refused")


async def search(update: Update, context: Context) -> bool:
    """Typed text during /buy: a service or country search. False if no buy step wants it."""
    draft = draft_in(context, BUY)
    message = update.effective_message
    if draft is None or message is None or draft.get("step") not in ("service", "country"):
        return False
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return True
    text = (message.text or "").strip()[:64]
    if draft["step"] == "service":
        draft["query"] = text
        screen = _services_screen(context, client, render, draft, 0)
    else:
        draft["country_query"] = text
        screen = _countries_screen(context, client, render, draft, 0)
    await send_screen(update, render, screen, "buy-refused")
    return True


async def on_button(update: Update, context: Context) -> None:
    """Every /buy button but the confirm: pages, picks and navigation."""
    await step_button(
        update, context, BUY, _next_screen, expired="buy-expired-menu", refused="buy-refused"
    )


async def _next_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], data: str
) -> Screen | None:
    """The screen a button leads to, or None when it does not fit the draft (stale)."""
    catalog = services(context).catalog
    prefix = data.split(":", 1)[0]
    if prefix == ServicePage.prefix and draft["step"] == "service":
        return await _services_screen(context, client, render, draft, ServicePage.unpack(data).page)
    if prefix in (PickService.prefix, PickListed.prefix) and draft["step"] in (
        "service",
        "country",
    ):
        code = picked_name(draft.get("listings") or {}, data, PickService, "service")
        known = {s.code: s for s in await catalog.services(client)}
        if code is None or code not in known:
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
            country_name=country_name(countries.get(country_id), country_id, render.locale),
            country_names=country_names(countries.get(country_id)),
            operator=None,
        )
        operators = await catalog.operators(client, country_id)
        if not operators:
            return await _confirm_screen(context, client, render, draft)
        draft["step"] = "operator"
        preferences = await preferences_of(context, draft["user"])
        return _operators_screen(render, draft, operators, preferences.default_operator)
    if prefix in (PickOperator.prefix, PickListed.prefix) and draft["step"] == "operator":
        operator = picked_name(draft.get("listings") or {}, data, PickOperator, "operator")
        if operator is None or operator not in await catalog.operators(client, draft["country"]):
            return None
        draft["operator"] = operator
        return await _confirm_screen(context, client, render, draft)
    if prefix == ToggleOption.prefix and draft.get("step") == "confirm":
        return await _toggle_option(context, client, render, draft, ToggleOption.unpack(data).name)
    if prefix == ToggleFavourite.prefix and draft.get("step") in ("country", "confirm"):
        what = ToggleFavourite.unpack(data).what
        if not await toggle_favourite(context, draft, what):
            return None
        if draft["step"] == "country":
            return await _countries_screen(context, client, render, draft, 0)
        return await _confirm_screen(context, client, render, draft)
    if prefix == BuyNavigation.prefix:
        target = BuyNavigation.unpack(data).target
        if target == "abort":
            assert context.user_data is not None
            context.user_data.pop(BUY, None)
            context.user_data.pop(AWAITING, None)
            return Screen(render("buy-aborted"))
        if target == "services":
            draft.update(step="service", token=None)
            return await _services_screen(context, client, render, draft, 0)
        if target == "maxprice" and draft.get("step") == "confirm":
            assert context.user_data is not None
            context.user_data[AWAITING] = "max_price"
            return Screen(render("buy-ask-max-price"))
        if target == "confirm" and draft.get("step") == "confirm":
            assert context.user_data is not None
            context.user_data.pop(AWAITING, None)  # no number to forward to after all
            return await _confirm_screen(context, client, render, draft)
        if target == "countries" and draft.get("service"):
            draft.update(step="country", token=None)
            return await _countries_screen(context, client, render, draft, 0)
    return None


async def _toggle_option(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], name: str
) -> Screen | None:
    if name == "verification":
        draft["verification"] = not draft.get("verification")
        return await _confirm_screen(context, client, render, draft)
    if name != "forward":
        return None
    if draft.get("forward"):
        draft.update(forward=False, forward_number=None)
        return await _confirm_screen(context, client, render, draft)
    # Forwarding needs the number calls go to: the next text is that number.
    assert context.user_data is not None
    context.user_data[AWAITING] = "forward_number"
    draft["token"] = None  # this screen no longer buys: the confirm screen comes back after
    keyboard = InlineKeyboardMarkup(
        [
            [
                render.button("button-back", BuyNavigation("confirm")),
                render.button("button-cancel", BuyNavigation("abort")),
            ]
        ]
    )
    return Screen(render("options-ask-forward-number"), keyboard)


def _operators_screen(
    render: Renderer, draft: dict[str, Any], operators: tuple[str, ...], default: str | None
) -> Screen:
    if default in operators:
        # The user's default operator comes first, marked, so one tap takes it.
        operators = (default, *(name for name in operators if name != default))
    pick = listed_picks(draft.setdefault("listings", {}), "operator", PickOperator, operators)

    def operator_label(name: str) -> str:
        text = render("buy-operator-any") if name == "any" else label(name)
        return f"📌 {text}" if name == default else text

    rows = [
        [
            InlineKeyboardButton(operator_label(name), callback_data=pick(name))
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
    draft = draft_in(context, BUY)
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
    await _send_confirm(update, context, render, draft)


async def receive_forward_number(update: Update, context: Context) -> None:
    """The text after "Forwarding": the number calls go to, then the confirm screen again."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    draft = draft_in(context, BUY)
    if draft is None or draft.get("step") != "confirm":
        context.user_data.pop(AWAITING, None)
        await send(update, render("buy-expired-menu"))
        return
    number = forward_number(message.text or "")
    if number is None:
        await send(update, render("options-bad-forward-number"))  # the next text is tried again
        return
    context.user_data.pop(AWAITING, None)
    draft.update(forward=True, forward_number=number)
    await _send_confirm(update, context, render, draft)


async def _send_confirm(
    update: Update, context: Context, render: Renderer, draft: dict[str, Any]
) -> None:
    """The confirm screen as a new message, after a text answer changed the draft."""
    client = await provider_client(update, context, render)
    if client is None:
        return
    screen = _confirm_screen(context, client, render, draft)
    await send_screen(update, render, screen, "request-failed")


async def confirm(update: Update, context: Context) -> None:
    """The buy button. Sequential updates plus the ledger's unique key make it buy once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    try:
        token = ConfirmPurchase.unpack(query.data).token
    except CallbackDataError:  # a forged or malformed button: nothing to buy
        await query.answer(render("press-stale"))
        return
    draft = draft_in(context, BUY)
    verdict = await confirm_verdict(update, context, draft, token)
    if verdict is Verdict.STALE:
        # An old confirm screen's price may no longer hold: ask for a fresh one.
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    if verdict is Verdict.DUPLICATE:
        await query.answer(render("buy-duplicate"))
        return
    assert draft is not None
    await query.answer(render("buy-in-progress"))
    request = PurchaseRequest(
        service=draft["service"],
        country=int(draft["country"]),
        operator=draft.get("operator"),
        shown_price=Decimal(draft["price"]),
        max_price=Decimal(draft["max_price"]) if draft.get("max_price") else None,
        forward=bool(draft.get("forward") and draft.get("forward_number")),
        forward_number=draft.get("forward_number"),
        verification=bool(draft.get("verification")),
        service_name=draft["service_name"],
        country_names=draft.get("country_names") or {},
    )
    svc = services(context)
    try:
        result = await svc.purchases.buy(user_id(update), chat_id(update), request, token)
    except AccountError:
        await show(query, Screen(render("key-unreadable")))
        return
    except LedgerUnavailableError:
        # Nothing was bought: the same Buy stays, to tap again once the database recovers.
        message = query.message
        keyboard = message.reply_markup if isinstance(message, Message) else None
        await show(query, Screen(render("buy-not-recorded"), keyboard))
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
    if result.status is PurchaseStatus.UNRECORDED:
        await show(query, Screen(render("buy-unrecorded")))
        return
    await show(query, Screen(render("buy-unresolved")))


def _abort_only(render: Renderer) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[render.button("button-cancel", BuyNavigation("abort"))]])


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    buttons = "|".join(
        kind.prefix
        for kind in (
            ServicePage,
            PickService,
            CountryPage,
            PickCountry,
            PickOperator,
            PickListed,
            ToggleOption,
            ToggleFavourite,
            BuyNavigation,
        )
    )
    return [
        CommandHandler("buy", start_buy),
        CallbackQueryHandler(confirm, pattern=ConfirmPurchase.pattern()),
        CallbackQueryHandler(on_button, pattern=rf"^(?:{buttons})(?::|$)"),
    ]
