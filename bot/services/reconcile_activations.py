"""How the Reconciler judges activation intents by the provider's ``getActiveActivations``
list: matching, failing, and adopting late sales (the rules: :mod:`bot.services.reconciliation`).
"""

from __future__ import annotations

import logging
from typing import Final

from bot.provider.models import ActiveActivation
from bot.services.reconciliation_model import (
    Matcher,
    ReconciledIntent,
    judge_each,
    result,
)
from storage.activations import Activation, ActivationLedger
from storage.errors import LedgerError

_LOG = logging.getLogger("bot.services.reconciliation")
_NOT_BOUGHT: Final = "not bought: the provider lists no matching activation (reconciled)"


class ActivationMatcher(Matcher[ActivationLedger]):
    """Gives activation intents the outcome the provider's list shows."""

    __slots__ = ()

    async def match(
        self,
        provider: str,
        intents: list[Activation],
        rechecks: list[Activation],
        listed: list[ActiveActivation],
        judge_now: frozenset[tuple[str, int]],
    ) -> list[ReconciledIntent]:
        known = await self._ledger.known_activation_ids(
            provider, (a.activation_id for a in listed)
        )
        candidates = [a for a in listed if a.activation_id not in known]

        async def confirm_best(_: int, intent: Activation) -> str | None:
            match = self._best_match(intent, candidates)
            if match is None:
                return None
            candidates.remove(match)
            await self._confirm(intent, match)
            return match.activation_id

        results = await judge_each(
            self._ledger, intents, confirm_best, _NOT_BOUGHT, judge_now=judge_now,
            now=self._clock.now(), window=self._window,
        )
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
            results.append(result(row, "adopted", match.activation_id))
        return results

    async def _confirm(self, intent: Activation, match: ActiveActivation) -> None:
        started = match.activation_time.timestamp() if match.activation_time else None
        assumed = (started or intent.created_at) + self._window.lifetime_of(intent)
        await self._ledger.confirm_intent(
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
        earliest = intent.created_at - self._window.skew
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
