"""Ways into /buy's confirm screen from elsewhere: a /prices row (🛒) and 🔁 New number on an
activation that ended without a code. Each starts a /buy draft for that service, country
(and operator) and shows /buy's confirm screen, the price asked afresh; the /buy confirm
button buys as ever (one token, one paid call)."""

from __future__ import annotations

from telegram.ext import BaseHandler

from bot.provider import ProviderError
from bot.services.results import NotYoursError
from bot.telegram import flows
from bot.telegram.buttons.activation import NewNumber
from bot.telegram.buttons.prices import BuyFromPrices
from bot.telegram.flow_types import BuyDraft, BuyStep
from bot.telegram.handlers.buy import after_country
from bot.telegram.handlers.common import (
    provider_client,
    send,
    send_screen,
    show,
)
from bot.telegram.rendering import Screen
from bot.telegram.routing import Press, button_handlers, on_button
from bot.telegram.screens.activation import country_name as recorded_name
from bot.telegram.screens.activation import service_name
from bot.telegram.screens.buy import confirm_screen
from bot.telegram.screens.offers import title_for
from bot.telegram.screens.pickers import country_name, country_names
from storage.activations import ActivationState


@on_button(BuyFromPrices)
async def buy_from_prices(press: Press[BuyFromPrices]) -> None:
    """A /prices row: /buy for that service and country, at its confirm screen (or its
    operator step), the price asked afresh; the /buy confirm buys as ever."""
    await press.query.answer()
    client = await provider_client(press.update, press.context, press.render)
    if client is None:
        return
    catalog = press.services.catalog
    try:
        known = {s.code: s for s in await catalog.services(client)}
        service = known.get(press.button.service)
        if service is None:
            await show(press.query, Screen(press.render("press-stale")))
            return
        country = (await catalog.countries(client)).get(press.button.country)
        draft = BuyDraft(
            step=BuyStep.COUNTRY,
            user=press.user_id,
            provider=client.endpoint.key,
            service=service.code,
            service_name=service.name,
            country=press.button.country,
            country_name=country_name(country, press.button.country, press.render.locale),
            country_names=country_names(country),
        )
        flows.start(press.context, draft)
        try:
            screen = await after_country(press.context, client, press.render, draft)
        finally:
            flows.save(press.context, draft)
    except ProviderError as error:
        await show(
            press.query, Screen(press.render("buy-refused", reason=press.render.error(error)))
        )
        return
    await show(press.query, screen)


@on_button(NewNumber)
async def new_number(press: Press[NewNumber]) -> None:
    """🔁 New number on one that ended without a code: /buy's confirm screen for the same
    service, country and operator, as a new message; the /buy confirm buys as ever."""
    try:
        row = await press.services.activation_actions.owned(press.user_id, press.button.ledger_id)
    except NotYoursError:
        await press.query.answer(press.render("press-not-yours"), show_alert=True)
        return
    if row.state not in _ENDED or row.code_count or row.country is None:
        await press.query.answer(press.render("press-stale"))
        return
    await press.query.answer()
    client = await provider_client(press.update, press.context, press.render)
    if client is None:
        return
    if client.endpoint.key != row.provider:
        title = title_for(press.context, row.provider)
        await send(press.update, press.render("new-number-other-provider", provider=title))
        return
    names = row.options.get("country_names") or {}
    draft = BuyDraft(
        step=BuyStep.CONFIRM,
        user=press.user_id,
        provider=client.endpoint.key,
        service=row.service,
        service_name=service_name(row),
        country=row.country,
        country_name=recorded_name(row, press.render.locale),
        country_names={str(k): str(v) for k, v in names.items()},
        operator=row.operator,
    )
    flows.start(press.context, draft)
    screen = confirm_screen(press.context, client, press.render, draft)
    try:
        await send_screen(press.update, press.render, screen, "buy-refused")
    finally:
        flows.save(press.context, draft)


_ENDED = (ActivationState.CANCELLED, ActivationState.EXPIRED)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [*button_handlers(buy_from_prices, new_number)]
