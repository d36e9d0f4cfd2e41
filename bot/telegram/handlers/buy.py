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
from decimal import Decimal
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import OutcomeUnknownError, ProviderClient
from bot.services.accounts import AccountError
from bot.services.catalog import rank_services, search_countries
from bot.services.purchases import (
    LedgerUnavailableError,
    PurchaseRequest,
    PurchaseStatus,
)
from bot.services.spending import SpendingCapError
from bot.telegram import flows
from bot.telegram.buttons.buy import (
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
)
from bot.telegram.context import Context
from bot.telegram.flows import AWAITING, BUY
from bot.telegram.handlers.common import (
    chat_id,
    command_argument,
    provider_client,
    renderer,
    services,
    show,
    user_id,
    with_new_balance,
)
from bot.telegram.handlers.drafts import Verdict, confirm_verdict, draft_in
from bot.telegram.handlers.favourites import preferences_of, toggle_favourite
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import (
    Draft,
    Picker,
    button_handlers,
    on_button,
    pressed,
    show_unpaid_refusal,
)
from bot.telegram.screens.activation import activation_screen
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


# --- screens ----------------------------------------------------------------------------------


# --- handlers -------------------------------------------------------------------------------


async def start_buy(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    assert context.user_data is not None
    query = command_argument(context)
    draft: dict[str, Any] = {
        "step": "service",
        "user": user_id(update),
        "query": query,
        "provider": client.endpoint.key,
    }
    flows.start(context.user_data, BUY, draft)
    screen = services_screen(context, client, render, draft, 0)
    await PICKER.open(update, context, render, screen, "buy-refused")


PICKER = Picker(BUY, gone="buy-expired-menu", expired="buy-expired-menu", refused="buy-refused")


async def search(update: Update, context: Context) -> bool:
    """Typed text during /buy: a service or country search. False if no buy step wants it."""

    async def searched(client: ProviderClient, render: Renderer, draft: Draft, text: str) -> Screen:
        # A search with one match picks it: the next step comes at once.
        catalog = services(context).catalog
        if draft["step"] == "service":
            draft["query"] = text
            matches = rank_services(await catalog.services(client), (), text)
            if len(matches) == 1:
                picked = await _choose_service(context, client, render, draft, matches[0].code)
                if picked is not None:
                    return picked
            return await services_screen(context, client, render, draft, 0)
        draft["country_query"] = text
        countries = await catalog.countries(client)
        named = {c.country_id for c in search_countries(countries.values(), text, render.locale)}
        sold = [o.country for o in await catalog.offers(client, draft["service"]) if o.count > 0]
        in_stock = [country for country in sold if country in named]
        if len(in_stock) == 1:
            return await _choose_country(context, client, render, draft, in_stock[0])
        return await countries_screen(context, client, render, draft, 0)

    return await PICKER.search(update, context, ("service", "country"), searched)


@PICKER.step(ServicePage)
async def service_page(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: ServicePage
) -> Screen | None:
    if draft["step"] != "service":
        return None
    return await services_screen(context, client, render, draft, button.page)


@PICKER.step(PickService)
async def pick_service(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: PickService
) -> Screen | None:
    return await _choose_service(context, client, render, draft, button.code)


@PICKER.step(PickListed)
async def pick_listed(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: PickListed
) -> Screen | None:
    """A service or operator whose name could not ride in its button: its position."""
    name = listed_name(draft.get("listings") or {}, button)
    if button.kind == "service":
        return await _choose_service(context, client, render, draft, name)
    return await _choose_operator(context, client, render, draft, name)


async def _choose_service(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, code: str | None
) -> Screen | None:
    if draft["step"] not in ("service", "country"):
        return None
    known = {s.code: s for s in await services(context).catalog.services(client)}
    if code is None or code not in known:
        return None
    draft.update(step="country", service=code, service_name=known[code].name, country_query=None)
    return await countries_screen(context, client, render, draft, 0)


@PICKER.step(CountryPage)
async def country_page(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: CountryPage
) -> Screen | None:
    if draft["step"] != "country":
        return None
    return await countries_screen(context, client, render, draft, button.page)


@PICKER.step(PickCountry)
async def pick_country(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: PickCountry
) -> Screen | None:
    if draft["step"] not in ("country", "operator"):
        return None
    return await _choose_country(context, client, render, draft, button.country)


async def _choose_country(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, country_id: int
) -> Screen:
    countries = await services(context).catalog.countries(client)
    draft.update(
        country=country_id,
        country_name=country_name(countries.get(country_id), country_id, render.locale),
        country_names=country_names(countries.get(country_id)),
    )
    return await after_country(context, client, render, draft)


async def after_country(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft
) -> Screen:
    """The step after the country: the confirm screen when there is no operator to pick or
    the user's default operator (📌) sells here, else the operator picker."""
    draft.update(operator=None, operator_defaulted=False)
    operators = await services(context).catalog.operators(client, int(draft["country"]))
    if not operators:
        return await confirm_screen(context, client, render, draft)
    default = (await preferences_of(context, draft["user"])).default_operator
    if default is not None and default in operators:
        draft.update(operator=default, operator_defaulted=True)
        return await confirm_screen(context, client, render, draft)
    return await _operator_step(context, client, render, draft, operators)


async def _operator_step(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: Draft,
    operators: tuple[str, ...] | None = None,
) -> Screen:
    if operators is None:
        operators = await services(context).catalog.operators(client, int(draft["country"]))
    draft.update(step="operator", token=None)
    preferences = await preferences_of(context, draft["user"])
    return operators_screen(render, draft, operators, preferences.default_operator)


@PICKER.step(PickOperator)
async def pick_operator(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: PickOperator
) -> Screen | None:
    return await _choose_operator(context, client, render, draft, button.operator)


async def _choose_operator(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, name: str | None
) -> Screen | None:
    if draft["step"] != "operator" or name is None:
        return None
    if name not in await services(context).catalog.operators(client, draft["country"]):
        return None
    draft["operator"] = name
    return await confirm_screen(context, client, render, draft)


@PICKER.step(ToggleFavourite)
async def toggle_favourite_button(
    context: Context,
    client: ProviderClient,
    render: Renderer,
    draft: Draft,
    button: ToggleFavourite,
) -> Screen | None:
    if draft.get("step") not in ("country", "confirm"):
        return None
    if not await toggle_favourite(context, draft, button.what):
        return None
    if draft["step"] == "country":
        return await countries_screen(context, client, render, draft, 0)
    return await confirm_screen(context, client, render, draft)


@PICKER.step(BuyNavigation)
async def navigate(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: BuyNavigation
) -> Screen | None:
    assert context.user_data is not None
    target = button.target
    if target == "abort":
        context.user_data.pop(BUY, None)
        context.user_data.pop(AWAITING, None)
        return Screen(render("buy-aborted"))
    if target == "services":
        draft.update(step="service", token=None)
        return await services_screen(context, client, render, draft, 0)
    if target == "maxprice" and draft.get("step") == "confirm":
        context.user_data[AWAITING] = "max_price"
        draft["token"] = None  # this screen no longer buys: the confirm screen comes back after
        return Screen(render("buy-ask-max-price"), _back_to_confirm(render))
    if target == "confirm" and draft.get("step") == "confirm":
        context.user_data.pop(AWAITING, None)  # no number to forward to after all
        return await confirm_screen(context, client, render, draft)
    if target == "operators" and draft.get("country") is not None:
        return await _operator_step(context, client, render, draft)
    if target == "countries" and draft.get("service"):
        draft.update(step="country", token=None)
        return await countries_screen(context, client, render, draft, 0)
    return None


@PICKER.step(ToggleOption)
async def toggle_option(
    context: Context, client: ProviderClient, render: Renderer, draft: Draft, button: ToggleOption
) -> Screen | None:
    if draft.get("step") != "confirm":
        return None
    if button.name == "verification":
        draft["verification"] = not draft.get("verification")
        return await confirm_screen(context, client, render, draft)
    if draft.get("forward"):
        draft.update(forward=False, forward_number=None)
        return await confirm_screen(context, client, render, draft)
    # Forwarding needs the number calls go to: the next text is that number.
    assert context.user_data is not None
    context.user_data[AWAITING] = "forward_number"
    draft["token"] = None  # this screen no longer buys: the confirm screen comes back after
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


@on_button(ConfirmPurchase)
async def confirm(
    update: Update, context: Context, button: ConfirmPurchase, render: Renderer
) -> None:
    """The buy button. Sequential updates plus the ledger's unique key make it buy once."""
    query = pressed(update)
    token = button.token
    draft = draft_in(context, BUY)
    verdict = await confirm_verdict(update, context, draft, token)
    if verdict is Verdict.STALE:
        # An old confirm screen's price may no longer hold: ask for a fresh one.
        await query.answer(render("buy-expired-menu"), show_alert=True)
        return
    if verdict is Verdict.DUPLICATE:
        await query.answer(render("buy-duplicate"))
        return
    if verdict is Verdict.UNAVAILABLE:
        # Nothing was bought: the same Buy stays, to tap again once the database recovers.
        await query.answer()
        message = query.message
        keyboard = message.reply_markup if isinstance(message, Message) else None
        await show(query, Screen(render("buy-not-recorded"), keyboard))
        return
    assert draft is not None
    await query.answer(render("buy-in-progress"))
    # With several providers, Buy buys where the screen's chosen row sells, in its codes.
    at = draft.get("buy_at") or {}
    request = PurchaseRequest(
        service=at.get("service") or draft["service"],
        country=int(at.get("country", draft["country"])),
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
        result = await svc.purchases.buy(
            user_id(update), chat_id(update), request, token, provider=at.get("provider")
        )
    except (SpendingCapError, AccountError) as refused:  # nothing recorded or paid
        await show_unpaid_refusal(query, render, refused)
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
        row = result.activation
        screen = await with_new_balance(context, row.user_id, render, screen, row.provider)
        await show(query, screen)
        message = query.message
        if message is not None:
            await svc.activations.set_message(
                result.activation.ledger_id, chat_id=message.chat.id, message_id=message.message_id
            )
        return
    if result.status is PurchaseStatus.REFUSED:
        if isinstance(result.error, OutcomeUnknownError):
            # The paid call's reply could not be read, and the provider's own list was
            # checked at once: that, not "unreadable", is what the user needs to know.
            text = render("buy-checked-not-bought")
        else:
            reason = render.error(result.error) if result.error else render("error-generic")
            text = render("buy-refused", reason=reason)
        # A way on: a fresh confirm (new price, new token), another country, or leave.
        keyboard = InlineKeyboardMarkup(
            [
                [render.button("button-try-again", BuyNavigation("confirm"))],
                [
                    render.button("button-back", BuyNavigation("countries")),
                    render.button("button-cancel", BuyNavigation("abort")),
                ],
            ]
        )
        await show(query, Screen(text, keyboard))
        return
    if result.status is PurchaseStatus.UNRECORDED:
        await show(query, Screen(render("buy-unrecorded")))
        return
    await show(query, Screen(render("buy-unresolved")))


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
