"""/buy's screens: the service, country and operator pickers and the confirm screen.

The confirm screen asks the provider afresh for the price, the balance and the options it
offers, and mints the token that is the purchase's idempotency key.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.provider import ProviderClient
from bot.provider.models import Price
from bot.services.catalog import rank_services, search_countries
from bot.services.purchases import (
    offered_options,
)
from bot.telegram.buttons.buy import (
    BuyNavigation,
    ConfirmPurchase,
    CountryPage,
    PickCountry,
    PickOperator,
    PickService,
    ServicePage,
    ToggleFavourite,
    ToggleOption,
)
from bot.telegram.buttons.offers import KeepTrying
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft, BuyStep, chosen_country, chosen_service
from bot.telegram.handlers.common import services
from bot.telegram.handlers.drafts import with_new_token
from bot.telegram.handlers.favourites import favourite_rows, preferences_of, star
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.screens.offers import compare_for, comparison_lines, in_currency, pin_rows
from bot.telegram.screens.pickers import (
    country_flag,
    country_name,
    label,
    listed_picks,
    paginated,
)


async def services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, page: int
) -> Screen:
    svc = services(context)
    preferences = await preferences_of(context, draft.user)
    query = draft.query
    ranked = rank_services(
        await svc.catalog.services(client), preferences.favourite_services, query
    )
    if not ranked:
        return Screen(render("buy-no-service-match", query=query or ""), abort_only(render))
    pick = listed_picks(draft.listings, "service", PickService, [s.code for s in ranked])
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


async def countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, page: int
) -> Screen:
    catalog = services(context).catalog
    preferences = await preferences_of(context, draft.user)
    offers = await catalog.offers(client, chosen_service(draft))
    countries = await catalog.countries(client)
    query = draft.country_query
    if query:
        matching = {
            c.country_id for c in search_countries(countries.values(), query, render.locale)
        }
        offers = tuple(offer for offer in offers if offer.country in matching)
    favourite_service = draft.service in preferences.favourite_services
    back = [
        render.button("button-back", BuyNavigation("services")),
        render.button("button-cancel", BuyNavigation("abort")),
    ]
    star_service = render.button(
        "button-unstar-service" if favourite_service else "button-star-service",
        ToggleFavourite("service"),
        service=draft.service_name,
    )
    if not offers:
        message = "buy-no-country-match" if query else "buy-no-offers"
        text = render(message, query=query or "", service=draft.service_name)
        return Screen(text, InlineKeyboardMarkup([[star_service], back]))
    # Favourite countries first, in the order they were starred; the rest stay cheapest first
    # (sorted() is stable), and a sold-out favourite still goes after every country in stock.
    rank = {country: i for i, country in enumerate(preferences.favourite_countries)}
    offers = tuple(sorted(offers, key=lambda o: (o.count <= 0, rank.get(o.country, len(rank)))))

    def button(offer: Price) -> InlineKeyboardButton:
        country = countries.get(offer.country)
        name = country_name(country, offer.country, render.locale)
        return render.button(
            "buy-country-line",
            PickCountry(offer.country),
            flag=star(offer.country in rank) + country_flag(country),
            country=label(name, 18),
            price=render.money(offer.cost),
            count=offer.count,
        )

    keyboard = paginated(
        offers,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=CountryPage(p).pack()),
        columns=1,
        extra_rows=[[star_service], back],
    )
    return Screen(render("buy-choose-country", service=draft.service_name), keyboard)


async def confirm_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft
) -> Screen:
    catalog = services(context).catalog
    back = [
        render.button("button-back", BuyNavigation("countries")),
        render.button("button-cancel", BuyNavigation("abort")),
    ]
    service, country = chosen_service(draft), chosen_country(draft)
    compared = await compare_for(context, draft)
    offer_lines: list[str] = []
    pins: list[list[InlineKeyboardButton]] = []
    if compared is not None:
        offer_lines, pins = comparison_lines(render, compared), pin_rows(render, compared)
        chosen = compared.chosen
        at = (
            None
            if chosen is None
            else await services(context).accounts.client_for_provider(draft.user, chosen.provider)
        )
        if chosen is None or at is None:
            return Screen(Html("\n".join(offer_lines)), InlineKeyboardMarkup([*pins, back]))
        # Bought where the chosen row sells, with that provider's key and its own codes.
        client, service, country = at, chosen.service, chosen.country
        render = in_currency(render, chosen.currency) if chosen.currency else render
    price = await catalog.fresh_price(client, service, country)
    if price is None or price.count <= 0:
        return Screen(render("buy-sold-out"), InlineKeyboardMarkup([*pins, back]))
    offered = await offered_options(client, service, country)
    # An option the provider no longer offers here is dropped, never sent on trust.
    if offered.verification_price is None:
        draft.verification = False
    if not offered.forward:
        draft.forward, draft.forward_number = False, None
    verification = draft.verification
    cost = offered.verification_price if verification else price.cost
    assert cost is not None
    balance = await client.get_balance()
    if balance < cost:
        text = render("buy-balance-short", price=render.money(cost), balance=render.money(balance))
        rows = [*pins, back]
        if verification:
            # The call-verification price is what is short: a plain number may still do
            # (Back would only lead to the same screen again).
            draft.step, draft.token = BuyStep.CONFIRM, None
            plain = render.button("button-verification-off", ToggleOption("verification"))
            rows.insert(0, [plain])
        return Screen(text, InlineKeyboardMarkup(rows))
    max_price = draft.max_price
    if max_price is not None and not verification and max_price < cost:
        # The provider sells at its price up to the limit: below the price, a Buy would fail.
        draft.step, draft.token = BuyStep.CONFIRM, None
        text = render(
            "buy-max-price-below",
            max_price=render.money(max_price),
            price=render.money(cost),
        )
        rows = [[render.button("buy-max-price-button", BuyNavigation("maxprice"))], *pins, back]
        return Screen(text, InlineKeyboardMarkup(rows))
    token = await with_new_token(context, draft)
    draft.price = cost
    # Keep trying may buy the next-best row: its cap counts the dearest row in stock.
    in_stock = [o.price for o in compared.comparison.offers if o.stock > 0] if compared else []
    draft.keep_price = max([cost, *in_stock])
    draft.step = BuyStep.CONFIRM
    operator = draft.operator or "any"
    lines = [
        render(
            "buy-confirm",
            service=draft.service_name,
            country=draft.country_name,
            operator=render("buy-operator-any") if operator == "any" else operator,
            price=render.money(cost),
            count=offered.verification_count if verification else price.count,
            balance=render.money(balance),
        )
    ]
    if compared is not None:
        lines.append(render("offers-provider-line", provider=compared.title(client.endpoint.key)))
        lines.extend(Html(line) for line in offer_lines)
    if max_price is not None and not verification:
        lines.append(render("buy-max-price-line", max_price=render.money(max_price)))
    if verification:
        lines.append(render("options-line-verification"))
    if draft.forward:
        lines.append(render("options-line-forward", number=f"+{draft.forward_number}"))
    rows = [[render.button("buy-confirm-button", ConfirmPurchase(token), price=render.money(cost))]]
    if offered.verification_price is not None:
        name = "button-verification-off" if verification else "button-verification-on"
        rows.append([render.button(name, ToggleOption("verification"))])
    if offered.forward:
        name = "button-forward-off" if draft.forward else "button-forward-on"
        rows.append([render.button(name, ToggleOption("forward"))])
    if not verification:  # the protocol: a call-verification number takes no Free Price
        rows.append([render.button("buy-max-price-button", BuyNavigation("maxprice"))])
    if draft.operator_defaulted:  # the 📌 default skipped the operator step
        rows.append([render.button("button-other-operator", BuyNavigation("operators"))])
    rows.extend(pins)
    if services(context).autoreplace is not None and not verification and not draft.forward:
        rows.append([render.button("autoreplace-button", KeepTrying("setup"))])
    rows.extend(favourite_rows(render, draft, await preferences_of(context, draft.user)))
    rows.append(back)
    return Screen(Html("\n".join(lines)), InlineKeyboardMarkup(rows))


def operators_screen(
    render: Renderer, draft: BuyDraft, operators: tuple[str, ...], default: str | None
) -> Screen:
    if default in operators:
        # The user's default operator comes first, marked, so one tap takes it.
        operators = (default, *(name for name in operators if name != default))
    pick = listed_picks(draft.listings, "operator", PickOperator, operators)

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
    text = render("buy-choose-operator", service=draft.service_name, country=draft.country_name)
    return Screen(text, InlineKeyboardMarkup(rows))


def abort_only(render: Renderer) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[render.button("button-cancel", BuyNavigation("abort"))]])
