"""/rent's buttons: its pickers, the rent card's actions and the extension."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.callbacks import CallbackData

RentStepName = Literal["service", "country", "operator", "hours"]


RentTarget = Literal["services", "countries", "hours", "abort"]


RentAction = Literal["finish", "cancel", "extend"]


@dataclass(frozen=True, slots=True)
class RentPick(CallbackData):
    """A /rent choice: ``step`` is service | country | operator | hours, ``value`` the pick
    (a service code, a country id, an operator name, a number of hours)."""

    prefix = "rp"
    step: RentStepName
    value: str


@dataclass(frozen=True, slots=True)
class RentPage(CallbackData):
    """A page of /rent's service or country picker."""

    prefix = "rg"
    step: Literal["service", "country"]
    page: int


@dataclass(frozen=True, slots=True)
class RentNavigation(CallbackData):
    """Back to an earlier /rent step (``services``, ``countries``, ``hours``), or ``abort``."""

    prefix = "rn"
    target: RentTarget


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
    action: RentAction
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
