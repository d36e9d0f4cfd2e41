"""What a user's press on an activation or a rent comes to: one vocabulary for both.

    NotYoursError            no such activation or rent among the user's own
    Outcome                  what the provider made of the press
    ActivationActionResult   the outcome and the activation as it now stands
    RentActionResult         the outcome and the rent as it now stands
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.provider import ProviderError
from storage.records import Activation, Rent


class NotYoursError(LookupError):
    """No such activation or rent among the user's own (forged, another user's, or unknown)."""


class Outcome(enum.Enum):
    DONE = "done"  # the provider did it
    REFUSED = "refused"  # not allowed in the current state; for a rent ``error`` says why
    ENDED = "ended"  # it had already ended (the ledger now says how)
    CANCEL_LATER = "cancel_later"  # an activation: EARLY_CANCEL_DENIED, retry at a known time
    CANCEL_REFUSED = "cancel_refused"  # a rent: CANT_CANCEL (past the window, or an SMS came)


@dataclass(frozen=True, slots=True)
class ActivationActionResult:
    outcome: Outcome
    activation: Activation
    cancel_possible_at: float | None = None  # with CANCEL_LATER (or a scheduled cancel)


@dataclass(frozen=True, slots=True)
class RentActionResult:
    outcome: Outcome
    rent: Rent
    error: ProviderError | None = None
