"""/settings, /lang and /provider buttons, and /history's pages."""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.buy import FavouriteKind
from bot.telegram.buttons.shapes import ChoiceButton, PageButton
from bot.telegram.callbacks import CallbackData


class ToggleSetting(CallbackData, prefix="st"):
    """A /settings switch, by name (``autocancel``)."""

    name: Literal["autocancel"]


class RemoveFavourite(CallbackData, prefix="fr"):
    """In /settings: drop the favourite at ``index`` of the ``what`` list (``service``,
    ``country``) or the default ``operator``; ``check`` is a short digest of the value, so a
    button from an older screen cannot remove another entry."""

    what: FavouriteKind
    index: int
    check: str


class PickTimeZone(ChoiceButton, prefix="tz"):
    """/settings: ``index`` of the zone in the picker's list (bot/telegram/time_zones.py) to
    read times in, or -1 for the zone picker (a zone's name holds a "/" no button carries)."""


class PickLanguage(CallbackData, prefix="lg"):
    code: str


class PickProvider(CallbackData, prefix="pv"):
    """A preset by name, or ``custom`` to type a URL."""

    name: str


class ForgetKey(CallbackData, prefix="fk"):
    """/forgetkey's question: ``yes`` deletes the key of the provider whose digest is
    ``check`` (a switch of provider in between makes the button stale), ``no`` keeps it."""

    answer: Literal["yes", "no"]
    check: str


class HistoryPage(PageButton, prefix="xh"):
    """A page of /history."""


class BalanceAgain(CallbackData, prefix="bb"):
    """[🔁 Try again] under a /balance the provider could not answer."""

    again: Literal["1"]
