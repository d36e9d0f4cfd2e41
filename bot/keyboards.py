"""Buttons: every kind of callback data, and the paginated pickers built from them.

Buttons carry ids and choices only; the draft purchase, prices and keys stay server-side.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any, Final, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackData, CallbackDataError

T = TypeVar("T")

PAGE_SIZE: Final = 8


# --- callback data kinds --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivationButton(CallbackData):
    """A button on an activation message: ``action`` on our ledger row ``ledger_id``."""

    prefix = "ac"
    action: str  # sent | again | finish | cancel | autocancel | refresh
    ledger_id: int


@dataclass(frozen=True, slots=True)
class ServicePage(CallbackData):
    prefix = "sp"
    page: int


@dataclass(frozen=True, slots=True)
class PickService(CallbackData):
    prefix = "ps"
    code: str


@dataclass(frozen=True, slots=True)
class CountryPage(CallbackData):
    prefix = "cp"
    page: int


@dataclass(frozen=True, slots=True)
class PickCountry(CallbackData):
    prefix = "pc"
    country: int


@dataclass(frozen=True, slots=True)
class PickOperator(CallbackData):
    prefix = "po"
    operator: str


@dataclass(frozen=True, slots=True)
class ConfirmPurchase(CallbackData):
    """The buy button; ``token`` names the server-side draft and is its idempotency key."""

    prefix = "cb"
    token: str


@dataclass(frozen=True, slots=True)
class BuyNavigation(CallbackData):
    """Back to an earlier step (``services``, ``countries``, ``confirm``), or ``abort``."""

    prefix = "bn"
    target: str


@dataclass(frozen=True, slots=True)
class ToggleSetting(CallbackData):
    """A /settings switch, by name (``autocancel``)."""

    prefix = "st"
    name: str


@dataclass(frozen=True, slots=True)
class PickLanguage(CallbackData):
    prefix = "lg"
    code: str


@dataclass(frozen=True, slots=True)
class PickProvider(CallbackData):
    """A preset by name, or ``custom`` to type a URL."""

    prefix = "pv"
    name: str


# --- rent: /rent's pickers, the rent message's buttons and the extension ---------------------


@dataclass(frozen=True, slots=True)
class RentPick(CallbackData):
    """A /rent choice: ``step`` is service | country | operator | hours, ``value`` the pick
    (a service code, a country id, an operator name, a number of hours)."""

    prefix = "rp"
    step: str
    value: str


@dataclass(frozen=True, slots=True)
class RentPage(CallbackData):
    """A page of /rent's service or country picker."""

    prefix = "rg"
    step: str
    page: int


@dataclass(frozen=True, slots=True)
class RentNavigation(CallbackData):
    """Back to an earlier /rent step (``services``, ``countries``, ``hours``), or ``abort``."""

    prefix = "rn"
    target: str


@dataclass(frozen=True, slots=True)
class ConfirmRent(CallbackData):
    """The rent button; ``token`` names the server-side draft and is its idempotency key."""

    prefix = "rc"
    token: str


@dataclass(frozen=True, slots=True)
class RentButton(CallbackData):
    """A button on a rent message: ``action`` (finish | cancel | extend) on ledger row
    ``ledger_id``."""

    prefix = "ra"
    action: str
    ledger_id: int


@dataclass(frozen=True, slots=True)
class RentExtendHours(CallbackData):
    """Extend rent ``ledger_id`` by ``hours``: shows the provider's price to confirm."""

    prefix = "rh"
    ledger_id: int
    hours: int


@dataclass(frozen=True, slots=True)
class ConfirmRentExtension(CallbackData):
    """The pay-for-the-extension button; ``token`` is the extension's idempotency key."""

    prefix = "rx"
    token: str


# --- purchase options and favourites (prefixes "o…" and "f…") -------------------------------


@dataclass(frozen=True, slots=True)
class PickListed(CallbackData):
    """A picker entry whose name cannot ride in a button (unsafe characters, too long): the
    names stay in the draft under ``listing`` (a token minted with the screen, so a button of
    an older screen cannot pick from a newer list), the button carries the position."""

    prefix = "ol"
    kind: str  # service | operator
    listing: str
    index: int


@dataclass(frozen=True, slots=True)
class ToggleOption(CallbackData):
    """A purchase option on the confirm screen: ``verification`` or ``forward``."""

    prefix = "ot"
    name: str


@dataclass(frozen=True, slots=True)
class ToggleFavourite(CallbackData):
    """In /buy: the draft's ``service`` or ``country`` in or out of the favourites, or its
    ``operator`` as the default one (or no longer)."""

    prefix = "fv"
    what: str


@dataclass(frozen=True, slots=True)
class RemoveFavourite(CallbackData):
    """In /settings: drop the favourite at ``index`` of the ``what`` list (``service``,
    ``country``) or the default ``operator``; ``check`` is a short digest of the value, so a
    button from an older screen cannot remove another entry."""

    prefix = "fr"
    what: str
    index: int
    check: str


# --- extras: /prices, another activation, /history pages, /multi ---------------------------


@dataclass(frozen=True, slots=True)
class PricesPick(CallbackData):
    """/prices: show one service across countries (``by`` = "s", ``key`` its code) or one
    country across services (``by`` = "c", ``key`` its id); ``page`` of that list."""

    prefix = "xp"
    by: str
    key: str
    page: int


@dataclass(frozen=True, slots=True)
class PricesNavigation(CallbackData):
    """/prices: ``services`` or ``countries`` picker (at ``page``), or ``close``."""

    prefix = "xn"
    target: str
    page: int


@dataclass(frozen=True, slots=True)
class ExtraOffer(CallbackData):
    """Another activation on the number of our ledger row ``ledger_id``: ask its price."""

    prefix = "xe"
    ledger_id: int


@dataclass(frozen=True, slots=True)
class ExtraConfirm(CallbackData):
    """The buy button of another activation; ``token`` names the server-side offer and is its
    idempotency key."""

    prefix = "xc"
    token: str


@dataclass(frozen=True, slots=True)
class HistoryPage(CallbackData):
    prefix = "xh"
    page: int


@dataclass(frozen=True, slots=True)
class MultiToggle(CallbackData):
    """/multi: add or remove a service (``page`` keeps the picker where it was)."""

    prefix = "mt"
    code: str
    page: int


@dataclass(frozen=True, slots=True)
class MultiStep(CallbackData):
    """/multi navigation: ``services`` (page), ``countries`` (page), ``forward`` (toggle the
    forwarding of service number ``page``), or ``abort``."""

    prefix = "ms"
    target: str
    page: int


@dataclass(frozen=True, slots=True)
class MultiCountry(CallbackData):
    prefix = "mc"
    country: int


@dataclass(frozen=True, slots=True)
class MultiConfirm(CallbackData):
    """The /multi buy button; ``token`` is the one call's idempotency key."""

    prefix = "mk"
    token: str


@dataclass(frozen=True, slots=True)
class CallStatus(CallbackData):
    """Ask the provider about the incoming call of our ledger row ``ledger_id``."""

    prefix = "xv"
    ledger_id: int


@dataclass(frozen=True, slots=True)
class OrderCall(CallbackData):
    """Order an outgoing call from the number of our ledger row ``ledger_id``."""

    prefix = "xo"
    ledger_id: int


@dataclass(frozen=True, slots=True)
class AdditionalOffer(CallbackData):
    """Add a service to the forwarded number of our ledger row ``ledger_id``: ``service`` empty
    for the picker, ``page`` of it."""

    prefix = "xa"
    ledger_id: int
    service: str
    page: int


@dataclass(frozen=True, slots=True)
class AdditionalConfirm(CallbackData):
    prefix = "xb"
    token: str


# --- pickers --------------------------------------------------------------------------------


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


def listed_picks(
    listings: MutableMapping[str, Any],
    kind: str,
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
    listings[kind] = {"token": token, "names": unfit}
    return packed.__getitem__


def picked_name(
    listings: MutableMapping[str, Any],
    data: str,
    plain: type[PickService] | type[PickOperator],
    kind: str,
) -> str | None:
    """The name a picker button stands for, or None when it is stale or of another kind.

    Raises:
        CallbackDataError: the data is malformed.
    """
    if data.split(":", 1)[0] == plain.prefix:
        return str(astuple(plain.unpack(data))[0])
    entry = PickListed.unpack(data)
    listing = listings.get(entry.kind)
    if entry.kind != kind or not isinstance(listing, dict) or listing["token"] != entry.listing:
        return None
    names = listing["names"]
    return str(names[entry.index]) if 0 <= entry.index < len(names) else None
