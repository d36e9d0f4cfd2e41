"""Buttons on an activation's card: its actions, another activation, calls, added services."""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.shapes import LedgerButton, TokenButton
from bot.telegram.callbacks import CallbackData

ActivationAction = Literal["sent", "again", "finish", "cancel", "autocancel", "refresh"]


class ActivationButton(CallbackData, prefix="ac"):
    """A button on an activation message: ``action`` on our ledger row ``ledger_id``."""

    action: ActivationAction
    ledger_id: int


class NewNumber(LedgerButton, prefix="nn"):
    """On a number that ended without a code: /buy's confirm screen for the same service,
    country and operator (the price asked afresh)."""


class ExtraOffer(LedgerButton, prefix="xe"):
    """Another activation on the row's number: ask its price."""


class ExtraConfirm(TokenButton, prefix="xc"):
    """The buy button of another activation (``token``: the server-side offer)."""


class CallStatus(LedgerButton, prefix="xv"):
    """Ask the provider about the incoming call of the row's number."""


class OrderCall(LedgerButton, prefix="xo"):
    """Order an outgoing call from the row's number."""


class AdditionalOffer(LedgerButton, prefix="xa"):
    """Add a service to the row's forwarded number: ``service`` empty for the picker, ``page``
    of it."""

    service: str
    page: int


class AdditionalConfirm(TokenButton, prefix="xb"):
    """The buy button of an added service (``token``: the server-side offer)."""


class ExtraDismiss(TokenButton, prefix="xz"):
    """✖️ Cancel under another activation's offer: nothing is bought."""


ActiveListAction = Literal["open", "cancelall", "confirm", "back"]


class ActiveList(CallbackData, prefix="av"):
    """On /active's list: ``open`` the card of our ledger row ``ledger_id``; ask to cancel
    every number without a code (``cancelall``), do it (``confirm``), or go ``back``."""

    action: ActiveListAction
    ledger_id: int
