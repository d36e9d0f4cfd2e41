"""What every picker shares: short labels, country names, codes that fit, and its buttons'
way from one screen to the next.

/buy, /rent, /prices and /multi list the same provider catalogue; their buttons are cut and
named the same way so a service or a country reads alike in every picker.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from telegram import Update

from bot.callbacks import CallbackData, CallbackDataError
from bot.context import Context
from bot.handlers.common import provider_client, renderer, send, show
from bot.handlers.drafts import draft_in
from bot.provider import ProviderClient, ProviderError
from bot.provider.models import Country
from bot.rendering import Renderer, Screen

log = logging.getLogger(__name__)

LABEL_CHARS: Final = 28  # a button label longer than this is cut: two columns still read


def label(text: str, limit: int = LABEL_CHARS) -> str:
    """The text cut to ``limit`` characters, its last one an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def country_name(country: Country | None, country_id: int, locale: str) -> str:
    """The country's name, or its number when the provider's list does not name it."""
    return country.name(locale) if country is not None else f"#{country_id}"


def country_names(country: Country | None) -> dict[str, str]:
    """The name in every locale, kept in the ledger so a push speaks the reader's language."""
    if country is None:
        return {}
    return {"en": country.name_en, "ru": country.name_ru, "es": country.name("es")}


def fits(data: CallbackData, picker: str | None = None) -> bool:
    """Whether a provider's code or name can ride in a button; one that cannot is left out
    (logged when ``picker`` names where, so a provider's odd code is noticed)."""
    try:
        data.pack()
    except CallbackDataError:
        if picker is not None:
            log.warning("left out of %s: a value does not fit in callback data", picker)
        return False
    return True


# The screen a picker's button leads to, or None when the button does not fit the draft.
NextScreen = Callable[
    [Context, ProviderClient, Renderer, dict[str, Any], str], Awaitable[Screen | None]
]


async def step_button(
    update: Update,
    context: Context,
    draft_key: str,
    next_screen: NextScreen,
    *,
    expired: str,
    refused: str,
) -> None:
    """A picker's page, pick or navigation button: the screen it leads to replaces the pressed
    one. A button that no longer fits the draft (stale, forged, malformed) shows ``expired``;
    a provider that cannot answer gets ``refused`` with its reason, the draft unchanged."""
    query = update.callback_query
    assert query is not None and query.data is not None
    render = await renderer(update, context)
    draft = draft_in(context, draft_key)
    if draft is None:
        await query.answer(render(expired), show_alert=True)
        return
    client = await provider_client(update, context, render)
    if client is None:
        await query.answer()
        return
    try:
        screen = await next_screen(context, client, render, draft, query.data)
    except CallbackDataError:
        screen = None  # a forged or malformed button of a known kind: as stale
    except ProviderError as error:
        await query.answer()
        await send(update, render(refused, reason=render.error(error)))
        return
    await query.answer()
    await show(query, screen or Screen(render(expired)))
