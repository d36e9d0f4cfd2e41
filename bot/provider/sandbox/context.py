"""BookContext: what the activation and rent books share (clock, money, stock, randomness)."""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from dataclasses import dataclass

from bot.core.clock import Clock

from .accounts import AccountBook
from .config import SandboxConfig
from .events import EventBus
from .fixtures import Catalog
from .stock import Stock


@dataclass(frozen=True, slots=True)
class BookContext:
    """The parts of a sandbox its books decide with.

    Attributes:
        config: returns the current configuration; the sandbox may swap it at any time, and
            a book reads it on every decision.
        phones_in_use: ``phone in`` it when an unended activation or rent has the number.
    """

    clock: Clock
    config: Callable[[], SandboxConfig]
    accounts: AccountBook
    stock: Stock
    catalog: Catalog
    rng: random.Random
    events: EventBus
    phones_in_use: Container[str]
