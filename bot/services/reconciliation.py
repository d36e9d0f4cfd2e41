"""The Reconciler: gives every purchase intent without an outcome the outcome the provider knows.

An intent is left without an outcome when the process died between recording it and hearing
the paid call's answer, or when the answer never came (a timeout: UNKNOWN). For each
(user, provider) with such intents, the Reconciler asks the provider what exists and decides:

* **Activations** (``getActiveActivations``): an intent matches an activation the ledger does not
  know yet, with the same service, the same country when both are known, a cost within the
  intent's max price, and an activation time at or after the intent's creation minus ``skew``
  (provider and bot clocks differ). Intents are matched oldest first, each to the earliest
  fitting activation, and no activation is used twice. Matched: confirmed with its id, phone and
  cost. No match: while the provider may still be completing the sale (the paid call got no
  reply, and the intent is younger than ``horizon``: the provider timeout plus a margin) it
  stays pending, "checking"; after that, or when the provider did reply (unreadably), it is
  failed, "not bought", and looked for again until ``horizon`` plus the activation lifetime.
* **Late sales**: an activation that turns up for a failed intent within that window is adopted
  (confirmed, watched) and cancelled for the refund, since its user was told it failed. A late
  rent likewise, when it can be told apart (one failed rent intent, one unknown rent), and
  cancelled at once (``setRentStatus``); if the provider refuses, the user decides.
* **Rents** (``getRentList``, which tells only ids and phones): with no unknown rent, every intent
  failed (once past ``horizon``, or when the provider replied; pending before); when the
  unknown rents can be told apart from the intents without guessing (one intent
  and one unknown rent, or identical intents and no more unknown rents than intents) they are
  paired oldest first and the rest failed; anything else stays pending and is reported, for a
  person to check.
* **No answer** (the user's key is gone, or the provider call raised): the group stays pending
  for the next run. Nothing is ever guessed from silence, and nothing is bought or retried.

Known limits: an activation that was bought and has already ended (cancelled or expired) is no
longer listed, so its intent is marked failed; an activation without a code is refunded when it
ends, so this costs nothing in the common case. An activation the user bought meanwhile from the
provider's website, with the same service, can be taken for the lost one.

A purchase still waiting for its answer in this process is never judged under its feet: the
periodic run skips every user whose paid call is in flight (``in_flight``), and the purchase
itself calls :meth:`Reconciler.reconcile_user` once its call has returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, TypeAlias

from bot.core.clock import Clock
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import ActiveActivation, RentListItem
from storage.activations import Activation, ActivationLedger
from storage.db import InProcessLocks, LockFactory
from storage.errors import LedgerError
from storage.rents import Rent, RentLedger, RentState

_LOG = logging.getLogger(__name__)
_NOT_BOUGHT: Final = "not bought: the provider lists no matching activation (reconciled)"
_NOT_RENTED: Final = "not rented: the provider lists no rent the ledger does not know (reconciled)"
CHECKING: Final = "checking: the provider may still be completing the sale"


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


class Reconciler:
    """Resolves intents without an outcome; see the module docstring for the rules.

    Args:
        activations: the activation ledger.
        rents: the rent ledger.
        source_for: builds a provider source for a (user, provider), or None if the key is gone.
        clock: the source of "now".
        skew: seconds an activation may appear to predate its intent (clock differences).
        activation_lifetime: seconds an activation lives at the provider, to estimate the
            deadline of one confirmed here (the provider's list does not say; None assumes
            each service's usual lifetime), and how long past ``horizon`` a failed intent is
            looked for again.
        horizon: seconds after an intent's creation during which a provider that has not
            replied may still be completing the sale: at least the provider timeout plus a
            margin. Until then, "not listed" means "not yet", not "not bought".

    Attributes:
        in_flight: ``in_flight(user_id)`` tells whether that user's paid call is waiting for
            its answer in this process; :meth:`reconcile` leaves such users alone.
        locks: named locks (see :class:`~bot.services.purchases.PurchaseService`).
    """

    __slots__ = (
        "_activations", "_clock", "_horizon", "_lifetime", "_locks", "_rents", "_skew",
        "_source_for", "in_flight",
    )

    def __init__(
        self,
        activations: ActivationLedger,
        rents: RentLedger,
        source_for: SourceFactory,
        *,
        clock: Clock,
        skew: float = 120.0,
        activation_lifetime: float | None = None,
        horizon: float = 120.0,
        locks: LockFactory | None = None,
    ) -> None:
        self._activations = activations
        self._rents = rents
        self._source_for = source_for
        self._clock = clock
        self._skew = skew
        self._lifetime = activation_lifetime
        self._horizon = horizon
        # One reconciliation at a time, across processes too when the locks are the database's.
        self._locks: LockFactory = locks or InProcessLocks()
        self.in_flight: Callable[[int], bool] = lambda user_id: False

    async def reconcile(self, *, min_age: float = 0.0) -> ReconciliationReport:
        """Resolves every intent without an outcome that is at least ``min_age`` seconds old,
        and looks for late sales of failed intents; users with a paid call in flight wait.

        Runs one at a time (a second call waits), and never raises for a provider's failure:
        those intents are reported as still pending.
        """
        async with self._locks("reconciliation"):
            now = self._clock.now()
            cutoff = now - min_age
            activations = await self._activations.pending_intents(created_before=cutoff)
            rechecks = await self._activations.rechecks(now)
            rents = await self._rents.pending_intents(created_before=cutoff)
            rent_rechecks = await self._rents.rechecks(now)
            return await self._reconcile(
                [i for i in activations if not self.in_flight(i.user_id)],
                [r for r in rents if not self.in_flight(r.user_id)],
                [r for r in rechecks if not self.in_flight(r.user_id)],
                frozenset(),
                [r for r in rent_rechecks if not self.in_flight(r.user_id)],
                guard=True,
            )

    async def reconcile_user(
        self,
        user_id: int,
        provider: str,
        *,
        answered: Iterable[int] = (),
        answered_rents: Iterable[int] = (),
    ) -> ReconciliationReport:
        """Resolves one user's intents on one provider now, whatever their age.

        For a purchase whose outcome just turned out unknown. The caller must hold that user's
        purchase lock, so none of these intents is still waiting for its paid call's answer;
        other users' intents are left alone, since theirs may be in flight.

        Args:
            answered: activation ledger ids whose paid call did get a reply (an unreadable
                one): the provider was done with them, so "not listed" fails them at once.
            answered_rents: the same, for rent ledger ids.
        """
        judge_now = frozenset(
            [("activation", i) for i in answered] + [("rent", i) for i in answered_rents]
        )
        async with self._locks("reconciliation"):
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
            now = self._clock.now()
            rechecks = [
                row
                for row in await self._activations.rechecks(now)
                if (row.user_id, row.provider) == (user_id, provider)
            ]
            rent_rechecks = [
                row
                for row in await self._rents.rechecks(now)
                if (row.user_id, row.provider) == (user_id, provider)
            ]
            return await self._reconcile(activations, rents, rechecks, judge_now, rent_rechecks)

    async def _reconcile(
        self,
        activations: list[Activation],
        rents: list[Rent],
        rechecks: list[Activation],
        judge_now: frozenset[tuple[str, int]],
        rent_rechecks: list[Rent],
        *,
        guard: bool = False,
    ) -> ReconciliationReport:
        owners = {(i.user_id, i.provider) for i in [*activations, *rechecks]}
        groups = sorted(owners | {(r.user_id, r.provider) for r in [*rents, *rent_rechecks]})
        results: list[ReconciledIntent] = []
        for user_id, provider in groups:
            group = (user_id, provider)
            results += await self._reconcile_group(
                user_id,
                provider,
                [i for i in activations if (i.user_id, i.provider) == group],
                [r for r in rents if (r.user_id, r.provider) == group],
                [r for r in rechecks if (r.user_id, r.provider) == group],
                judge_now,
                [r for r in rent_rechecks if (r.user_id, r.provider) == group],
                guard=guard,
            )
        report = ReconciliationReport(
            confirmed=tuple(r for r in results if r.outcome == "confirmed"),
            failed=tuple(r for r in results if r.outcome == "failed"),
            still_pending=tuple(r for r in results if r.outcome == "pending"),
            adopted=tuple(r for r in results if r.outcome == "adopted"),
        )
        if results:
            _LOG.info(
                "reconciled intents: %d confirmed, %d failed, %d still pending, %d adopted late",
                len(report.confirmed),
                len(report.failed),
                len(report.still_pending),
                len(report.adopted),
            )
        return report

    async def _reconcile_group(
        self,
        user_id: int,
        provider: str,
        activations: list[Activation],
        rents: list[Rent],
        rechecks: list[Activation],
        judge_now: frozenset[tuple[str, int]],
        rent_rechecks: list[Rent],
        *,
        guard: bool = False,
    ) -> list[ReconciledIntent]:
        """Asks the provider once per ledger and judges the group's rows by its answer.

        With ``guard``, nothing is judged if the user started a paid call while the provider
        was being asked: its number, listed already, must go to its own purchase, not be taken
        for an older one."""
        source = await self._source_for(user_id, provider)
        if source is None:
            reason = "no API key stored for this provider"
            unanswered: list[Activation | Rent] = [*activations, *rents]
            return [_result(i, "pending", reason) for i in unanswered]
        results: list[ReconciledIntent] = []
        if activations or rechecks:
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
                if guard and self.in_flight(user_id):
                    return []
                results += await self._match_activations(
                    provider, activations, rechecks, listed, judge_now
                )
        if rents or rent_rechecks:
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
                if guard and self.in_flight(user_id):
                    return results
                results += await self._match_rents(
                    source, provider, rents, rented, judge_now, rent_rechecks
                )
        return results

    async def _match_activations(
        self,
        provider: str,
        intents: list[Activation],
        rechecks: list[Activation],
        listed: list[ActiveActivation],
        judge_now: frozenset[tuple[str, int]],
    ) -> list[ReconciledIntent]:
        known = await self._activations.known_activation_ids(
            provider, (a.activation_id for a in listed)
        )
        candidates = [a for a in listed if a.activation_id not in known]
        now = self._clock.now()
        results: list[ReconciledIntent] = []
        for intent in intents:
            match = self._best_match(intent, candidates)
            try:
                if match is None:
                    judged = ("activation", intent.ledger_id) in judge_now
                    if not judged and now < self._judged_at(intent):
                        results.append(_result(intent, "pending", CHECKING))
                        continue
                    await self._activations.fail_intent(
                        intent, _NOT_BOUGHT, recheck_until=self._recheck_until(intent)
                    )
                    results.append(_result(intent, "failed", _NOT_BOUGHT))
                    continue
                candidates.remove(match)
                await self._confirm(intent, match)
                results.append(_result(intent, "confirmed", match.activation_id))
            except LedgerError as error:
                # Resolved meanwhile by the purchase itself: leave it, report it.
                results.append(_result(intent, "pending", f"ledger refused: {error}"))
        # Failed intents after every open one: a late sale goes to an open intent first.
        for row in rechecks:
            match = self._best_match(row, candidates)
            if match is None:
                continue
            candidates.remove(match)
            try:
                await self._confirm(row, match)
            except LedgerError as error:
                _LOG.warning("reconciliation: late sale for row %s refused: %s", row.ledger_id,
                             error)
                continue
            _LOG.warning("reconciliation: row %s was sold late; adopted, to be cancelled",
                         row.ledger_id)
            results.append(_result(row, "adopted", match.activation_id))
        return results

    def _lifetime_of(self, intent: Activation | Rent) -> float:
        if self._lifetime is not None:
            return self._lifetime
        return assumed_lifetime(intent.service)

    def _judged_at(self, intent: Activation | Rent) -> float:
        """When silence from the provider means "not bought": past the longest a sale takes."""
        return intent.created_at + self._horizon

    def _recheck_until(self, intent: Activation | Rent) -> float:
        """Until when a late sale is looked for: a number sold by then is still listed."""
        return intent.created_at + self._horizon + self._lifetime_of(intent)

    async def _confirm(self, intent: Activation, match: ActiveActivation) -> None:
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
        self,
        source: ActivationSource,
        provider: str,
        intents: list[Rent],
        listed: list[RentListItem],
        judge_now: frozenset[tuple[str, int]],
        rechecks: list[Rent],
    ) -> list[ReconciledIntent]:
        known = await self._rents.known_rent_ids(provider, (r.rent_id for r in listed))
        unknown = sorted(
            (r for r in listed if r.rent_id not in known), key=lambda r: (len(r.rent_id), r.rent_id)
        )
        if not intents:
            return await self._adopt_rents(source, rechecks, unknown)
        alike = len({(i.service, i.country, i.operator, i.hours) for i in intents}) == 1
        if unknown and not (len(unknown) <= len(intents) and (alike or len(intents) == 1)):
            reason = (
                f"ambiguous: {len(unknown)} rent(s) unknown to the ledger for {len(intents)} "
                "intent(s); check the account by hand"
            )
            return [_result(i, "pending", reason) for i in intents]
        now = self._clock.now()
        results: list[ReconciledIntent] = []
        for index, intent in enumerate(intents):
            try:
                if index >= len(unknown):
                    judged = ("rent", intent.ledger_id) in judge_now
                    if not judged and now < self._judged_at(intent):
                        results.append(_result(intent, "pending", CHECKING))
                        continue
                    await self._rents.fail_intent(
                        intent, _NOT_RENTED, recheck_until=self._recheck_until(intent)
                    )
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

    async def _adopt_rents(
        self, source: ActivationSource, rechecks: list[Rent], unknown: list[RentListItem]
    ) -> list[ReconciledIntent]:
        """A rent that turned up for a failed rent intent (no open intent left to take it) is
        adopted and cancelled for the refund, but only when it cannot be another one's: one
        failed intent in its window and one rent unknown to the ledger."""
        if not (rechecks and unknown):
            return []
        if len(rechecks) != 1 or len(unknown) != 1:
            _LOG.warning(
                "reconciliation: %d rent(s) unknown to the ledger for %d failed intent(s); "
                "check the account by hand",
                len(unknown),
                len(rechecks),
            )
            return []
        [row], [item] = rechecks, unknown
        try:
            adopted = await self._rents.confirm_intent(
                row,
                rent_id=item.rent_id,
                phone=item.phone,
                end_date=row.created_at + row.hours * 3600,
                cost=None,
            )
        except LedgerError as error:
            _LOG.warning("reconciliation: late rent for row %s refused: %s", row.ledger_id, error)
            return []
        try:
            await source.cancel_rent(item.rent_id)
        except Exception as error:
            # Left active: the user is told, and cancels or keeps it from its message.
            _LOG.warning(
                "reconciliation: late rent %s could not be cancelled: %s",
                row.ledger_id,
                type(error).__name__,
            )
        else:
            await self._rents.end(adopted.ledger_id, RentState.CANCELLED)
        return [_result(row, "adopted", item.rent_id)]


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
