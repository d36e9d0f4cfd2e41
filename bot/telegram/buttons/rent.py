"""/rent's buttons: its pickers, the rent card's actions and the extension."""

from __future__ import annotations

from typing import Literal

from bot.telegram.buttons.shapes import LedgerButton, TokenButton
from bot.telegram.callbacks import CallbackData

RentStepName = Literal["service", "country", "operator", "hours"]


RentTarget = Literal["services", "countries", "hours", "abort"]


# "finish" asks "Finish the rent?"; "end" is that question's yes, "back" its no.
RentAction = Literal["finish", "end", "back", "cancel", "extend"]


class RentPick(CallbackData, prefix="rp"):
    """A /rent choice: ``step`` is service | country | operator | hours, ``value`` the pick
    (a service code, a country id, an operator name, a number of hours)."""

    step: RentStepName
    value: str


class RentPage(CallbackData, prefix="rg"):
    """A page of /rent's service or country picker."""

    step: Literal["service", "country"]
    page: int


class RentNavigation(CallbackData, prefix="rn"):
    """Back to an earlier /rent step (``services``, ``countries``, ``hours``), or ``abort``."""

    target: RentTarget


class ConfirmRent(TokenButton, prefix="rc"):
    """The rent button (``token``: the server-side draft)."""


class RentButton(CallbackData, prefix="ra"):
    """A button on a rent message: ``action`` (finish | end | back | cancel | extend) on ledger
    row ``ledger_id``."""

    action: RentAction
    ledger_id: int


class RentExtendHours(LedgerButton, prefix="rh"):
    """Extend the rent by ``hours``: shows the provider's price to confirm."""

    hours: int


class ConfirmRentExtension(TokenButton, prefix="rx"):
    """The pay-for-the-extension button (``token``: the server-side extension)."""


class RentExtendDismiss(LedgerButton, prefix="rz"):
    """✖️ Cancel under the extension's hours or price: nothing is extended."""
