"""/prices: what a service costs across countries, or a country across services.

Read-only (``getPrices`` through the catalogue's short cache). The browser's place is a
:class:`~bot.telegram.flow_types.PricesDraft` so typed text searches the picker shown, like /buy;
buttons carry only the choice and the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderClient
from bot.provider.models import Price
from bot.services.catalog import rank_services, search_countries
from bot.telegram import flows
from bot.telegram.buttons.prices import (
    BuyFromPrices,
    PricesNavigation,
    PricesPick,
    PricesTarget,
)
from bot.telegram.context import Context
from bot.telegram.flow_types import PricesDraft, PricesStep
from bot.telegram.handlers.common import (
    command_argument,
    provider_client,
    renderer,
    services,
    show,
    user_id,
)
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Picker, Press, StepResult, button_handlers, on_button
from bot.telegram.screens.offers import prices_across
from bot.telegram.screens.pickers import (
    country_flag,
    country_name,
    fits,
    label,
    paginated,
    picks_on,
)

log = logging.getLogger(__name__)

TABLE_ROWS: Final = 15  # price lines per page: short enough to read on a phone


# --- screens ----------------------------------------------------------------------------------


# Each list's title, and the label and target of the button that switches to the other list.
_LISTS: Final[dict[PricesTarget, tuple[str, str, PricesTarget]]] = {
    "services": ("prices-choose-service", "button-prices-by-country", "countries"),
    "countries": ("prices-choose-country", "button-prices-by-service", "services"),
}


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: PricesDraft, page: int
) -> Screen:
    draft.step = PricesStep.SERVICE
    query = draft.query
    known = await services(context).catalog.services(client)
    picks = [
        (s.name, PricesPick("s", s.code, 0))
        for s in rank_services(known, (), query)
        if fits(PricesPick("s", s.code, 0), "/prices")
    ]
    return _list_screen(render, picks, page, "services", query)


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: PricesDraft, page: int
) -> Screen:
    draft.step = PricesStep.COUNTRY
    query = draft.country_query
    countries = list((await services(context).catalog.countries(client)).values())
    if query:
        countries = search_countries(countries, query, render.locale)
    countries.sort(key=lambda c: c.name(render.locale).casefold())
    picks = [
        (country_flag(c) + c.name(render.locale), PricesPick("c", str(c.country_id), 0))
        for c in countries
    ]
    return _list_screen(render, picks, page, "countries", query)


def _list_screen(
    render: Renderer,
    picks: Sequence[tuple[str, PricesPick]],
    page: int,
    target: PricesTarget,
    query: str | None,
) -> Screen:
    """One of the two lists (``target``): a page of its picks under its title, or "no match"
    for the query; either with a button to the other list and Cancel."""
    title, switch_label, other = _LISTS[target]
    extra = [
        render.button(switch_label, PricesNavigation(other, 0)),
        render.button("button-cancel", PricesNavigation("close", 0)),
    ]
    if not picks:
        return Screen(render("prices-no-match", query=query or ""), InlineKeyboardMarkup([extra]))
    keyboard = paginated(
        picks,
        page,
        lambda pick: InlineKeyboardButton(label(pick[0]), callback_data=pick[1].pack()),
        lambda p, text: InlineKeyboardButton(
            text, callback_data=PricesNavigation(target, p).pack()
        ),
        extra_rows=[extra],
    )
    return Screen(render(title), keyboard)


async def _table_screen(
    context: Context, client: ProviderClient, render: Renderer, pick: PricesPick
) -> Screen | None:
    """One service across countries or one country across services, cheapest first."""
    catalog = services(context).catalog
    countries = await catalog.countries(client)
    names = {s.code: s.name for s in await catalog.services(client)}
    if pick.by == "s":
        if pick.key not in names:
            return None
        offers = await catalog.offers(client, pick.key)
        title = names[pick.key]

        def name(offer: Price) -> str:
            country = countries.get(offer.country)
            return country_flag(country) + country_name(country, offer.country, render.locale)

        back = PricesNavigation("services", 0)
    else:
        try:
            country = int(pick.key)
        except ValueError:
            return None
        offers = await catalog.country_offers(client, country)
        title = country_name(countries.get(country), country, render.locale)

        def name(offer: Price) -> str:
            return names.get(offer.service, offer.service)

        back = PricesNavigation("countries", 0)
    back_row = [
        render.button("button-back", back),
        render.button("button-cancel", PricesNavigation("close", 0)),
    ]
    if not offers:
        return Screen(render("prices-empty", name=title), InlineKeyboardMarkup([back_row]))
    pages = -(-len(offers) // TABLE_ROWS)
    page = min(max(pick.page, 0), pages - 1)
    shown = offers[page * TABLE_ROWS : (page + 1) * TABLE_ROWS]
    lines = [
        render("prices-line", name=name(o), price=render.money(o.cost), count=o.count)
        for o in shown
    ]
    # With keys at several providers: each line's price and stock at every one of them.
    draft = _PICKER.draft(context)
    lines = await prices_across(context, render, draft, (pick.by, pick.key), shown, lines)
    # Each row in stock is a button to buy it: /buy's confirm screen, the price asked afresh.
    buy_rows = [
        [
            InlineKeyboardButton(
                render.translator.t(
                    render.locale,
                    "button-prices-buy",
                    name=label(name(o), 24),
                    price=render.money(o.cost),
                ),
                callback_data=BuyFromPrices(o.service, o.country).pack(),
            )
        ]
        for o in shown
        if o.count > 0 and fits(BuyFromPrices(o.service, o.country))
    ]
    header_id = "prices-service-header" if pick.by == "s" else "prices-country-header"
    header = render(header_id, name=title, page=page + 1, pages=pages)
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton("◀️", callback_data=PricesPick(pick.by, pick.key, page - 1).pack())
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton("▶️", callback_data=PricesPick(pick.by, pick.key, page + 1).pack())
        )
    rows = [*buy_rows, navigation, back_row] if navigation else [*buy_rows, back_row]
    return Screen(Html("\n".join([header, *lines])), InlineKeyboardMarkup(rows))


# --- handlers -------------------------------------------------------------------------------


async def start_prices(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    draft = PricesDraft(query=command_argument(context), user=user_id(update))
    screen = _services_screen(context, client, render, draft, 0)
    await _PICKER.open(update, context, render, draft, screen, "prices-refused")


_PICKER = Picker(PricesDraft, gone="prices-expired", expired=None, refused="prices-refused")


async def search(update: Update, context: Context) -> bool:
    """Typed text while a /prices picker is shown: filters it. False if none is."""

    async def searched(
        client: ProviderClient, render: Renderer, draft: PricesDraft, text: str
    ) -> Screen:
        if draft.step == PricesStep.SERVICE:
            draft.query = text
            screen = await _services_screen(context, client, render, draft, 0)
        else:
            draft.country_query = text
            screen = await _countries_screen(context, client, render, draft, 0)
        # A search with one match picks it: its table comes at once.
        found = picks_on(screen.keyboard, PricesPick)
        if len(found) == 1:
            table = await _table_screen(context, client, render, found[0])
            if table is not None:
                draft.step = PricesStep.TABLE
                return table
        return screen

    steps = (PricesStep.SERVICE, PricesStep.COUNTRY)
    return await _PICKER.search(update, context, steps, searched)


@_PICKER.step(PricesPick)
async def pick(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: PricesDraft,
    button: PricesPick,
) -> StepResult:
    """One service across countries, or one country across services."""
    screen = await _table_screen(context, client, render, button)
    draft.step = PricesStep.TABLE
    return screen


@on_button(PricesNavigation)
async def navigate(press: Press[PricesNavigation]) -> None:
    """Close needs no provider; the pickers do."""
    if press.button.target == "close" and _PICKER.draft(press.context) is not None:
        flows.end(press.context)
        await press.query.answer()
        await show(press.query, Screen(press.render("prices-closed")))
        return
    page = press.button.page
    screen = _countries_screen if press.button.target == "countries" else _services_screen

    async def picker(client: ProviderClient, draft: PricesDraft) -> StepResult:
        return await screen(press.context, client, press.render, draft, page)

    await _PICKER.run(press.update, press.context, press.render, picker)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("prices", start_prices),
        *button_handlers(pick, navigate),
    ]
