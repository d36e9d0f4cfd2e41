"""/rent: service -> country -> operator -> duration -> confirm -> one rented number.

The draft is a :class:`~bot.telegram.flow_types.RentDraft` (server-side; buttons carry only
choices). The confirm screen asks the provider afresh for the price, the stock and the
balance, and mints the token that is the rent's idempotency key: however often its button is
tapped, it rents at most one number. The rent message's own buttons are in
:mod:`bot.telegram.handlers.rent_actions`.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderClient
from bot.provider.models import RentCatalog
from bot.services.rents import (
    RentRequest,
    RentResult,
    RentStatusKind,
)
from bot.telegram import flows
from bot.telegram.buttons.rent import ConfirmRent, RentNavigation, RentPage, RentPick
from bot.telegram.confirms import Confirm, on_confirm, refused_text, show_paid
from bot.telegram.context import Context
from bot.telegram.flow_types import RentDraft, RentStep, chosen_service
from bot.telegram.handlers.common import (
    services,
    show,
)
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import Picker, Press, button_handlers
from bot.telegram.screens.offers import paid_at
from bot.telegram.screens.pickers import country_name, country_names, picks_on
from bot.telegram.screens.rent import rent_screen
from bot.telegram.screens.rent_picker import (
    RENT_HOURS,
    confirm_screen,
    countries_screen,
    hours_screen,
    operators_screen,
    services_screen,
)

log = logging.getLogger(__name__)


# --- the /rent handlers -----------------------------------------------------------------------


_PICKER = Picker(
    RentDraft, gone="rent-expired-menu", expired="rent-expired-menu", refused="rent-refused"
)
start_rent = _PICKER.command(RentDraft, services_screen)
PICKER = _PICKER  # the offers handlers pin a provider on /rent's confirm screen


async def search(update: Update, context: Context) -> bool:
    """Typed text while picking a rent's service: a search. False if no rent step wants it."""

    async def searched(
        client: ProviderClient, render: Renderer, draft: RentDraft, text: str
    ) -> Screen:
        draft.query = text or None
        screen = await services_screen(context, client, render, draft, 0)
        # A search with one match picks it: its countries come at once.
        found = [p for p in picks_on(screen.keyboard, RentPick) if p.step == "service"]
        if len(found) == 1:
            chosen = await _choose_service(context, client, render, draft, found[0].value)
            if chosen is not None:
                return chosen
        return screen

    return await _PICKER.search(update, context, (RentStep.SERVICE,), searched)


async def _choose_service(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft, code: str
) -> Screen | None:
    names = draft.service_names
    if code not in names:
        return None
    name = render("rent-service-full") if code == "full" else names[code]
    draft.step, draft.service, draft.service_name = RentStep.COUNTRY, code, str(name)
    return await countries_screen(context, client, render, draft, 0)


@_PICKER.step(RentPage)
async def turn_page(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft, paging: RentPage
) -> Screen | None:
    step = draft.step
    if RentStep(paging.step) == RentStep.SERVICE == step:
        return await services_screen(context, client, render, draft, paging.page)
    if RentStep(paging.step) == RentStep.COUNTRY == step:
        return await countries_screen(context, client, render, draft, paging.page)
    return None


@_PICKER.step(RentPick)
async def pick(
    context: Context, client: ProviderClient, render: Renderer, draft: RentDraft, pick: RentPick
) -> Screen | None:
    """A service, country, operator or number of hours: the next step's screen."""
    step = draft.step
    picked = RentStep(pick.step)
    if picked == RentStep.SERVICE and step in (RentStep.SERVICE, RentStep.COUNTRY):
        return await _choose_service(context, client, render, draft, pick.value)
    if picked == RentStep.COUNTRY and step in (RentStep.COUNTRY, RentStep.OPERATOR):
        if not pick.value.isdigit():
            return None
        country_id = int(pick.value)
        offered: RentCatalog = await client.get_rent_services_and_countries(4, country=country_id)
        if country_id not in offered.countries:
            return None
        country = (await services(context).catalog.countries(client)).get(country_id)
        draft.country = country_id
        draft.country_name = country_name(country, country_id, render.locale)
        draft.country_names = country_names(country)
        draft.operator, draft.operators = None, list(offered.operators)
        if [o for o in offered.operators if o != "any"]:
            draft.step = RentStep.OPERATOR
            return operators_screen(render, draft, list(offered.operators))
        draft.step = RentStep.HOURS
        return hours_screen(render, draft)
    if picked == RentStep.OPERATOR and step == RentStep.OPERATOR:
        if pick.value != "any" and pick.value not in draft.operators:
            return None
        draft.operator, draft.step = pick.value, RentStep.HOURS
        return hours_screen(render, draft)
    if picked == RentStep.HOURS and step in (RentStep.HOURS, RentStep.CONFIRM):
        if not pick.value.isdigit() or int(pick.value) not in RENT_HOURS:
            return None
        draft.hours = int(pick.value)
        return await confirm_screen(context, client, render, draft)
    return None


@_PICKER.step(RentNavigation)
async def navigate(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: RentDraft,
    button: RentNavigation,
) -> Screen | None:
    target = button.target
    if target == "abort":
        flows.end(context)
        return Screen(render("rent-aborted"))
    if target == "services":
        draft.step, draft.token, draft.query = RentStep.SERVICE, None, None
        return await services_screen(context, client, render, draft, 0)
    if target == "countries" and draft.service:
        draft.step, draft.token = RentStep.COUNTRY, None
        return await countries_screen(context, client, render, draft, 0)
    if target == "hours" and draft.country is not None:
        draft.step, draft.token = RentStep.HOURS, None
        return hours_screen(render, draft)
    return None


async def _show_rent_result(press: Press[ConfirmRent], result: RentResult) -> None:
    if result.status is RentStatusKind.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is RentStatusKind.RENTED and result.rent is not None:
        rent = result.rent
        screen = rent_screen(press.render, rent, press.services.clock.now())
        await show_paid(press, rent, screen, press.services.rents.set_message, new_balance=True)
        return
    if result.status is RentStatusKind.REFUSED:
        await show(press.query, Screen(refused_text(press.render, "rent-refused", result.error)))
        return
    await show(press.query, Screen(press.render("rent-unresolved")))


_CONFIRM = Confirm(
    RentDraft,
    expired="rent-expired-menu",
    duplicate="rent-duplicate",
    in_progress="rent-in-progress",
    catalogue=True,
)


@on_confirm(ConfirmRent, _CONFIRM, _show_rent_result)
async def confirm(press: Press[ConfirmRent], draft: RentDraft, token: str) -> RentResult:
    """The rent button. Sequential updates plus the ledger's unique key make it rent once."""
    assert draft.hours is not None and draft.price is not None, "set by the confirm screen"
    at = paid_at(draft, [chosen_service(draft)])  # the comparison's chosen provider, its codes
    request = RentRequest(
        service=at.code(chosen_service(draft)),
        hours=draft.hours,
        country=at.country,
        operator=draft.operator,
        shown_price=draft.price,
        service_name=draft.service_name,
        country_names=draft.country_names,
    )
    return await press.services.renting.rent(
        press.user_id, press.chat_id, request, token, provider=at.provider
    )


# --- helpers ----------------------------------------------------------------------------------


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("rent", start_rent),
        *button_handlers(confirm, turn_page, pick, navigate),
    ]
