"""What every picker shares: short labels, country names and codes that fit (its buttons'
way from one screen to the next is :class:`bot.telegram.routing.Picker`), and pages of buttons.

/buy, /rent, /prices and /multi list the same provider catalogue; their buttons are cut and
named the same way so a service or a country reads alike in every picker.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Final, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.provider.country_flags import flag
from bot.provider.models import Country
from bot.telegram.buttons.buy import ListedKind, PickListed, PickOperator, PickService
from bot.telegram.callbacks import CallbackData, CallbackDataError
from bot.telegram.flow_types import Listing

log = logging.getLogger(__name__)

LABEL_CHARS: Final = 28  # a button label longer than this is cut: two columns still read


def label(text: str, limit: int = LABEL_CHARS) -> str:
    """The text cut to ``limit`` characters, its last one an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def country_name(country: Country | None, country_id: int, locale: str) -> str:
    """The country's name, or its number when the provider's list does not name it."""
    return country.name(locale) if country is not None else f"#{country_id}"


def country_flag(country: Country | None) -> str:
    """The country's flag and a space ("🇷🇺 "), where its ISO code is known; else ""."""
    return "" if country is None else flag(country.name_en)


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


PAGE_SIZE: Final = 8


T = TypeVar("T")
P = TypeVar("P", bound=CallbackData)


def paginated(
    items: Sequence[T],
    page: int,
    button: Callable[[T], InlineKeyboardButton],
    page_button: Callable[[int, str], InlineKeyboardButton],
    *,
    columns: int = 2,
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """A page of item buttons in ``columns``, ◀️ ▶️ when there are more, then ``extra_rows``.

    Args:
        page: clamped into range, so a stale page number still shows something.
        page_button: builds a navigation button for a page number and its label.
    """
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [
        [button(item) for item in shown[i : i + columns]] for i in range(0, len(shown), columns)
    ]
    navigation = []
    if page > 0:
        navigation.append(page_button(page - 1, "◀️"))
    if pages > 1:
        navigation.append(page_button(page, f"{page + 1}/{pages}"))
    if page < pages - 1:
        navigation.append(page_button(page + 1, "▶️"))
    if navigation:
        rows.append(navigation)
    rows.extend(list(row) for row in extra_rows)
    return InlineKeyboardMarkup(rows)


def picks_on(keyboard: InlineKeyboardMarkup | None, kind: type[P]) -> list[P]:
    """The ``kind`` buttons of a picker's page, unpacked: a search that leaves exactly one
    item can pick it at once."""
    found: list[P] = []
    rows = keyboard.inline_keyboard if keyboard is not None else ()
    for button in (b for row in rows for b in row):
        try:
            found.append(kind.unpack(str(button.callback_data)))
        except CallbackDataError:
            continue
    return found


def listed_picks(
    listings: MutableMapping[str, Listing],
    kind: ListedKind,
    plain: type[PickService] | type[PickOperator],
    names: Sequence[str],
) -> Callable[[str], str]:
    """The callback data for each of ``names``: the name itself where it can ride in a button,
    else its position in a list kept server-side in ``listings[kind]`` (a provider's name may
    hold characters a button cannot carry, or be too long for 64 bytes, and is still the
    user's to pick). Each call mints a new list token, so older screens' positions go stale.
    """
    packed: dict[str, str] = {}
    unfit: list[str] = []
    token = secrets.token_hex(3)
    for name in names:
        try:
            packed[name] = plain(name).pack()
        except CallbackDataError:
            packed[name] = PickListed(kind, token, len(unfit)).pack()
            unfit.append(name)
    listings[kind] = Listing(token=token, names=unfit)
    return packed.__getitem__


def listed_name(listings: Mapping[str, Listing], entry: PickListed) -> str | None:
    """The name a listed picker button stands for, or None when its list is gone or newer."""
    listing = listings.get(entry.kind)
    if listing is None or listing.token != entry.listing:
        return None
    names = listing.names
    return names[entry.index] if 0 <= entry.index < len(names) else None
