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
periodic run skips every user whose paid call is in flight (``in_flight``), or who recorded a
new intent (in any process sharing the database) while the provider was asked, and the purchase
itself calls :meth:`Reconciler.reconcile_user` once its call has returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

from bot.core.clock import Clock
from bot.services.reconcile_activations import ActivationMatcher
from bot.services.reconcile_rents import RentMatcher
from bot.services.reconciliation_model import (
    CHECKING,
    ActivationSource,
    Outcome,
    ReconciledIntent,
    ReconciliationReport,
    SourceFactory,
    Window,
    result,
)
from storage.activations import Activation, ActivationLedger
from storage.db import InProcessLocks, LockFactory
from storage.records import PurchaseRow
from storage.rents import Rent, RentLedger

_LOG = logging.getLogger(__name__)
_T = TypeVar("_T")

__all__ = [
    "CHECKING",
    "ActivationSource",
    "Outcome",
    "ReconciledIntent",
    "Reconciler",
    "ReconciliationReport",
    "SourceFactory",
]


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
        "_activation_matcher", "_activations", "_clock", "_locks", "_rent_matcher", "_rents",
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
        window = Window(skew=skew, horizon=horizon, lifetime=activation_lifetime)
        self._activation_matcher = ActivationMatcher(activations, window, clock)
        self._rent_matcher = RentMatcher(rents, window, clock)
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
            rows = await self._open(now, created_before=now - min_age)
            return await self._reconcile(
                rows.where(lambda row: not self.in_flight(row.user_id)), frozenset(), guard=True
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
            rows = await self._open(self._clock.now())
            return await self._reconcile(rows.where(_owned_by(user_id, provider)), judge_now)

    async def _open(self, now: float, *, created_before: float | None = None) -> _Open:
        return _Open(
            await self._activations.pending_intents(created_before=created_before),
            await self._activations.rechecks(now),
            await self._rents.pending_intents(created_before=created_before),
            await self._rents.rechecks(now),
        )

    async def _reconcile(
        self, rows: _Open, judge_now: frozenset[tuple[str, int]], *, guard: bool = False
    ) -> ReconciliationReport:
        owners = {(i.user_id, i.provider) for i in [*rows.activations, *rows.rechecks]}
        groups = sorted(
            owners | {(r.user_id, r.provider) for r in [*rows.rents, *rows.rent_rechecks]}
        )
        results: list[ReconciledIntent] = []
        for user_id, provider in groups:
            results += await self._reconcile_group(
                user_id, provider, rows.where(_owned_by(user_id, provider)), judge_now, guard=guard
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
        rows: _Open,
        judge_now: frozenset[tuple[str, int]],
        *,
        guard: bool = False,
    ) -> list[ReconciledIntent]:
        """Asks the provider once per ledger and judges the group's rows by its answer.

        With ``guard``, nothing is judged if the user started a paid call while the provider
        was being asked: its number, listed already, must go to its own purchase, not be taken
        for an older one."""
        activations, rechecks, rents, rent_rechecks = rows
        source = await self._source_for(user_id, provider)
        if source is None:
            reason = "no API key stored for this provider"
            unanswered: list[Activation | Rent] = [*activations, *rents]
            return [result(i, "pending", reason) for i in unanswered]
        results: list[ReconciledIntent] = []
        if activations or rechecks:
            listed = await _listing(
                source.get_active_activations, "getActiveActivations", user_id, provider
            )
            if isinstance(listed, str):
                results += [result(i, "pending", listed) for i in activations]
            else:
                if guard and await self._started_meanwhile(user_id, provider, rows):
                    return []
                results += await self._activation_matcher.match(
                    provider, activations, rechecks, listed, judge_now
                )
        if rents or rent_rechecks:
            rented = await _listing(source.get_rent_list, "getRentList", user_id, provider)
            if isinstance(rented, str):
                results += [result(r, "pending", rented) for r in rents]
            else:
                if guard and await self._started_meanwhile(user_id, provider, rows):
                    return results
                results += await self._rent_matcher.match(
                    source, provider, rents, rented, judge_now, rent_rechecks
                )
        return results

    async def _started_meanwhile(self, user_id: int, provider: str, rows: _Open) -> bool:
        """Whether the user started a paid call after ``rows`` were read: in this process
        (``in_flight``) or in another one sharing the database, whose intent is durable before
        its paid call and so is pending now but not among ``rows``."""
        if self.in_flight(user_id):
            return True
        owned = _owned_by(user_id, provider)
        seen = {r.ledger_id for r in rows.activations}
        if any(owned(r) and r.ledger_id not in seen
               for r in await self._activations.pending_intents()):
            return True
        seen = {r.ledger_id for r in rows.rents}
        return any(owned(r) and r.ledger_id not in seen
                   for r in await self._rents.pending_intents())


def _owned_by(user_id: int, provider: str) -> Callable[[PurchaseRow], bool]:
    """Keeps the rows of one (user, provider)."""
    return lambda row: (row.user_id, row.provider) == (user_id, provider)


class _Open(NamedTuple):
    """What a run judges: the intents without an outcome and the failed ones whose late sale
    is still looked for, of each ledger."""

    activations: list[Activation]
    rechecks: list[Activation]
    rents: list[Rent]
    rent_rechecks: list[Rent]

    def where(self, keep: Callable[[PurchaseRow], bool]) -> _Open:
        """The rows ``keep`` keeps."""
        return _Open(
            [row for row in self.activations if keep(row)],
            [row for row in self.rechecks if keep(row)],
            [row for row in self.rents if keep(row)],
            [row for row in self.rent_rechecks if keep(row)],
        )


async def _listing(
    ask: Callable[[], Awaitable[Sequence[_T]]], action: str, user_id: int, provider: str
) -> list[_T] | str:
    """The provider's list, or why it gave none (the reason a pending intent is reported with)."""
    try:
        return list(await ask())
    except Exception as error:
        # The class name only: a provider error's text may quote a URL or a reply.
        _LOG.warning(
            "reconciliation: %s failed for user %s on %r: %s",
            action,
            user_id,
            provider,
            type(error).__name__,
        )
        return f"provider error: {type(error).__name__}"
