"""What the Reconciler's parts share: the provider source it asks, what it reports, and the
time window in which the provider's silence means "not yet" rather than "not bought".

The rules are in :mod:`bot.services.reconciliation`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, Protocol, TypeAlias, TypeVar

from bot.core.clock import Clock
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import ActiveActivation, RentListItem
from storage.activations import Activation
from storage.errors import LedgerError
from storage.ledger import IntentLedger
from storage.rents import Rent

CHECKING: Final = "checking: the provider may still be completing the sale"
IntentT = TypeVar("IntentT", Activation, Rent)
LedgerT = TypeVar("LedgerT")


class ActivationSource(Protocol):
    """What the Reconciler asks a provider, with one user's key."""

    async def get_active_activations(self) -> Sequence[ActiveActivation]:
        """The account's live activations (an empty sequence for NO_ACTIVATIONS)."""
        ...

    async def get_rent_list(self) -> Sequence[RentListItem]:
        """The account's current rents (an empty sequence for NO_NUMBERS)."""
        ...

    async def cancel_rent(self, rent_id: str) -> None:
        """Cancels a rent for a refund (a late one the user was told had failed)."""
        ...


SourceFactory: TypeAlias = Callable[[int, str], Awaitable[ActivationSource | None]]
"""``source_for(user_id, provider)``: a source using that user's key, or None if it is gone."""

Outcome: TypeAlias = Literal["confirmed", "failed", "pending", "adopted"]


@dataclass(frozen=True, slots=True)
class ReconciledIntent:
    """What became of one intent.

    Attributes:
        kind: "activation" or "rent".
        ledger_id: the row in that ledger.
        chat_id: where to tell the user.
        outcome: "confirmed", "failed", "pending", or "adopted" (a late sale for a failed
            intent, now watched and to be cancelled for the refund).
        detail: the provider id when confirmed or adopted; the reason otherwise.
    """

    kind: Literal["activation", "rent"]
    ledger_id: int
    user_id: int
    chat_id: int
    provider: str
    service: str
    outcome: Outcome
    detail: str


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """The outcome of one run, by outcome."""

    confirmed: tuple[ReconciledIntent, ...]
    failed: tuple[ReconciledIntent, ...]
    still_pending: tuple[ReconciledIntent, ...]
    adopted: tuple[ReconciledIntent, ...] = ()


@dataclass(frozen=True, slots=True)
class Window:
    """When the provider's word on an intent is final, and how long a late sale is looked for.

    Attributes:
        skew: seconds an activation may appear to predate its intent (clock differences).
        horizon: seconds after an intent's creation during which a provider that has not
            replied may still be completing the sale.
        lifetime: seconds an activation lives at the provider; None assumes each service's
            usual lifetime.
    """

    skew: float
    horizon: float
    lifetime: float | None

    def lifetime_of(self, intent: Activation | Rent) -> float:
        if self.lifetime is not None:
            return self.lifetime
        return assumed_lifetime(intent.service)

    def judged_at(self, intent: Activation | Rent) -> float:
        """When silence from the provider means "not bought": past the longest a sale takes."""
        return intent.created_at + self.horizon

    def recheck_until(self, intent: Activation | Rent) -> float:
        """Until when a late sale is looked for: a number sold by then is still listed."""
        return intent.created_at + self.horizon + self.lifetime_of(intent)


class Matcher(Generic[LedgerT]):
    """Judges one ledger's intents by the provider's list.

    Args:
        ledger: the ledger whose intents it judges.
        window: the Reconciler's time window.
        clock: the source of "now".
    """

    __slots__ = ("_clock", "_ledger", "_window")

    def __init__(self, ledger: LedgerT, window: Window, clock: Clock) -> None:
        self._ledger = ledger
        self._window = window
        self._clock = clock


def kind_of(intent: Activation | Rent) -> Literal["activation", "rent"]:
    return "activation" if isinstance(intent, Activation) else "rent"


def result(intent: Activation | Rent, outcome: Outcome, detail: str) -> ReconciledIntent:
    return ReconciledIntent(
        kind=kind_of(intent),
        ledger_id=intent.ledger_id,
        user_id=intent.user_id,
        chat_id=intent.chat_id,
        provider=intent.provider,
        service=intent.service,
        outcome=outcome,
        detail=detail,
    )


async def judge_each(
    ledger: IntentLedger[IntentT, Any],
    intents: Sequence[IntentT],
    confirm: Callable[[int, IntentT], Awaitable[str | None]],
    reason: str,
    *,
    judge_now: frozenset[tuple[str, int]],
    now: float,
    window: Window,
) -> list[ReconciledIntent]:
    """Judges open intents one by one, in order: ``confirm(index, intent)`` gives one the
    outcome of the listed sale it pairs it with and returns that sale's provider id, or None
    when nothing listed is its own; such an intent is settled by :func:`settle_unlisted`
    (``judge_now`` names, by kind and ledger id, those to judge without waiting for the
    horizon). An intent the ledger refuses to change was resolved meanwhile by the purchase
    itself: it is left alone and reported pending."""
    results: list[ReconciledIntent] = []
    for index, intent in enumerate(intents):
        try:
            provider_id = await confirm(index, intent)
            if provider_id is None:
                judged = (kind_of(intent), intent.ledger_id) in judge_now
                results.append(await settle_unlisted(
                    ledger, intent, reason, judged=judged, now=now, window=window
                ))
            else:
                results.append(result(intent, "confirmed", provider_id))
        except LedgerError as error:
            results.append(result(intent, "pending", f"ledger refused: {error}"))
    return results


async def settle_unlisted(
    ledger: IntentLedger[IntentT, Any],
    intent: IntentT,
    reason: str,
    *,
    judged: bool,
    now: float,
    window: Window,
) -> ReconciledIntent:
    """An intent the provider does not list: still pending, "checking", while the sale may be
    completing (the paid call got no reply and the intent is within the horizon); otherwise
    failed with ``reason`` and looked for again until the window closes.

    Raises:
        LedgerError: the ledger refused (the purchase resolved it meanwhile).
    """
    if not judged and now < window.judged_at(intent):
        return result(intent, "pending", CHECKING)
    await ledger.fail_intent(intent, reason, recheck_until=window.recheck_until(intent))
    return result(intent, "failed", reason)
