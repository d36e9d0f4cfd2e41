"""/settings: the user's preferences: auto-cancel of codeless numbers (on by default), and the
favourite services and countries and the default operator, each removable with one tap (they
are added with ⭐ and 📌 in /buy)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderError
from bot.services.account_errors import AccountError
from bot.services.spending import Remaining
from bot.telegram import flows
from bot.telegram.buttons.offers import SetCap
from bot.telegram.buttons.settings import PickTimeZone, RemoveFavourite, ToggleSetting
from bot.telegram.buttons.shapes import digest
from bot.telegram.context import Context
from bot.telegram.flow_types import Question
from bot.telegram.handlers.common import renderer, send, services, show, user_id
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Press, button_handlers, on_button
from bot.telegram.screens.caps import cap_lines
from bot.telegram.screens.pickers import label
from bot.telegram.time_zones import COMMON_ZONES, city, parse_zone
from storage.users import Preferences, User

T = TypeVar("T")

_NAME_CHARS = 24


async def _screen(render: Renderer, context: Context, user: User) -> Screen:
    preferences = user.preferences
    on = preferences.auto_cancel
    rows = [
        [
            render.button(
                "button-auto-cancel-off" if on else "button-auto-cancel-on",
                ToggleSetting("autocancel"),
            )
        ]
    ]
    service_names, country_names = await _names(render, context, user.user_id, preferences)
    for index, code in enumerate(preferences.favourite_services):
        data = RemoveFavourite("service", index, _check(code))
        rows.append([render.button("button-remove-favourite", data, name=service_names[index])])
    for index, country in enumerate(preferences.favourite_countries):
        data = RemoveFavourite("country", index, _check(str(country)))
        rows.append([render.button("button-remove-favourite", data, name=country_names[index])])
    operator = preferences.default_operator
    if operator is not None:
        data = RemoveFavourite("operator", 0, _check(operator))
        rows.append([render.button("button-remove-default-operator", data, operator=operator)])
    rows.append([render.button("button-time-zone", PickTimeZone(-1))])
    rows.append(
        [
            render.button("button-set-cap", SetCap("day"), period="day"),
            render.button("button-set-cap", SetCap("month"), period="month"),
        ]
    )
    none = render("settings-none")
    spending = services(context).spending
    left = await spending.remaining(user.user_id) if spending else Remaining(None, None)
    caps = (preferences.daily_cap, preferences.monthly_cap)
    lines = [
        render("settings-text", auto_cancel="on" if on else "off"),
        *(Html(line) for line in cap_lines(render, *caps, left)),
        render(
            "settings-favourite-services",
            services=", ".join(service_names) if service_names else none,
        ),
        render(
            "settings-favourite-countries",
            countries=", ".join(country_names) if country_names else none,
        ),
        render("settings-default-operator", operator=operator or none),
        render(
            "settings-time-zone",
            zone=preferences.time_zone or "UTC",
            now=render.time(services(context).clock.now()),
        ),
        render("settings-favourites-hint"),
    ]
    return Screen(Html("\n".join(lines)), InlineKeyboardMarkup(rows))


async def _names(
    render: Renderer, context: Context, user: int, preferences: Preferences
) -> tuple[list[str], list[str]]:
    """The favourites' names from the provider's catalogue (cached); codes and ids where the
    provider cannot be asked, so /settings works without a key."""
    services_by_code: dict[str, str] = {}
    countries_by_id: dict[int, str] = {}
    if preferences.favourite_services or preferences.favourite_countries:
        svc = services(context)
        try:
            client = await svc.accounts.client_for(user)
            services_by_code = {s.code: s.name for s in await svc.catalog.services(client)}
            countries_by_id = {
                i: c.name(render.locale) for i, c in (await svc.catalog.countries(client)).items()
            }
        except (AccountError, ProviderError):
            pass
    return (
        [
            label(services_by_code.get(code, code), _NAME_CHARS)
            for code in preferences.favourite_services
        ],
        [
            label(countries_by_id.get(c, f"#{c}"), _NAME_CHARS)
            for c in preferences.favourite_countries
        ],
    )


async def show_settings(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    user = await services(context).users.ensure(user_id(update))
    screen = await _screen(render, context, user)
    await send(update, screen.text, screen.keyboard)


@on_button(ToggleSetting)
async def toggle(press: Press[ToggleSetting]) -> None:
    """The one switch there is, ``autocancel`` (the button can name nothing else)."""
    users = press.services.users
    user = await users.ensure(press.user_id)
    preferences = replace(user.preferences, auto_cancel=not user.preferences.auto_cancel)
    await users.set_preferences(user.user_id, preferences)
    await press.query.answer(press.render("press-done"))
    await _redraw(press)


async def _redraw(press: Press[ToggleSetting] | Press[RemoveFavourite]) -> None:
    """The pressed /settings screen again, as the preferences now stand."""
    user = await press.services.users.ensure(press.user_id)
    await show(press.query, await _screen(press.render, press.context, user))


@on_button(PickTimeZone)
async def pick_time_zone(press: Press[PickTimeZone]) -> None:
    """-1 opens the zone picker (the next text may name a zone too); a zone sets it."""
    assert press.context.user_data is not None
    if press.button.index == -1:
        await press.query.answer()
        flows.ask(press.context, Question.TIME_ZONE)
        await show(press.query, _zones_screen(press.render, press.services.clock.now()))
        return
    index = press.button.index
    zone = COMMON_ZONES[index] if 0 <= index < len(COMMON_ZONES) else None  # no other shown
    if zone is None:
        await press.query.answer(press.render("press-stale"))
        return
    flows.end_question(press.context)
    await press.query.answer(press.render("press-done"))
    zoned = await _save_zone(press.update, press.context, zone)  # shows times in the new zone
    user = await press.services.users.ensure(press.user_id)
    await show(press.query, await _screen(zoned, press.context, user))


async def receive_time_zone(update: Update, context: Context) -> None:
    """Typed text after "🕒 Time zone": a zone name, a city or an offset."""
    assert context.user_data is not None and update.effective_message is not None
    zone = parse_zone(update.effective_message.text or "")
    if zone is None:  # the step stays: the next text may name one
        render = await renderer(update, context)
        await send(update, render("time-zone-unknown"))
        return
    flows.end_question(context)
    render = await _save_zone(update, context, zone)
    screen = await _screen(render, context, await services(context).users.ensure(user_id(update)))
    await send(update, screen.text, screen.keyboard)


async def _save_zone(update: Update, context: Context, zone: str) -> Renderer:
    """Stores the zone (UTC as none); the renderer that shows times in it from now on."""
    users = services(context).users
    user = await users.ensure(user_id(update))
    chosen = None if zone == "UTC" else zone
    await users.set_preferences(user.user_id, replace(user.preferences, time_zone=chosen))
    return await renderer(update, context)


def _zones_screen(render: Renderer, now: float) -> Screen:
    buttons = [
        InlineKeyboardButton(
            f"{city(zone)} · {Renderer(render.translator, render.locale, zone=zone).time(now)}",
            callback_data=PickTimeZone(index).pack(),
        )
        for index, zone in enumerate(COMMON_ZONES)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return Screen(render("time-zone-ask"), InlineKeyboardMarkup(rows))


@on_button(RemoveFavourite)
async def remove_favourite(press: Press[RemoveFavourite]) -> None:
    """A ✖ button: takes one favourite (or the default operator) out, if the button still
    names what is there (its digest must match), so an old screen removes nothing else."""
    users = press.services.users
    user = await users.ensure(press.user_id)
    removed = _without(user.preferences, press.button)
    if removed is None:
        await press.query.answer(press.render("press-stale"))
    else:
        await users.set_preferences(user.user_id, removed)
        await press.query.answer(press.render("press-done"))
    await _redraw(press)


@on_button(SetCap)
async def ask_cap(press: Press[SetCap]) -> None:
    """A cap button: the next text is the amount (0 for none)."""
    assert press.context.user_data is not None
    await press.query.answer()
    flows.ask(press.context, Question(f"cap_{press.button.period}"))
    await send(press.update, press.render("settings-ask-cap", period=press.button.period))


async def receive_cap(update: Update, context: Context, period: str) -> None:
    """The amount after a cap button; a bad one is answered and the next text tried again."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    try:
        amount = Decimal((message.text or "").strip().replace(",", "."))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount > 10_000_000:
        await send(update, render("settings-bad-cap"))
        return
    flows.end_question(context)
    users = services(context).users
    user = await users.ensure(user_id(update))
    cap = amount.quantize(Decimal("0.01")) if amount > 0 else None
    if period == "day":
        preferences = replace(user.preferences, daily_cap=cap)
    else:
        preferences = replace(user.preferences, monthly_cap=cap)
    await users.set_preferences(user.user_id, preferences)
    screen = await _screen(render, context, await users.ensure(user.user_id))
    await send(update, screen.text, screen.keyboard)


def _without(preferences: Preferences, button: RemoveFavourite) -> Preferences | None:
    """The preferences without what the button names, or None if it names nothing there."""
    if button.what == "service":
        codes = preferences.favourite_services
        if 0 <= button.index < len(codes) and _check(codes[button.index]) == button.check:
            return replace(preferences, favourite_services=_drop(codes, button.index))
    elif button.what == "country":
        ids = preferences.favourite_countries
        if 0 <= button.index < len(ids) and _check(str(ids[button.index])) == button.check:
            return replace(preferences, favourite_countries=_drop(ids, button.index))
    elif button.what == "operator":
        operator = preferences.default_operator
        if operator is not None and _check(operator) == button.check:
            return replace(preferences, default_operator=None)
    return None


def _drop(items: tuple[T, ...], index: int) -> tuple[T, ...]:
    return items[:index] + items[index + 1 :]


def _check(value: str) -> str:
    """A favourite's check in its Remove button (6 characters: the data those buttons always
    carried)."""
    return digest(value, 6)


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("settings", show_settings),
        *button_handlers(toggle, remove_favourite, pick_time_zone, ask_cap),
    ]
