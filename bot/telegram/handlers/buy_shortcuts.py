"""Ways into /buy's confirm screen from elsewhere: a /prices row (🛒) and 🔁 New number on an
activation that ended without a code. Each starts a /buy draft for that service, country
(and operator) and shows /buy's confirm screen, the price asked afresh; the /buy confirm
button buys as ever (one token, one paid call)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.provider import ProviderError
from bot.services.results import NotYoursError
from bot.telegram import flows
from bot.telegram.buttons.activation import NewNumber
from bot.telegram.buttons.prices import BuyFromPrices
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft, BuyStep
from bot.telegram.handlers.buy import after_country
from bot.telegram.handlers.common import (
    provider_client,
    send,
    send_screen,
    services,
    show,
    user_id,
)
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import button_handlers, on_button, pressed
from bot.telegram.screens.activation import country_name as recorded_name
from bot.telegram.screens.activation import service_name
from bot.telegram.screens.buy import confirm_screen
from bot.telegram.screens.offers import title_for
from bot.telegram.screens.pickers import country_name, country_names
from storage.activations import ActivationState


@on_button(BuyFromPrices)
async def buy_from_prices(
    update: Update, context: Context, button: BuyFromPrices, render: Renderer
) -> None:
    """A /prices row: /buy for that service and country, at its confirm screen (or its
    operator step), the price asked afresh; the /buy confirm buys as ever."""
    query = pressed(update)
    await query.answer()
    client = await provider_client(update, context, render)
    if client is None:
        return
    catalog = services(context).catalog
    try:
        known = {s.code: s for s in await catalog.services(client)}
        service = known.get(button.service)
        if service is None:
            await show(query, Screen(render("press-stale")))
            return
        country = (await catalog.countries(client)).get(button.country)
        draft = BuyDraft(
            step=BuyStep.COUNTRY,
            user=user_id(update),
            provider=client.endpoint.key,
            service=service.code,
            service_name=service.name,
            country=button.country,
            country_name=country_name(country, button.country, render.locale),
            country_names=country_names(country),
        )
        flows.start(context, draft)
        try:
            screen = await after_country(context, client, render, draft)
        finally:
            flows.save(context, draft)
    except ProviderError as error:
        await show(query, Screen(render("buy-refused", reason=render.error(error))))
        return
    await show(query, screen)


@on_button(NewNumber)
async def new_number(update: Update, context: Context, button: NewNumber, render: Renderer) -> None:
    """🔁 New number on one that ended without a code: /buy's confirm screen for the same
    service, country and operator, as a new message; the /buy confirm buys as ever."""
    query = pressed(update)
    svc = services(context)
    try:
        row = await svc.activation_actions.owned(user_id(update), button.ledger_id)
    except NotYoursError:
        await query.answer(render("press-not-yours"), show_alert=True)
        return
    if row.state not in _ENDED or row.code_count or row.country is None:
        await query.answer(render("press-stale"))
        return
    await query.answer()
    client = await provider_client(update, context, render)
    if client is None:
        return
    if client.endpoint.key != row.provider:
        title = title_for(context, row.provider)
        await send(update, render("new-number-other-provider", provider=title))
        return
    names = row.options.get("country_names") or {}
    draft = BuyDraft(
        step=BuyStep.CONFIRM,
        user=user_id(update),
        provider=client.endpoint.key,
        service=row.service,
        service_name=service_name(row),
        country=row.country,
        country_name=recorded_name(row, render.locale),
        country_names={str(k): str(v) for k, v in names.items()},
        operator=row.operator,
    )
    flows.start(context, draft)
    screen = confirm_screen(context, client, render, draft)
    try:
        await send_screen(update, render, screen, "buy-refused")
    finally:
        flows.save(context, draft)


_ENDED = (ActivationState.CANCELLED, ActivationState.EXPIRED)



def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [*button_handlers(buy_from_prices, new_number)]
