"""/buy's buttons: the pickers, purchase options, favourites, the confirm.

Buttons carry ids and choices only; the draft purchase, prices and keys stay server-side.
"""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.shapes import PageButton, TokenButton
from bot.telegram.callbacks import CallbackData

BuyTarget = Literal["services", "countries", "operators", "confirm", "maxprice", "abort"]


ListedKind = Literal["service", "operator"]


FavouriteKind = Literal["service", "country", "operator"]


class ServicePage(PageButton, prefix="sp"):
    """A page of the service picker."""


class PickService(CallbackData, prefix="ps"):
    code: str


class CountryPage(PageButton, prefix="cp"):
    """A page of the country picker."""


class PickCountry(CallbackData, prefix="pc"):
    country: int


class PickOperator(CallbackData, prefix="po"):
    operator: str


class PickListed(CallbackData, prefix="ol"):
    """A picker entry whose name cannot ride in a button (unsafe characters, too long): the
    names stay in the draft under ``listing`` (a token minted with the screen, so a button of
    an older screen cannot pick from a newer list), the button carries the position."""

    kind: ListedKind
    listing: str
    index: int


class ToggleOption(CallbackData, prefix="ot"):
    """A purchase option on the confirm screen: ``verification`` or ``forward``."""

    name: Literal["verification", "forward"]


class ToggleFavourite(CallbackData, prefix="fv"):
    """In /buy: the draft's ``service`` or ``country`` in or out of the favourites, or its
    ``operator`` as the default one (or no longer)."""

    what: FavouriteKind


class BuyNavigation(CallbackData, prefix="bn"):
    """Back to an earlier step (``services``, ``countries``, ``confirm``), or ``abort``."""

    target: BuyTarget


class ConfirmPurchase(TokenButton, prefix="cb"):
    """The buy button (``token``: the server-side draft)."""
