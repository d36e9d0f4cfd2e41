"""Buttons on an activation's card: its actions, another activation, calls, added services."""

from __future__ import annotations

from typing import Literal

from bot.telegram.callbacks import CallbackData

ActivationAction = Literal["sent", "again", "finish", "cancel", "autocancel", "refresh"]


class ActivationButton(CallbackData, prefix="ac"):
    """A button on an activation message: ``action`` on our ledger row ``ledger_id``."""

    action: ActivationAction
    ledger_id: int


class NewNumber(CallbackData, prefix="nn"):
    """On a number that ended without a code: /buy's confirm screen for the same service,
    country and operator (the price asked afresh)."""

    ledger_id: int


class ExtraOffer(CallbackData, prefix="xe"):
    """Another activation on the number of our ledger row ``ledger_id``: ask its price."""

    ledger_id: int


class ExtraConfirm(CallbackData, prefix="xc"):
    """The buy button of another activation; ``token`` names the server-side offer and is its
    idempotency key."""

    token: str


class CallStatus(CallbackData, prefix="xv"):
    """Ask the provider about the incoming call of our ledger row ``ledger_id``."""

    ledger_id: int


class OrderCall(CallbackData, prefix="xo"):
    """Order an outgoing call from the number of our ledger row ``ledger_id``."""

    ledger_id: int


class AdditionalOffer(CallbackData, prefix="xa"):
    """Add a service to the forwarded number of our ledger row ``ledger_id``: ``service`` empty
    for the picker, ``page`` of it."""

    ledger_id: int
    service: str
    page: int


class AdditionalConfirm(CallbackData, prefix="xb"):
    token: str


class ExtraDismiss(CallbackData, prefix="xz"):
    """✖️ Cancel under another activation's offer: nothing is bought."""

    token: str


ActiveListAction = Literal["open", "cancelall", "confirm", "back"]


class ActiveList(CallbackData, prefix="av"):
    """On /active's list: ``open`` the card of our ledger row ``ledger_id``; ask to cancel
    every number without a code (``cancelall``), do it (``confirm``), or go ``back``."""

    action: ActiveListAction
    ledger_id: int
