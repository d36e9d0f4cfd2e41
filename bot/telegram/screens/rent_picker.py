"""/rent's screens: the service, country, operator and hours pickers and the confirm screen."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.provider import ProviderClient, ProviderError
from bot.provider.models import Service
from bot.services.catalog import rank_services
from bot.telegram.buttons.rent import ConfirmRent, RentNavigation, RentPage, RentPick, RentTarget
from bot.telegram.context import Context
from bot.telegram.flow_types import RentDraft, RentStep, chosen_country, chosen_service
from bot.telegram.handlers.common import services
from bot.telegram.handlers.drafts import with_new_token
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.screens.offers import rent_offering
from bot.telegram.screens.pickers import (
    PAGE_SIZE,
    country_flag,
    country_name,
    fits,
    label,
    paginated,
)

# Durations offered: 4 h, 12 h, then whole days (the provider's steps, PROTOCOL §6).
RENT_HOURS: Final = (4, 12, 24, 48, 72, 168, 336, 720)


async def services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft, page: int
) -> Screen:
    """The whole number first, then the services the provider rents, ranked as in /buy
    (favourites, popular ones, by name), or those matching the typed search."""
    svc = services(context)
    offered = await client.get_rent_services_and_countries(4)
    listed = {s.code: s for s in await svc.catalog.services(client)}
    rentable = [
        listed.get(code) or Service(code, code) for code in offered.services if code != "full"
    ]
    user = await svc.users.ensure(draft.user)
    query = draft.query
    ranked = rank_services(rentable, user.preferences.favourite_services, query)
    codes = [s.code for s in ranked]
    if "full" in offered.services and not query:
        codes.insert(0, "full")
    names = {s.code: s.name or s.code for s in ranked}
    draft.service_names = {**draft.service_names, **names, "full": "full"}
    choices = [c for c in codes if fits(RentPick("service", c), "a rent picker")]
    if not choices:
        text = render("buy-no-service-match", query=query or "")
        return Screen(text, InlineKeyboardMarkup([[abort_button(render)]]))

    def button(code: str) -> InlineKeyboardButton:
        text = render("rent-service-full") if code == "full" else label(names[code])
        return InlineKeyboardButton(text, callback_data=RentPick("service", code).pack())

    keyboard = paginated(
        choices,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=RentPage("service", p).pack()),
        extra_rows=[[abort_button(render)]],
    )
    text = render("buy-search-results", query=query) if query else render("rent-choose-service")
    return Screen(text, keyboard)


async def countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft, page: int
) -> Screen:
    offered = await client.get_rent_services_and_countries(4)
    countries = await services(context).catalog.countries(client)
    ids = sorted(offered.countries, key=lambda c: country_name(countries.get(c), c, render.locale))
    prices = await _shortest_rent_prices(client, chosen_service(draft), _page_of(ids, page))

    def button(country: int) -> InlineKeyboardButton:
        known = countries.get(country)
        name = country_flag(known) + label(country_name(known, country, render.locale), 18)
        price = prices.get(country)
        text = name if price is None else f"{name} · {render.money(price)}"
        return InlineKeyboardButton(text, callback_data=RentPick("country", str(country)).pack())

    keyboard = paginated(
        ids,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=RentPage("country", p).pack()),
        extra_rows=[[back_button(render, "services"), abort_button(render)]],
    )
    return Screen(render("rent-choose-country", service=draft.service_name), keyboard)


def _page_of(ids: list[int], page: int) -> list[int]:
    """The ids ``paginated`` shows on ``page`` (clamped the same way)."""
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]


async def _shortest_rent_prices(
    client: ProviderClient, service: str, countries: list[int]
) -> dict[int, Decimal]:
    """What renting ``service`` for the shortest time costs in each shown country (the
    provider prices one country per call, so only the page's). A country the provider does
    not price, or whose call fails, shows no price: the confirm screen asks again anyway."""

    async def one(country: int) -> tuple[int, Decimal | None]:
        try:
            catalog = await client.get_rent_services_and_countries(RENT_HOURS[0], country=country)
        except ProviderError:
            return country, None
        offer = catalog.services.get(service)
        return country, None if offer is None else offer.cost

    found = await asyncio.gather(*(one(country) for country in countries))
    return {country: cost for country, cost in found if cost is not None}


def operators_screen(render: Renderer, draft: RentDraft, operators: list[str]) -> Screen:
    names = [
        "any",
        *(o for o in operators if o != "any" and fits(RentPick("operator", o), "a rent picker")),
    ]
    rows = [
        [
            InlineKeyboardButton(
                render("buy-operator-any") if name == "any" else name,
                callback_data=RentPick("operator", name).pack(),
            )
            for name in names[i : i + 2]
        ]
        for i in range(0, len(names), 2)
    ]
    rows.append([back_button(render, "countries"), abort_button(render)])
    text = render("rent-choose-operator", service=draft.service_name, country=draft.country_name)
    return Screen(text, InlineKeyboardMarkup(rows))


def hours_screen(render: Renderer, draft: RentDraft) -> Screen:
    choices = [
        InlineKeyboardButton(
            render("button-rent-hours", duration=render.duration(hours)),
            callback_data=RentPick("hours", str(hours)).pack(),
        )
        for hours in RENT_HOURS
    ]
    rows = [choices[i : i + 4] for i in range(0, len(choices), 4)]
    rows.append([back_button(render, "countries"), abort_button(render)])
    text = render("rent-choose-hours", service=draft.service_name, country=draft.country_name)
    return Screen(text, InlineKeyboardMarkup(rows))


async def confirm_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft
) -> Screen:
    back = [back_button(render, "hours"), abort_button(render)]
    operator = draft.operator
    assert draft.hours is not None, "the hours step came before"
    service, country = chosen_service(draft), chosen_country(draft)
    # With keys at several providers: rented where the chosen row sells, in its codes.
    offering = await rent_offering(context, render, draft)
    pins = offering.pins if offering is not None else []
    if offering is not None:
        if offering.client is None or offering.offer is None:
            return offering.dead_end(back)
        client, service, country = offering.client, offering.offer.service, offering.offer.country
        render = offering.priced(render)
    offered = await client.get_rent_services_and_countries(
        draft.hours,
        country=country,
        operator=None if operator in (None, "any") else operator,
    )
    offer = offered.services.get(service)
    if offer is None or offer.quantity <= 0:
        return Screen(render("rent-sold-out"), InlineKeyboardMarkup([*pins, back]))
    balance = await client.get_balance()
    if balance < offer.cost:
        text = render(
            "buy-balance-short", price=render.money(offer.cost), balance=render.money(balance)
        )
        return Screen(text, InlineKeyboardMarkup([*pins, back]))
    token = await with_new_token(context, draft)
    draft.price, draft.step = offer.cost, RentStep.CONFIRM
    text = render(
        "rent-confirm",
        service=draft.service_name,
        country=draft.country_name,
        operator=render("buy-operator-any") if operator in (None, "any") else operator,
        duration=render.duration(draft.hours),
        price=render.money(offer.cost),
        count=offer.quantity,
        balance=render.money(balance),
    )
    if offering is not None:
        text = offering.under(render, text)
    confirm = render.button(
        "button-rent-confirm", ConfirmRent(token), price=render.money(offer.cost)
    )
    return Screen(text, InlineKeyboardMarkup([[confirm], *pins, back]))


def back_button(render: Renderer, target: RentTarget) -> InlineKeyboardButton:
    return render.button("button-back", RentNavigation(target))


def abort_button(render: Renderer) -> InlineKeyboardButton:
    return render.button("button-cancel", RentNavigation("abort"))
