"""How the Reconciler judges rent intents by the provider's ``getRentList`` (ids and phones
only): pairing them without guessing, failing them, and adopting a late rent (the rules:
:mod:`bot.services.reconciliation`).
"""

from __future__ import annotations

import logging
from typing import Final

from bot.provider.models import RentListItem
from bot.services.reconciliation_model import (
    ActivationSource,
    Matcher,
    ReconciledIntent,
    judge_each,
    result,
)
from storage.errors import LedgerError
from storage.rents import Rent, RentLedger, RentState

_LOG = logging.getLogger("bot.services.reconciliation")
_NOT_RENTED: Final = "not rented: the provider lists no rent the ledger does not know (reconciled)"


class RentMatcher(Matcher[RentLedger]):
    """Gives rent intents the outcome the provider's rent list shows."""

    __slots__ = ()

    async def match(
        self,
        source: ActivationSource,
        provider: str,
        intents: list[Rent],
        listed: list[RentListItem],
        judge_now: frozenset[tuple[str, int]],
        rechecks: list[Rent],
    ) -> list[ReconciledIntent]:
        known = await self._ledger.known_rent_ids(provider, (r.rent_id for r in listed))
        unknown = sorted(
            (r for r in listed if r.rent_id not in known), key=lambda r: (len(r.rent_id), r.rent_id)
        )
        if not intents:
            return await self._adopt(source, rechecks, unknown)
        alike = len({(i.service, i.country, i.operator, i.hours) for i in intents}) == 1
        if unknown and not (len(unknown) <= len(intents) and (alike or len(intents) == 1)):
            reason = (
                f"ambiguous: {len(unknown)} rent(s) unknown to the ledger for {len(intents)} "
                "intent(s); check the account by hand"
            )
            return [result(i, "pending", reason) for i in intents]

        async def confirm_next(index: int, intent: Rent) -> str | None:
            if index >= len(unknown):
                return None
            await self._confirm(intent, unknown[index])
            return unknown[index].rent_id

        return await judge_each(
            self._ledger, intents, confirm_next, _NOT_RENTED, judge_now=judge_now,
            now=self._clock.now(), window=self._window,
        )

    async def _confirm(self, intent: Rent, item: RentListItem) -> Rent:
        # getRentList tells neither the end date nor the cost: the hours asked for stand in.
        return await self._ledger.confirm_intent(
            intent,
            rent_id=item.rent_id,
            phone=item.phone,
            end_date=intent.created_at + intent.hours * 3600,
            cost=None,
        )

    async def _adopt(
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
            adopted = await self._confirm(row, item)
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
            await self._ledger.end(adopted.ledger_id, RentState.CANCELLED)
        return [result(row, "adopted", item.rent_id)]
