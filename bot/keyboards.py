"""Buttons: every kind of callback data, and the paginated pickers built from them.

Buttons carry ids and choices only; the draft purchase, prices and keys stay server-side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackData

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
    """Back to an earlier step (``services`` or ``countries``), or ``abort``."""

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
