"""/prices: what a service costs across countries, or a country across services.

Read-only (``getPrices`` through the catalogue's short cache). The browser's place lives in
``user_data["prices"]`` so typed text searches the picker shown, like /buy; buttons carry only
the choice and the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CallbackDataError
from bot.context import Context
from bot.handlers.common import (
    AWAITING,
    BUY,
    MULTI,
    PRICES,
    command_argument,
    provider_client,
    renderer,
    send,
    send_screen,
    services,
    show,
)
from bot.handlers.drafts import draft_in
from bot.handlers.pickers import country_name, fits, label
from bot.keyboards import PricesNavigation, PricesPick, paginated
from bot.provider import ProviderClient, ProviderError
from bot.provider.models import Price
from bot.rendering import Html, Renderer, Screen
from bot.services.catalog import rank_services, search_countries

log = logging.getLogger(__name__)

TABLE_ROWS: Final = 15  # price lines per page: short enough to read on a phone


# --- screens ----------------------------------------------------------------------------------


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    draft["step"] = "service"
    query = draft.get("query")
    known = await services(context).catalog.services(client)
    picks = [
        (s.name, PricesPick("s", s.code, 0))
        for s in rank_services(known, (), query)
        if fits(PricesPick("s", s.code, 0), "/prices")
    ]
    switch = [
        render.button("button-prices-by-country", PricesNavigation("countries", 0)),
        render.button("button-cancel", PricesNavigation("close", 0)),
    ]
    if not picks:
        return Screen(render("prices-no-match", query=query or ""), InlineKeyboardMarkup([switch]))
    text = render("prices-choose-service")
    return Screen(text, _picker(picks, page, "services", switch))


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    draft["step"] = "country"
    query = draft.get("country_query")
    countries = list((await services(context).catalog.countries(client)).values())
    if query:
        countries = search_countries(countries, query, render.locale)
    countries.sort(key=lambda c: c.name(render.locale).casefold())
    picks = [(c.name(render.locale), PricesPick("c", str(c.country_id), 0)) for c in countries]
    switch = [
        render.button("button-prices-by-service", PricesNavigation("services", 0)),
        render.button("button-cancel", PricesNavigation("close", 0)),
    ]
    if not picks:
        return Screen(render("prices-no-match", query=query or ""), InlineKeyboardMarkup([switch]))
    text = render("prices-choose-country")
    return Screen(text, _picker(picks, page, "countries", switch))


def _picker(
    picks: Sequence[tuple[str, PricesPick]],
    page: int,
    target: str,
    extra: list[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    return paginated(
        picks,
        page,
        lambda pick: InlineKeyboardButton(label(pick[0]), callback_data=pick[1].pack()),
        lambda p, text: InlineKeyboardButton(
            text, callback_data=PricesNavigation(target, p).pack()
        ),
        extra_rows=[extra],
    )


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
            return country_name(countries.get(offer.country), offer.country, render.locale)

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
    lines = [
        render("prices-line", name=name(o), price=render.money(o.cost), count=o.count)
        for o in offers[page * TABLE_ROWS : (page + 1) * TABLE_ROWS]
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
    rows = [navigation, back_row] if navigation else [back_row]
    return Screen(Html("\n".join([header, *lines])), InlineKeyboardMarkup(rows))


# --- handlers -------------------------------------------------------------------------------


async def start_prices(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    assert context.user_data is not None
    for other in (AWAITING, BUY, MULTI):  # typed text now searches this browser
        context.user_data.pop(other, None)
    draft: dict[str, Any] = {"query": command_argument(context)}
    context.user_data[PRICES] = draft
    screen = _services_screen(context, client, render, draft, 0)
    await send_screen(update, render, screen, "prices-refused")


async def search(update: Update, context: Context) -> bool:
    """Typed text while a /prices picker is shown: filters it. False if none is."""
    draft = draft_in(context, PRICES)
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
    await send_screen(update, render, screen, "prices-refused")
    return True


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    draft = draft_in(context, PRICES)
    if draft is None:
        await query.answer(render("prices-expired"), show_alert=True)
        return
    try:
        data = (
            PricesPick.unpack(query.data)
            if query.data.startswith(PricesPick.prefix + ":")
            else PricesNavigation.unpack(query.data)
        )
    except CallbackDataError:
        await query.answer(render("press-stale"))
        return
    if isinstance(data, PricesNavigation) and data.target == "close":
        assert context.user_data is not None
        context.user_data.pop(PRICES, None)
        await query.answer()
        await show(query, Screen(render("prices-closed")))
        return
    client = await provider_client(update, context, render)
    if client is None:
        await query.answer()
        return
    try:
        if isinstance(data, PricesPick):
            screen = await _table_screen(context, client, render, data)
            draft["step"] = "table"
        elif data.target == "countries":
            screen = await _countries_screen(context, client, render, draft, data.page)
        else:
            screen = await _services_screen(context, client, render, draft, data.page)
    except ProviderError as error:
        await query.answer()
        await send(update, render("prices-refused", reason=render.error(error)))
        return
    if screen is None:
        await query.answer(render("press-stale"))
        return
    await query.answer()
    await show(query, screen)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("prices", start_prices),
        CallbackQueryHandler(
            on_button, pattern=rf"^(?:{PricesPick.prefix}|{PricesNavigation.prefix})(?::|$)"
        ),
    ]
