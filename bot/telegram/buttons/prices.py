"""/prices' buttons."""

from __future__ import annotations

from typing import Literal

from bot.telegram.callbacks import CallbackData

PricesTarget = Literal["services", "countries", "close"]


class PricesPick(CallbackData, prefix="xp"):
    """/prices: show one service across countries (``by`` = "s", ``key`` its code) or one
    country across services (``by`` = "c", ``key`` its id); ``page`` of that list."""

    by: Literal["s", "c"]
    key: str
    page: int


class PricesNavigation(CallbackData, prefix="xn"):
    """/prices: ``services`` or ``countries`` picker (at ``page``), or ``close``."""

    target: PricesTarget
    page: int


class BuyFromPrices(CallbackData, prefix="pb"):
    """A /prices row: opens /buy's confirm screen for ``service`` in ``country`` (the price
    is asked afresh there; none rides in the button)."""

    service: str
    country: int
