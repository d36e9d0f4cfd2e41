"""/prices' buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.callbacks import CallbackData

PricesTarget = Literal["services", "countries", "close"]


@dataclass(frozen=True, slots=True)
class PricesPick(CallbackData):
    """/prices: show one service across countries (``by`` = "s", ``key`` its code) or one
    country across services (``by`` = "c", ``key`` its id); ``page`` of that list."""

    prefix = "xp"
    by: Literal["s", "c"]
    key: str
    page: int


@dataclass(frozen=True, slots=True)
class PricesNavigation(CallbackData):
    """/prices: ``services`` or ``countries`` picker (at ``page``), or ``close``."""

    prefix = "xn"
    target: PricesTarget
    page: int
