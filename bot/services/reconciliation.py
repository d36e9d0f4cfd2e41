"""The Reconciler: gives every purchase intent without an outcome the outcome the provider knows.

An intent is left without an outcome when the process died between recording it and hearing
the paid call's answer, or when the answer never came (a timeout: UNKNOWN). For each
(user, provider) with such intents, the Reconciler asks the provider what exists and decides:

* **Activations** (``getActiveActivations``): an intent matches an activation the ledger does not
  know yet, with the same service, the same country when both are known, a cost within the
  intent's max price, and an activation time at or after the intent's creation minus ``skew``
  (provider and bot clocks differ). Intents are matched oldest first, each to the earliest
  fitting activation, and no activation is used twice. Matched: confirmed with its id, phone and
  cost. No match: failed, "not bought".
* **Rents** (``getRentList``, which tells only ids and phones): with no unknown rent, every intent
  failed; when the unknown rents can be told apart from the intents without guessing (one intent
  and one unknown rent, or identical intents and no more unknown rents than intents) they are
  paired oldest first and the rest failed; anything else stays pending and is reported, for a
  person to check.
* **No answer** (the user's key is gone, or the provider call raised): the group stays pending
  for the next run. Nothing is ever guessed from silence, and nothing is bought or retried.

Known limits: an activation that was bought and has already ended (cancelled or expired) is no
longer listed, so its intent is marked failed; an activation without a code is refunded when it
ends, so this costs nothing in the common case. An activation the user bought meanwhile from the
provider's website, with the same service, can be taken for the lost one.

Run it with ``min_age=0`` at start-up (no purchase can be in flight), and with ``min_age`` above the
provider client's timeout when the bot is running, so a purchase still waiting for its answer is
not declared failed under its feet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, TypeAlias

from bot.clock import Clock
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import ActiveActivation, RentListItem
from storage.activations import Activation, ActivationLedger
from storage.errors import LedgerError
from storage.rents import Rent, RentLedger

_LOG = logging.getLogger(__name__)
_NOT_BOUGHT: Final = "not bought: the provider lists no matching activation (reconciled)"
_NOT_RENTED: Final = "not rented: the provider lists no rent the ledger does not know (reconciled)"


class ActivationSource(Protocol):
    """What the Reconciler asks a provider, with one user's key."""

    async def get_active_activations(self) -> Sequence[ActiveActivation]:
        """The account's live activations (an empty sequence for NO_ACTIVATIONS)."""
        ...

    async def get_rent_list(self) -> Sequence[RentListItem]:
        """The account's current rents (an empty sequence for NO_NUMBERS)."""
        ...


SourceFactory: TypeAlias = Callable[[int, str], Awaitable[ActivationSource | None]]
"""``source_for(user_id, provider)``: a source using that user's key, or None if it is gone."""

Outcome: TypeAlias = Literal["confirmed", "failed", "pending"]


@dataclass(frozen=True, slots=True)
class ReconciledIntent:
    """What became of one intent.

    Attributes:
        kind: "activation" or "rent".
        ledger_id: the row in that ledger.
        chat_id: where to tell the user.
        outcome: "confirmed", "failed" or "pending".
        detail: the provider id when confirmed; the reason otherwise.
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


class Reconciler:
    """Resolves intents without an outcome; see the module docstring for the rules.

    Args:
        activations: the activation ledger.
        rents: the rent ledger.
        source_for: builds a provider source for a (user, provider), or None if the key is gone.
        clock: the source of "now".
        skew: seconds an activation may appear to predate its intent (clock differences).
        activation_lifetime: seconds an activation lives at the provider, to estimate the
            deadline of one confirmed here (the provider's list does not say); None assumes
            each service's usual lifetime.
    """

    __slots__ = ("_activations", "_clock", "_lifetime", "_lock", "_rents", "_skew", "_source_for")

    def __init__(
        self,
        activations: ActivationLedger,
        rents: RentLedger,
        source_for: SourceFactory,
        *,
        clock: Clock,
        skew: float = 120.0,
        activation_lifetime: float | None = None,
    ) -> None:
        self._activations = activations
        self._rents = rents
        self._source_for = source_for
        self._clock = clock
        self._skew = skew
        self._lifetime = activation_lifetime
        self._lock = asyncio.Lock()

    async def reconcile(self, *, min_age: float) -> ReconciliationReport:
        """Resolves every intent without an outcome that is at least ``min_age`` seconds old.

        Runs one at a time (a second call waits), and never raises for a provider's failure:
        those intents are reported as still pending.
        """
        async with self._lock:
            cutoff = self._clock.now() - min_age
            activations = await self._activations.pending_intents(created_before=cutoff)
            rents = await self._rents.pending_intents(created_before=cutoff)
            return await self._reconcile(activations, rents)

    async def reconcile_user(self, user_id: int, provider: str) -> ReconciliationReport:
        """Resolves one user's intents on one provider now, whatever their age.

        For a purchase whose outcome just turned out unknown. The caller must hold that user's
        purchase lock, so none of these intents is still waiting for its paid call's answer;
        other users' intents are left alone, since theirs may be in flight.
        """
        async with self._lock:
            activations = [
                intent
                for intent in await self._activations.pending_intents()
                if (intent.user_id, intent.provider) == (user_id, provider)
            ]
            rents = [
                intent
                for intent in await self._rents.pending_intents()
                if (intent.user_id, intent.provider) == (user_id, provider)
            ]
            return await self._reconcile(activations, rents)

    async def _reconcile(
        self, activations: list[Activation], rents: list[Rent]
    ) -> ReconciliationReport:
        owners = {(i.user_id, i.provider) for i in activations}
        groups = sorted(owners | {(r.user_id, r.provider) for r in rents})
        results: list[ReconciledIntent] = []
        for user_id, provider in groups:
            group_activations = [
                i for i in activations if (i.user_id, i.provider) == (user_id, provider)
            ]
            group_rents = [r for r in rents if (r.user_id, r.provider) == (user_id, provider)]
            results += await self._reconcile_group(
                user_id, provider, group_activations, group_rents
            )
        report = ReconciliationReport(
            confirmed=tuple(r for r in results if r.outcome == "confirmed"),
            failed=tuple(r for r in results if r.outcome == "failed"),
            still_pending=tuple(r for r in results if r.outcome == "pending"),
        )
        if results:
            _LOG.info(
                "reconciled intents: %d confirmed, %d failed, %d still pending",
                len(report.confirmed),
                len(report.failed),
                len(report.still_pending),
            )
        return report

    async def _reconcile_group(
        self, user_id: int, provider: str, activations: list[Activation], rents: list[Rent]
    ) -> list[ReconciledIntent]:
        source = await self._source_for(user_id, provider)
        if source is None:
            reason = "no API key stored for this provider"
            unanswered: list[Activation | Rent] = [*activations, *rents]
            return [_result(i, "pending", reason) for i in unanswered]
        results: list[ReconciledIntent] = []
        if activations:
            try:
                listed = list(await source.get_active_activations())
            except Exception as error:
                # The class name only: a provider error's text may quote a URL or a reply.
                _LOG.warning(
                    "reconciliation: getActiveActivations failed for user %s on %r: %s",
                    user_id,
                    provider,
                    type(error).__name__,
                )
                reason = f"provider error: {type(error).__name__}"
                results += [_result(i, "pending", reason) for i in activations]
            else:
                results += await self._match_activations(provider, activations, listed)
        if rents:
            try:
                rented = list(await source.get_rent_list())
            except Exception as error:
                _LOG.warning(
                    "reconciliation: getRentList failed for user %s on %r: %s",
                    user_id,
                    provider,
                    type(error).__name__,
                )
                reason = f"provider error: {type(error).__name__}"
                results += [_result(r, "pending", reason) for r in rents]
            else:
                results += await self._match_rents(provider, rents, rented)
        return results

    async def _match_activations(
        self, provider: str, intents: list[Activation], listed: list[ActiveActivation]
    ) -> list[ReconciledIntent]:
        known = await self._activations.known_activation_ids(
            provider, (a.activation_id for a in listed)
        )
        candidates = [a for a in listed if a.activation_id not in known]
        results: list[ReconciledIntent] = []
        for intent in intents:
            match = self._best_match(intent, candidates)
            try:
                if match is None:
                    await self._activations.fail_intent(intent, _NOT_BOUGHT)
                    results.append(_result(intent, "failed", _NOT_BOUGHT))
                    continue
                candidates.remove(match)
                started = match.activation_time.timestamp() if match.activation_time else None
                assumed = (started or intent.created_at) + self._lifetime_of(intent)
                await self._activations.confirm_intent(
                    intent,
                    activation_id=match.activation_id,
                    phone=match.phone,
                    cost=match.cost,
                    # The provider's end time where its list tells one (most do not).
                    deadline=match.end_time.timestamp() if match.end_time else assumed,
                    deadline_assumed=match.end_time is None,
                )
                results.append(_result(intent, "confirmed", match.activation_id))
            except LedgerError as error:
                # Resolved meanwhile by the purchase itself: leave it, report it.
                results.append(_result(intent, "pending", f"ledger refused: {error}"))
        return results

    def _lifetime_of(self, intent: Activation) -> float:
        if self._lifetime is not None:
            return self._lifetime
        return assumed_lifetime(intent.service)

    def _best_match(
        self, intent: Activation, candidates: list[ActiveActivation]
    ) -> ActiveActivation | None:
        earliest = intent.created_at - self._skew
        fitting = [
            a
            for a in candidates
            if a.service == intent.service
            and (intent.country is None or a.country is None or a.country == intent.country)
            and (intent.max_price is None or a.cost <= intent.max_price)
            and (a.activation_time is None or a.activation_time.timestamp() >= earliest)
        ]
        # The earliest activation first; one without a time only when no timed one fits.
        fitting.sort(
            key=lambda a: (
                a.activation_time is None,
                a.activation_time.timestamp() if a.activation_time else 0.0,
            )
        )
        return fitting[0] if fitting else None

    async def _match_rents(
        self, provider: str, intents: list[Rent], listed: list[RentListItem]
    ) -> list[ReconciledIntent]:
        known = await self._rents.known_rent_ids(provider, (r.rent_id for r in listed))
        unknown = sorted(
            (r for r in listed if r.rent_id not in known), key=lambda r: (len(r.rent_id), r.rent_id)
        )
        alike = len({(i.service, i.country, i.operator, i.hours) for i in intents}) == 1
        if unknown and not (len(unknown) <= len(intents) and (alike or len(intents) == 1)):
            reason = (
                f"ambiguous: {len(unknown)} rent(s) unknown to the ledger for {len(intents)} "
                "intent(s); check the account by hand"
            )
            return [_result(i, "pending", reason) for i in intents]
        results: list[ReconciledIntent] = []
        for index, intent in enumerate(intents):
            try:
                if index >= len(unknown):
                    await self._rents.fail_intent(intent, _NOT_RENTED)
                    results.append(_result(intent, "failed", _NOT_RENTED))
                    continue
                item = unknown[index]
                await self._rents.confirm_intent(
                    intent,
                    rent_id=item.rent_id,
                    phone=item.phone,
                    end_date=intent.created_at + intent.hours * 3600,
                    cost=None,
                )
                results.append(_result(intent, "confirmed", item.rent_id))
            except LedgerError as error:
                results.append(_result(intent, "pending", f"ledger refused: {error}"))
        return results


def _result(intent: Activation | Rent, outcome: Outcome, detail: str) -> ReconciledIntent:
    return ReconciledIntent(
        kind="activation" if isinstance(intent, Activation) else "rent",
        ledger_id=intent.ledger_id,
        user_id=intent.user_id,
        chat_id=intent.chat_id,
        provider=intent.provider,
        service=intent.service,
        outcome=outcome,
        detail=detail,
    )
