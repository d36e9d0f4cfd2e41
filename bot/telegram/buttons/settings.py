"""/settings, /lang and /provider buttons, and /history's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.buttons.buy import FavouriteKind
from bot.telegram.callbacks import CallbackData


@dataclass(frozen=True, slots=True)
class ToggleSetting(CallbackData):
    """A /settings switch, by name (``autocancel``)."""

    prefix = "st"
    name: Literal["autocancel"]


@dataclass(frozen=True, slots=True)
class RemoveFavourite(CallbackData):
    """In /settings: drop the favourite at ``index`` of the ``what`` list (``service``,
    ``country``) or the default ``operator``; ``check`` is a short digest of the value, so a
    button from an older screen cannot remove another entry."""

    prefix = "fr"
    what: FavouriteKind
    index: int
    check: str


@dataclass(frozen=True, slots=True)
class PickLanguage(CallbackData):
    prefix = "lg"
    code: str


@dataclass(frozen=True, slots=True)
class PickProvider(CallbackData):
    """A preset by name, or ``custom`` to type a URL."""

    prefix = "pv"
    name: str


@dataclass(frozen=True, slots=True)
class HistoryPage(CallbackData):
    prefix = "xh"
    page: int
