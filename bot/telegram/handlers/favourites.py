"""Favourites in /buy: the ⭐ and 📌 buttons, and what pressing them changes.

Favourite services and countries come first in the pickers, and the default operator first in
the operator step (storage.users.Preferences holds them; /settings removes them).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.telegram.buttons.buy import ToggleFavourite
from bot.telegram.context import Context
from bot.telegram.flow_types import BuyDraft
from bot.telegram.handlers.common import services
from bot.telegram.rendering import Renderer
from bot.telegram.screens.pickers import label
from storage.users import Preferences

_NAME_CHARS = 20


async def preferences_of(context: Context, user: int) -> Preferences:
    return (await services(context).users.ensure(user)).preferences


def star(starred: bool) -> str:
    return "⭐ " if starred else ""


def favourite_rows(
    render: Renderer, draft: BuyDraft, preferences: Preferences
) -> list[list[InlineKeyboardButton]]:
    """⭐ the service and the country; 📌 the chosen operator as the default."""
    starred_service = draft.service in preferences.favourite_services
    starred_country = draft.country in preferences.favourite_countries
    rows = [
        [
            render.button(
                "button-unstar-service" if starred_service else "button-star-service",
                ToggleFavourite("service"),
                service=label(draft.service_name, _NAME_CHARS),
            )
        ],
        [
            render.button(
                "button-unstar-country" if starred_country else "button-star-country",
                ToggleFavourite("country"),
                country=label(draft.country_name, _NAME_CHARS),
            )
        ],
    ]
    operator = draft.operator
    if operator and operator != "any":
        is_default = preferences.default_operator == operator
        rows.append(
            [
                render.button(
                    "button-undefault-operator" if is_default else "button-default-operator",
                    ToggleFavourite("operator"),
                    operator=label(operator, _NAME_CHARS),
                )
            ]
        )
    return rows


async def toggle_favourite(context: Context, draft: BuyDraft, what: str) -> bool:
    """Stars or unstars the draft's service or country, or makes its operator the default
    one (or no longer). False when the draft has no such choice (a stale button)."""
    preferences = await preferences_of(context, draft.user)
    if what == "service" and draft.service:
        preferences = preferences.toggled_service(draft.service)
    elif what == "country" and draft.country is not None:
        preferences = preferences.toggled_country(draft.country)
    elif what == "operator" and draft.operator is not None and draft.operator != "any":
        preferences = preferences.toggled_default_operator(draft.operator)
    else:
        return False
    await services(context).users.set_preferences(draft.user, preferences)
    return True
