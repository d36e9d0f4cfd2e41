"""What every picker shares: short labels, country names and codes that fit (its buttons'
way from one screen to the next is :class:`bot.routing.Picker`).

/buy, /rent, /prices and /multi list the same provider catalogue; their buttons are cut and
named the same way so a service or a country reads alike in every picker.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.callbacks import CallbackData, CallbackDataError
from bot.provider.models import Country

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
