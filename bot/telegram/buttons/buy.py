"""/buy's buttons: the pickers, purchase options, favourites, the confirm.

Buttons carry ids and choices only; the draft purchase, prices and keys stay server-side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.callbacks import CallbackData

BuyTarget = Literal["services", "countries", "confirm", "maxprice", "abort"]


ListedKind = Literal["service", "operator"]


FavouriteKind = Literal["service", "country", "operator"]


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
class PickListed(CallbackData):
    """A picker entry whose name cannot ride in a button (unsafe characters, too long): the
    names stay in the draft under ``listing`` (a token minted with the screen, so a button of
    an older screen cannot pick from a newer list), the button carries the position."""

    prefix = "ol"
    kind: ListedKind
    listing: str
    index: int


@dataclass(frozen=True, slots=True)
class ToggleOption(CallbackData):
    """A purchase option on the confirm screen: ``verification`` or ``forward``."""

    prefix = "ot"
    name: Literal["verification", "forward"]


@dataclass(frozen=True, slots=True)
class ToggleFavourite(CallbackData):
    """In /buy: the draft's ``service`` or ``country`` in or out of the favourites, or its
    ``operator`` as the default one (or no longer)."""

    prefix = "fv"
    what: FavouriteKind


@dataclass(frozen=True, slots=True)
class BuyNavigation(CallbackData):
    """Back to an earlier step (``services``, ``countries``, ``confirm``), or ``abort``."""

    prefix = "bn"
    target: BuyTarget


@dataclass(frozen=True, slots=True)
class ConfirmPurchase(CallbackData):
    """The buy button; ``token`` names the server-side draft and is its idempotency key."""

    prefix = "cb"
    token: str
