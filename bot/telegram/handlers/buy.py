"""/buy: service -> country -> operator -> confirm -> one number.

The draft is a :class:`~bot.telegram.flow_types.BuyDraft` (server-side; buttons carry only
choices). The confirm screen asks the provider afresh for the price, the balance and the
options it offers (call verification, forwarding), refuses a short balance before any paid
call, and mints the token that is the purchase's idempotency key: its button
(:mod:`bot.telegram.handlers.buy_confirm`), however often tapped, buys at most one number.
A service code or operator name that cannot ride in a button is kept in the draft
and its button carries its position instead. Favourites and the default operator are set
from the pickers and the confirm screen, and come first in the pickers.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderClient
from bot.services.catalog import rank_services, search_countries
from bot.telegram import flows
from bot.telegram.buttons.buy import (
    BuyNavigation,
    CountryPage,
    PickCountry,
    PickListed,
    PickOperator,
    PickService,
    ServicePage,
    ToggleFavourite,
    ToggleOption,
)
from bot.telegram.buttons.shapes import PageButton
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft, BuyQuestion, BuyStep, chosen_country, chosen_service
from bot.telegram.handlers.buy_confirm import confirm
from bot.telegram.handlers.common import (
    services,
)
from bot.telegram.handlers.favourites import preferences_of, toggle_favourite
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import ButtonRoute, Picker, PickerPage, button_handlers
from bot.telegram.screens.buy import (
    confirm_screen,
    countries_screen,
    operators_screen,
    services_screen,
)
from bot.telegram.screens.pickers import (
    country_name,
    country_names,
    listed_name,
)

log = logging.getLogger(__name__)


PICKER = Picker(
    BuyDraft, gone="buy-expired-menu", expired="buy-expired-menu", refused="buy-refused"
)
start_buy = PICKER.command(BuyDraft, services_screen)


async def search(update: Update, context: Context) -> bool:
    """Typed text during /buy: a service or country search. False if no buy step wants it."""

    async def searched(
        client: ProviderClient, render: Renderer, draft: BuyDraft, text: str
    ) -> Screen:
        # A search with one match picks it: the next step comes at once.
        catalog = services(context).catalog
        if draft.step == BuyStep.SERVICE:
            draft.query = text
            matches = rank_services(await catalog.services(client), (), text)
            if len(matches) == 1:
                picked = await _choose_service(context, client, render, draft, matches[0].code)
                if picked is not None:
                    return picked
            return await services_screen(context, client, render, draft, 0)
        draft.country_query = text
        countries = await catalog.countries(client)
        named = {c.country_id for c in search_countries(countries.values(), text, render.locale)}
        offers = await catalog.offers(client, chosen_service(draft))
        sold = [o.country for o in offers if o.count > 0]
        in_stock = [country for country in sold if country in named]
        if len(in_stock) == 1:
            return await _choose_country(context, client, render, draft, in_stock[0])
        return await countries_screen(context, client, render, draft, 0)

    return await PICKER.search(update, context, (BuyStep.SERVICE, BuyStep.COUNTRY), searched)


def _pages_of(
    kind: type[PageButton], step: BuyStep, pages: PickerPage[BuyDraft]
) -> ButtonRoute[PageButton]:
    """A picker's page buttons: another page of ``step``'s choices, while the draft is on it."""

    async def turn(
        context: Context,
        client: ProviderClient,
        render: Renderer,
        draft: BuyDraft,
        button: PageButton,
    ) -> Screen | None:
        if draft.step != step:
            return None
        return await pages(context, client, render, draft, button.page)

    return PICKER.step(kind)(turn)


service_page = _pages_of(ServicePage, BuyStep.SERVICE, services_screen)
country_page = _pages_of(CountryPage, BuyStep.COUNTRY, countries_screen)


@PICKER.step(PickService)
async def pick_service(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, button: PickService
) -> Screen | None:
    return await _choose_service(context, client, render, draft, button.code)


@PICKER.step(PickListed)
async def pick_listed(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, button: PickListed
) -> Screen | None:
    """A service or operator whose name could not ride in its button: its position."""
    name = listed_name(draft.listings, button)
    if button.kind == "service":
        return await _choose_service(context, client, render, draft, name)
    return await _choose_operator(context, client, render, draft, name)


async def _choose_service(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, code: str | None
) -> Screen | None:
    if draft.step not in (BuyStep.SERVICE, BuyStep.COUNTRY):
        return None
    known = {s.code: s for s in await services(context).catalog.services(client)}
    if code is None or code not in known:
        return None
    draft.step, draft.service, draft.service_name = BuyStep.COUNTRY, code, known[code].name
    draft.country_query = None
    return await countries_screen(context, client, render, draft, 0)


@PICKER.step(PickCountry)
async def pick_country(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, button: PickCountry
) -> Screen | None:
    if draft.step not in (BuyStep.COUNTRY, BuyStep.OPERATOR):
        return None
    return await _choose_country(context, client, render, draft, button.country)


async def _choose_country(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, country_id: int
) -> Screen:
    country = (await services(context).catalog.countries(client)).get(country_id)
    draft.country = country_id
    draft.country_name = country_name(country, country_id, render.locale)
    draft.country_names = country_names(country)
    return await after_country(context, client, render, draft)


async def after_country(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft
) -> Screen:
    """The step after the country: the confirm screen when there is no operator to pick or
    the user's default operator (📌) sells here, else the operator picker."""
    draft.operator, draft.operator_defaulted = None, False
    operators = await services(context).catalog.operators(client, chosen_country(draft))
    if not operators:
        return await confirm_screen(context, client, render, draft)
    default = (await preferences_of(context, draft.user)).default_operator
    if default is not None and default in operators:
        draft.operator, draft.operator_defaulted = default, True
        return await confirm_screen(context, client, render, draft)
    return await _operator_step(context, client, render, draft, operators)


async def _operator_step(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: BuyDraft,
    operators: tuple[str, ...] | None = None,
) -> Screen:
    if operators is None:
        operators = await services(context).catalog.operators(client, chosen_country(draft))
    draft.step, draft.token = BuyStep.OPERATOR, None
    preferences = await preferences_of(context, draft.user)
    return operators_screen(render, draft, operators, preferences.default_operator)


@PICKER.step(PickOperator)
async def pick_operator(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: BuyDraft,
    button: PickOperator,
) -> Screen | None:
    return await _choose_operator(context, client, render, draft, button.operator)


async def _choose_operator(
    context: Context, client: ProviderClient, render: Renderer, draft: BuyDraft, name: str | None
) -> Screen | None:
    if draft.step != BuyStep.OPERATOR or name is None:
        return None
    if name not in await services(context).catalog.operators(client, chosen_country(draft)):
        return None
    draft.operator = name
    return await confirm_screen(context, client, render, draft)


@PICKER.step(ToggleFavourite)
async def toggle_favourite_button(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: BuyDraft,
    button: ToggleFavourite,
) -> Screen | None:
    if draft.step not in (BuyStep.COUNTRY, BuyStep.CONFIRM):
        return None
    if not await toggle_favourite(context, draft, button.what):
        return None
    if draft.step == BuyStep.COUNTRY:
        return await countries_screen(context, client, render, draft, 0)
    return await confirm_screen(context, client, render, draft)


@PICKER.step(BuyNavigation)
async def navigate(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: BuyDraft,
    button: BuyNavigation,
) -> Screen | None:
    target = button.target
    if target == "abort":
        flows.end(context)
        return Screen(render("buy-aborted"))
    if target == "services":
        draft.step, draft.token = BuyStep.SERVICE, None
        return await services_screen(context, client, render, draft, 0)
    if target == "maxprice" and draft.step == BuyStep.CONFIRM:
        # This screen no longer buys: the confirm screen comes back after the answer.
        draft.question, draft.token = BuyQuestion.MAX_PRICE, None
        return Screen(render("buy-ask-max-price"), _back_to_confirm(render))
    if target == "confirm" and draft.step == BuyStep.CONFIRM:
        draft.question = None  # no number to forward to after all
        return await confirm_screen(context, client, render, draft)
    if target == "operators" and draft.country is not None:
        return await _operator_step(context, client, render, draft)
    if target == "countries" and draft.service:
        draft.step, draft.token = BuyStep.COUNTRY, None
        return await countries_screen(context, client, render, draft, 0)
    return None


@PICKER.step(ToggleOption)
async def toggle_option(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: BuyDraft,
    button: ToggleOption,
) -> Screen | None:
    if draft.step != BuyStep.CONFIRM:
        return None
    if button.name == "verification":
        draft.verification = not draft.verification
        return await confirm_screen(context, client, render, draft)
    if draft.forward:
        draft.forward, draft.forward_number = False, None
        return await confirm_screen(context, client, render, draft)
    # Forwarding needs the number calls go to: the next text is that number. This screen no
    # longer buys: the confirm screen comes back after.
    draft.question, draft.token = BuyQuestion.FORWARD_NUMBER, None
    return Screen(render("options-ask-forward-number"), _back_to_confirm(render))


def _back_to_confirm(render: Renderer) -> InlineKeyboardMarkup:
    """Under a typed-answer prompt of the confirm step: back to it, or leave the purchase."""
    return InlineKeyboardMarkup(
        [
            [
                render.button("button-back", BuyNavigation("confirm")),
                render.button("button-cancel", BuyNavigation("abort")),
            ]
        ]
    )


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("buy", start_buy),
        *button_handlers(
            confirm,
            service_page,
            pick_service,
            pick_listed,
            country_page,
            pick_country,
            pick_operator,
            toggle_favourite_button,
            navigate,
            toggle_option,
        ),
    ]
