"""/rent: service -> country -> operator -> duration -> confirm -> one rented number.

The draft lives in ``user_data["rent"]`` (server-side; buttons carry only choices). The confirm
screen asks the provider afresh for the price, the stock and the balance, and mints the token
that is the rent's idempotency key: however often its button is tapped, it rents at most one
number. The rent message's own buttons are in :mod:`bot.handlers.rent_actions`.
"""

from __future__ import annotations

import enum
import logging
from decimal import Decimal
from typing import Any, Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Context
from bot.handlers import rent_actions
from bot.handlers.common import (
    AWAITING,
    BUY,
    chat_id,
    command_argument,
    provider_client,
    renderer,
    send_screen,
    services,
    show,
    user_id,
)
from bot.handlers.drafts import claim_confirm, draft_in, new_token
from bot.handlers.pickers import country_name, country_names, fits, label, step_button
from bot.keyboards import (
    ConfirmRent,
    RentNavigation,
    RentPage,
    RentPick,
    paginated,
)
from bot.provider import ProviderClient
from bot.provider.models import RentCatalog, Service
from bot.rendering import Renderer, Screen
from bot.rent_views import rent_screen
from bot.services.accounts import AccountError
from bot.services.catalog import rank_services
from bot.services.rents import (
    RentRequest,
    RentResult,
    RentStatusKind,
)

log = logging.getLogger(__name__)

RENT: Final = "rent"  # user_data key: the rent draft
# Durations offered: 4 h, 12 h, then whole days (the provider's steps, PROTOCOL §6).
RENT_HOURS: Final = (4, 12, 24, 48, 72, 168, 336, 720)


class RentStep(enum.StrEnum):
    SERVICE = "service"
    COUNTRY = "country"
    OPERATOR = "operator"
    HOURS = "hours"
    CONFIRM = "confirm"


# --- the /rent screens ------------------------------------------------------------------------


async def _services_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    """The whole number first, then the services the provider rents, ranked as in /buy
    (favourites, popular ones, by name), or those matching the typed search."""
    svc = services(context)
    offered = await client.get_rent_services_and_countries(4)
    listed = {s.code: s for s in await svc.catalog.services(client)}
    rentable = [
        listed.get(code) or Service(code, code) for code in offered.services if code != "full"
    ]
    user = await svc.users.ensure(draft["user"])
    query = draft.get("query")
    ranked = rank_services(rentable, user.preferences.favourite_services, query)
    codes = [s.code for s in ranked]
    if "full" in offered.services and not query:
        codes.insert(0, "full")
    names = {s.code: s.name or s.code for s in ranked}
    draft["service_names"] = {**(draft.get("service_names") or {}), **names, "full": "full"}
    choices = [c for c in codes if fits(RentPick("service", c), "a rent picker")]
    if not choices:
        text = render("buy-no-service-match", query=query or "")
        return Screen(text, InlineKeyboardMarkup([[_abort(render)]]))

    def button(code: str) -> InlineKeyboardButton:
        text = render("rent-service-full") if code == "full" else label(names[code])
        return InlineKeyboardButton(text, callback_data=RentPick("service", code).pack())

    keyboard = paginated(
        choices,
        page,
        button,
        lambda p, text: InlineKeyboardButton(text, callback_data=RentPage("service", p).pack()),
        extra_rows=[[_abort(render)]],
    )
    text = render("buy-search-results", query=query) if query else render("rent-choose-service")
    return Screen(text, keyboard)


async def _countries_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], page: int
) -> Screen:
    offered = await client.get_rent_services_and_countries(4)
    countries = await services(context).catalog.countries(client)
    ids = sorted(offered.countries, key=lambda c: country_name(countries.get(c), c, render.locale))
    keyboard = paginated(
        ids,
        page,
        lambda c: InlineKeyboardButton(
            label(country_name(countries.get(c), c, render.locale)),
            callback_data=RentPick("country", str(c)).pack(),
        ),
        lambda p, text: InlineKeyboardButton(text, callback_data=RentPage("country", p).pack()),
        extra_rows=[[_back(render, "services"), _abort(render)]],
    )
    return Screen(render("rent-choose-country", service=draft["service_name"]), keyboard)


def _operators_screen(render: Renderer, draft: dict[str, Any], operators: list[str]) -> Screen:
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
    rows.append([_back(render, "countries"), _abort(render)])
    text = render(
        "rent-choose-operator", service=draft["service_name"], country=draft["country_name"]
    )
    return Screen(text, InlineKeyboardMarkup(rows))


def _hours_screen(render: Renderer, draft: dict[str, Any]) -> Screen:
    choices = [
        InlineKeyboardButton(
            render("button-rent-hours", hours=hours),
            callback_data=RentPick("hours", str(hours)).pack(),
        )
        for hours in RENT_HOURS
    ]
    rows = [choices[i : i + 4] for i in range(0, len(choices), 4)]
    rows.append([_back(render, "countries"), _abort(render)])
    text = render("rent-choose-hours", service=draft["service_name"], country=draft["country_name"])
    return Screen(text, InlineKeyboardMarkup(rows))


async def _confirm_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any]
) -> Screen:
    back = [_back(render, "hours"), _abort(render)]
    operator = draft.get("operator")
    offered = await client.get_rent_services_and_countries(
        draft["hours"],
        country=draft["country"],
        operator=None if operator in (None, "any") else operator,
    )
    offer = offered.services.get(draft["service"])
    if offer is None or offer.quantity <= 0:
        return Screen(render("rent-sold-out"), InlineKeyboardMarkup([back]))
    balance = await client.get_balance()
    if balance < offer.cost:
        text = render(
            "buy-balance-short", price=render.money(offer.cost), balance=render.money(balance)
        )
        return Screen(text, InlineKeyboardMarkup([back]))
    draft.update(
        token=new_token(),
        token_at=services(context).clock.now(),
        done=False,
        price=str(offer.cost),
        step=RentStep.CONFIRM,
    )
    text = render(
        "rent-confirm",
        service=draft["service_name"],
        country=draft["country_name"],
        operator=render("buy-operator-any") if operator in (None, "any") else operator,
        hours=draft["hours"],
        price=render.money(offer.cost),
        count=offer.quantity,
        balance=render.money(balance),
    )
    confirm = render.button(
        "button-rent-confirm", ConfirmRent(draft["token"]), price=render.money(offer.cost)
    )
    return Screen(text, InlineKeyboardMarkup([[confirm], back]))


# --- the /rent handlers -----------------------------------------------------------------------


async def start_rent(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return
    assert context.user_data is not None
    context.user_data.pop(AWAITING, None)  # a new command ends a pending step
    context.user_data.pop(BUY, None)  # /rent leaves a /buy in progress (typed text is ours now)
    draft: dict[str, Any] = {
        "step": RentStep.SERVICE,
        "user": user_id(update),
        "provider": client.endpoint.key,
        "query": command_argument(context),
    }
    context.user_data[RENT] = draft
    screen = _services_screen(context, client, render, draft, 0)
    await send_screen(update, render, screen, "rent-refused")


async def search(update: Update, context: Context) -> bool:
    """Typed text while picking a rent's service: a search. False if no rent step wants it."""
    draft = draft_in(context, RENT)
    message = update.effective_message
    if draft is None or message is None or draft.get("step") != RentStep.SERVICE:
        return False
    render = await renderer(update, context)
    client = await provider_client(update, context, render)
    if client is None:
        return True
    draft["query"] = (message.text or "").strip()[:64] or None
    screen = _services_screen(context, client, render, draft, 0)
    await send_screen(update, render, screen, "rent-refused")
    return True


async def on_button(update: Update, context: Context) -> None:
    """Every /rent picker button but the confirm."""
    await step_button(
        update, context, RENT, _next_screen, expired="rent-expired-menu", refused="rent-refused"
    )


async def _next_screen(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], data: str
) -> Screen | None:
    """The screen a button leads to, or None when it does not fit the draft (stale)."""
    step = draft.get("step")
    prefix = data.split(":", 1)[0]
    if prefix == RentPage.prefix:
        paging = RentPage.unpack(data)
        if paging.step == RentStep.SERVICE == step:
            return await _services_screen(context, client, render, draft, paging.page)
        if paging.step == RentStep.COUNTRY == step:
            return await _countries_screen(context, client, render, draft, paging.page)
        return None
    if prefix == RentNavigation.prefix:
        return await _navigate(context, client, render, draft, RentNavigation.unpack(data).target)
    pick = RentPick.unpack(data)
    if pick.step == RentStep.SERVICE and step in (RentStep.SERVICE, RentStep.COUNTRY):
        names = draft.get("service_names") or {}
        if pick.value not in names:
            return None
        name = render("rent-service-full") if pick.value == "full" else names[pick.value]
        draft.update(step=RentStep.COUNTRY, service=pick.value, service_name=str(name))
        return await _countries_screen(context, client, render, draft, 0)
    if pick.step == RentStep.COUNTRY and step in (RentStep.COUNTRY, RentStep.OPERATOR):
        if not pick.value.isdigit():
            return None
        country_id = int(pick.value)
        offered: RentCatalog = await client.get_rent_services_and_countries(4, country=country_id)
        if country_id not in offered.countries:
            return None
        country = (await services(context).catalog.countries(client)).get(country_id)
        draft.update(
            country=country_id,
            country_name=country_name(country, country_id, render.locale),
            country_names=country_names(country),
            operator=None,
            operators=list(offered.operators),
        )
        if [o for o in offered.operators if o != "any"]:
            draft["step"] = RentStep.OPERATOR
            return _operators_screen(render, draft, list(offered.operators))
        draft["step"] = RentStep.HOURS
        return _hours_screen(render, draft)
    if pick.step == RentStep.OPERATOR and step == RentStep.OPERATOR:
        if pick.value != "any" and pick.value not in (draft.get("operators") or ()):
            return None
        draft.update(operator=pick.value, step=RentStep.HOURS)
        return _hours_screen(render, draft)
    if pick.step == RentStep.HOURS and step in (RentStep.HOURS, RentStep.CONFIRM):
        if not pick.value.isdigit() or int(pick.value) not in RENT_HOURS:
            return None
        draft["hours"] = int(pick.value)
        return await _confirm_screen(context, client, render, draft)
    return None


async def _navigate(
    context: Context, client: ProviderClient, render: Renderer, draft: dict[str, Any], target: str
) -> Screen | None:
    if target == "abort":
        assert context.user_data is not None
        context.user_data.pop(RENT, None)
        return Screen(render("rent-aborted"))
    if target == "services":
        draft.update(step=RentStep.SERVICE, token=None, query=None)
        return await _services_screen(context, client, render, draft, 0)
    if target == "countries" and draft.get("service"):
        draft.update(step=RentStep.COUNTRY, token=None)
        return await _countries_screen(context, client, render, draft, 0)
    if target == "hours" and draft.get("country") is not None:
        draft.update(step=RentStep.HOURS, token=None)
        return _hours_screen(render, draft)
    return None


async def confirm(update: Update, context: Context) -> None:
    """The rent button. Sequential updates plus the ledger's unique key make it rent once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    claimed = await claim_confirm(
        update,
        context,
        render,
        ConfirmRent.unpack,
        RENT,
        expired="rent-expired-menu",
        duplicate="rent-duplicate",
        in_progress="rent-in-progress",
        catalogue=True,
    )
    if claimed is None:
        return
    draft, token = claimed
    svc = services(context)
    request = RentRequest(
        service=draft["service"],
        hours=int(draft["hours"]),
        country=int(draft["country"]),
        operator=draft.get("operator"),
        shown_price=Decimal(draft["price"]),
        service_name=draft["service_name"],
        country_names=draft.get("country_names") or {},
    )
    try:
        result = await svc.renting.rent(user_id(update), chat_id(update), request, token)
    except AccountError:
        await show(query, Screen(render("key-unreadable")))
        return
    draft["done"] = True
    await _show_rent_result(query, context, render, result)


async def _show_rent_result(
    query: CallbackQuery, context: Context, render: Renderer, result: RentResult
) -> None:
    svc = services(context)
    if result.status is RentStatusKind.DUPLICATE:
        return  # the first tap's message already shows the number
    if result.status is RentStatusKind.RENTED and result.rent is not None:
        await show(query, rent_screen(render, result.rent, svc.clock.now()))
        message = query.message
        if message is not None:
            await svc.rents.set_message(
                result.rent.ledger_id, chat_id=message.chat.id, message_id=message.message_id
            )
        return
    if result.status is RentStatusKind.REFUSED:
        reason = render.error(result.error) if result.error else render("error-generic")
        await show(query, Screen(render("rent-refused", reason=reason)))
        return
    await show(query, Screen(render("rent-unresolved")))


def forget_drafts(user_data: dict[Any, Any]) -> bool:
    """/cancel: drops a /rent draft and an extension being confirmed; True if there was one."""
    dropped = [user_data.pop(key, None) is not None for key in (RENT, rent_actions.EXTEND)]
    return any(dropped)


# --- helpers ----------------------------------------------------------------------------------


def _back(render: Renderer, target: str) -> InlineKeyboardButton:
    return render.button("button-back", RentNavigation(target))


def _abort(render: Renderer) -> InlineKeyboardButton:
    return render.button("button-cancel", RentNavigation("abort"))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    pickers = "|".join(kind.prefix for kind in (RentPick, RentPage, RentNavigation))
    return [
        CommandHandler("rent", start_rent),
        CallbackQueryHandler(confirm, pattern=ConfirmRent.pattern()),
        CallbackQueryHandler(on_button, pattern=rf"^(?:{pickers})(?::|$)"),
    ]
