"""Auto-replace: keep buying until a code comes, within a number of tries, a wait and a cap.

PTB-free. Each step is one purchase through :class:`~bot.services.purchases.PurchaseService`
(one intent, one paid call, never retried, under the user's spending caps), bought from the
best offer of :class:`~bot.services.offers.OfferService`, leaving out providers whose number
got no code in this run. A step whose number got no code within ``wait_seconds`` has it
cancelled for its refund by asking the provider (``setStatus 8`` through
:class:`~bot.services.activations.ActivationService`; a provider that refuses the cancel
yet is asked again on the next tick), and the next step buys. The run stops on a code (the
recorder's hook calls :meth:`AutoReplaceService.code_arrived`), on the user's cancel, when
the tries are used up, or when the next number would pass the run's spend cap.

Restarts: the step's key is written to the run BEFORE the purchase's intent, and the purchase
uses that key, so :meth:`tick` after a restart finds the step's intent in the ledger (or its
absence) and never buys twice for one step.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.core.tasks import run_every
from bot.provider import ProviderError
from bot.services.account_errors import AccountError
from bot.services.activations import ActivationService, Command
from bot.services.offer_model import Offer
from bot.services.offers import OfferService
from bot.services.purchases import PurchaseRequest, PurchaseService, PurchaseStatus
from bot.services.results import Outcome
from bot.services.spending import SpendingCapError
from storage.activations import Activation, ActivationLedger, ActivationState
from storage.autoreplace import AutoReplaceStore, Run, RunState

log = logging.getLogger(__name__)

# A run's stop reason when no offer in stock was at or under the user's max price.
OVER_MAX_PRICE: Final = "no offer at max price"

_PENDING = (ActivationState.INTENT, ActivationState.UNKNOWN)


@dataclass(eq=False)
class AutoReplaceService:
    """Runs auto-replace runs, one step at a time.

    Args:
        store: the runs.
        offers: compares the user's providers.
        purchases: the one paid-call path for activations.
        actions: cancels a number through its provider.
        ledger: the activation ledger.
        clock: the source of "now" (it schedules when to ask the provider, nothing more).
    """

    store: AutoReplaceStore
    offers: OfferService
    purchases: PurchaseService
    actions: ActivationService
    ledger: ActivationLedger
    _: KW_ONLY
    clock: Clock
    _locks: defaultdict[int, asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock), init=False
    )
    # Told of every change a user would see (a step bought, a run ended): the Telegram
    # layer redraws the run's card. Best effort: a failing hook changes no run.
    on_change: Callable[[Run], Awaitable[None]] | None = field(default=None, init=False)

    async def start(
        self, user_id: int, chat_id: int, service: str, country: int, *,
        operator: str | None = None, max_tries: int, wait_seconds: float, spend_cap: Decimal,
        card_message_id: int | None = None, service_name: str | None = None,
        country_names: Mapping[str, str] | None = None, max_price: Decimal | None = None,
    ) -> Run:
        """Records a run the user confirmed, and buys its first number.

        Args:
            card_message_id: the message that shows the run, kept with it (found again after
                a restart).
            service_name, country_names: what its numbers are shown with (as /buy's).
            max_price: the most one number may cost (/buy's max price); a dearer offer is
                passed over, and the run stops when no offer is under it.
        """
        run = await self.store.create(
            user_id=user_id, chat_id=chat_id, service=service, country=country,
            operator=operator, max_tries=max_tries, wait_seconds=wait_seconds,
            spend_cap=spend_cap, card_message_id=card_message_id, service_name=service_name,
            country_names=country_names, max_price=max_price,
        )
        return await self.advance(run.run_id)

    async def get(self, run_id: int) -> Run:
        """The run (RowNotFoundError if there is none)."""
        return await self.store.get(run_id)

    async def set_card(self, run_id: int, message_id: int) -> None:
        """Remembers the message that shows the run."""
        await self.store.set_card(run_id, message_id)

    async def _changed(self, run: Run) -> None:
        if self.on_change is None:
            return
        try:
            await self.on_change(run)
        except Exception:  # the card catches up on the next change
            log.exception("auto-replace run %s: its card was not redrawn", run.run_id)

    async def cancel(self, user_id: int, run_id: int) -> Run:
        """Stops the user's run at once; a number still waiting is cancelled for its refund.

        Raises:
            LookupError: not the user's run.
        """
        run = await self.store.get(run_id)
        if run.user_id != user_id:
            raise LookupError(run_id)
        # Stopped first, outside the lock: a step in flight then buys nothing more after it.
        stopped = await self.store.stop(run_id, RunState.CANCELLED, "cancelled by the user")
        if stopped:
            async with self._locks[run_id]:  # the step in flight, if any, has settled
                key = (await self.store.get(run_id)).step_key
                row = None if key is None else await self.ledger.by_idempotency_key(key)
                if row is not None and row.state is ActivationState.WAITING:
                    await self._cancel_number(row)
            await self._changed(await self.store.get(run_id))
        return await self.store.get(run_id)

    async def code_arrived(self, ledger_id: int, user_id: int) -> None:
        """The recorder's hook: a code for ``ledger_id`` ends the run that bought it."""
        for run in await self.store.running_for_user(user_id):
            if run.step_ledger_id == ledger_id and await self.store.stop(
                run.run_id, RunState.SUCCEEDED, "code"
            ):
                await self._changed(await self.store.get(run.run_id))

    async def tick(self) -> None:
        """Advances every running run (also what resumes them after a restart)."""
        for run in await self.store.running():
            try:
                await self.advance(run.run_id)
            except Exception:  # one run's failure must not stop the others
                log.exception("auto-replace run %s could not advance", run.run_id)

    async def run(self, interval: float, stop: asyncio.Event) -> None:
        """Ticks every ``interval`` seconds (start to start) until ``stop`` is set."""
        await run_every(self.tick, interval, stop, name="auto-replace tick")

    async def advance(self, run_id: int) -> Run:
        """Does what the run needs now: waits, cancels a number past its wait, or buys."""
        async with self._locks[run_id]:
            run = before = await self.store.get(run_id)
            while run.state is RunState.RUNNING:
                after = await self._step(run)
                if after is None:  # waiting for the provider or the clock
                    break
                run = after
            now = await self.store.get(run_id)
        if _seen(now) != _seen(before):
            await self._changed(now)
        return now

    async def _step(self, run: Run) -> Run | None:
        """One transition; the changed run, or None when there is nothing to do yet."""
        if run.step_key is None:
            return await self._buy_next(run)
        if run.step_ledger_id is None:
            return await self._settle_purchase(run)
        row = await self.ledger.get(run.step_ledger_id)
        assert row is not None
        if row.code_count > 0:
            await self.store.stop(run.run_id, RunState.SUCCEEDED, "code")
            return await self.store.get(run.run_id)
        if row.state in (ActivationState.CANCELLED, ActivationState.EXPIRED):
            return await self.store.step_failed(run)  # refunded: the next number
        if row.state is ActivationState.FINISHED:
            await self.store.stop(run.run_id, RunState.CANCELLED, "number finished")
            return await self.store.get(run.run_id)
        if self.clock.now() < (row.confirmed_at or row.created_at) + run.wait_seconds:
            return None
        await self._cancel_number(row)
        after = await self.ledger.get(row.ledger_id)
        assert after is not None
        if after.state is ActivationState.WAITING:
            return None  # the provider refused the cancel for now: asked again next tick
        return await self.store.get(run.run_id)

    async def _buy_next(self, run: Run) -> Run | None:
        if run.tries >= run.max_tries:
            await self.store.stop(run.run_id, RunState.EXHAUSTED, "no code in any try")
            return await self.store.get(run.run_id)
        best = await self._best_offer(run, exclude=frozenset(run.failed_providers))
        if best is None and run.failed_providers:  # every provider failed once: try them again
            best = await self._best_offer(run, exclude=frozenset())
        if best is None:
            reason = "no offer in stock" if run.max_price is None else OVER_MAX_PRICE
            await self.store.stop(run.run_id, RunState.FAILED, reason)
            return await self.store.get(run.run_id)
        if await self.store.spent(run.run_id) + best.price > run.spend_cap:
            await self.store.stop(run.run_id, RunState.CAPPED, "run cap")
            return await self.store.get(run.run_id)
        begun = await self.store.begin_step(run, best.provider, best.price)
        if begun is None:
            return await self.store.get(run.run_id)
        return await self._settle_purchase(begun)

    async def _best_offer(self, run: Run, *, exclude: frozenset[str]) -> Offer | None:
        """The best row in stock for the run's next step, at no more than its max price."""
        comparison = await self.offers.compare(
            run.user_id, run.service, run.country, operator=run.operator, exclude=exclude
        )
        return comparison.best_within(run.max_price)

    async def _settle_purchase(self, run: Run) -> Run | None:
        """Buys the step (or, after a restart, finds what its key already bought)."""
        assert run.step_key is not None and run.step_provider is not None
        # The row's price is the step's max (a Free Price limit): the provider sells at no
        # more than the price the run's cap was checked against, or refuses (the next offer).
        request = PurchaseRequest(
            service=run.service, country=run.country, operator=run.operator,
            shown_price=run.step_price or Decimal(0), max_price=run.step_price,
            service_name=run.service_name or "", country_names=dict(run.country_names),
        )
        try:
            result = await self.purchases.buy(
                run.user_id, run.chat_id, request, run.step_key, provider=run.step_provider
            )
        except SpendingCapError:
            await self.store.stop(run.run_id, RunState.CAPPED, "spending cap")
            return await self.store.get(run.run_id)
        except AccountError:
            return await self.store.step_failed(run)  # no usable key there: nothing bought
        row = result.activation
        if result.status is PurchaseStatus.REFUSED and (row is None or row.state not in _PENDING):
            return await self.store.step_failed(run)
        if row is None or row.state in _PENDING:
            return None  # outcome unknown: the Reconciler settles it; looked at next tick
        if row.state is ActivationState.FAILED:
            return await self.store.step_failed(run)
        attached = await self.store.attach(run, row.ledger_id)
        if attached is None and row.state is ActivationState.WAITING:
            # The run was stopped while its step bought: a cancel through another process
            # (its lock is not ours) found no number yet. Nobody else will cancel this one.
            await self._cancel_number(row)
        return attached

    async def _cancel_number(self, row: Activation) -> None:
        try:
            result = await self.actions.act(row.user_id, row.ledger_id, Command.CANCEL)
        except (ProviderError, AccountError) as error:
            log.info("auto-replace: cancel of %s failed: %s", row.ledger_id, type(error).__name__)
            return
        if result.outcome is Outcome.CANCEL_LATER:
            log.info("auto-replace: %s may be cancelled later", row.ledger_id)


def _seen(run: Run) -> tuple[object, ...]:
    """What the run's card shows: a change in it redraws the card."""
    return (run.state, run.tries, run.step_ledger_id)
