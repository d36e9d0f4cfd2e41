"""Buttons on an activation's card: its actions, another activation, calls, added services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.telegram.callbacks import CallbackData

ActivationAction = Literal["sent", "again", "finish", "cancel", "autocancel", "refresh"]


@dataclass(frozen=True, slots=True)
class ActivationButton(CallbackData):
    """A button on an activation message: ``action`` on our ledger row ``ledger_id``."""

    prefix = "ac"
    action: ActivationAction
    ledger_id: int


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
