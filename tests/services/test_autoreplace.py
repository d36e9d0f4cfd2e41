"""Auto-replace over sandbox providers: N tries, stopped by a code, a cancel or the cap, resumed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from bot.core.clock import ManualClock
from bot.provider.sandbox.testing import ALICE_BALANCE
from bot.services.activations import ActivationService
from bot.services.autoreplace import AutoReplaceService
from bot.services.catalog import CatalogService
from bot.services.offers import OfferService
from bot.services.purchases import PurchaseResult, PurchaseService
from bot.services.recorder import Recorder
from bot.services.watcher import ActivationWatcher
from storage.activations import ActivationLedger, ActivationState
from storage.autoreplace import AutoReplaceStore, Run, RunState, step_key
from storage.code_rates import CodeRateStore
from storage.db import Database
from storage.events import EventOutbox
from storage.rents import RentLedger
from storage.users import UserStore
from tests.services.providers import COUNTRY, SERVICE, USER, Providers, providers, request

WAIT = 180.0


@dataclass
class Rig:
    found: Providers
    service: AutoReplaceService
    store: AutoReplaceStore
    purchases: PurchaseService
    watcher: ActivationWatcher
    ledger: ActivationLedger

    def paid_calls(self) -> int:
        return sum(self.found.bought(i) for i in range(len(self.found.servers)))


def _build(found: Providers, db: Database) -> Rig:
    ledger = ActivationLedger(db)
    recorder = Recorder(db, ledger, RentLedger(db), EventOutbox(db))
    purchases = found.purchases()
    offers = OfferService(found.accounts, CatalogService(db.clock), CodeRateStore(db),
                          clock=db.clock)
    actions = ActivationService(found.accounts, ledger, recorder, clock=db.clock)
    store = AutoReplaceStore(db)
    service = AutoReplaceService(store, offers, purchases, actions, ledger, clock=db.clock)
    recorder.on_code = service.code_arrived
    watcher = ActivationWatcher(ledger, UserStore(db), found.accounts, recorder, clock=db.clock)
    return Rig(found, service, store, purchases, watcher, ledger)


@asynccontextmanager
async def _rig(db: Database, factors: list[str]) -> AsyncIterator[Rig]:
    async with providers(db, factors) as found:
        for server in found.servers:  # the providers let a number be cancelled at once
            server.sandbox.configure(early_cancel_seconds=0)
        yield _build(found, db)


async def _start(
    rig: Rig, *, max_tries: int = 3, spend_cap: Decimal = Decimal(1000),
    max_price: Decimal | None = None,
) -> Run:
    """USER's run, started as the bot starts one: recorded, its first number bought."""
    return await rig.service.start(
        USER, USER, SERVICE, COUNTRY, max_tries=max_tries, wait_seconds=WAIT, spend_cap=spend_cap,
        max_price=max_price,
    )


async def _recorded_run(rig: Rig, max_tries: int = 3) -> Run:
    """A run as the store records it when a user starts one, before its first step (what a
    restarted leader finds)."""
    return await rig.store.create(
        user_id=USER, chat_id=USER, service=SERVICE, country=COUNTRY, operator=None,
        max_tries=max_tries, wait_seconds=WAIT, spend_cap=Decimal(1000),
    )


async def _after_a_restart(rig: Rig, db: Database, run: Run) -> Run:
    """A new process takes over the run and ticks twice: the run as it then stands."""
    restarted = _build(rig.found, db)
    await restarted.service.tick()
    await restarted.service.tick()
    return await restarted.store.get(run.run_id)


async def _rows(rig: Rig) -> list[tuple[str, ActivationState]]:
    rows = await rig.ledger.history(USER, limit=50)
    return [(r.provider, r.state) for r in sorted(rows, key=lambda r: r.ledger_id)]


async def _assert_stopped_with_its_one_number_refunded(
    rig: Rig, clock: ManualClock, stopped: Run, balance: Decimal
) -> None:
    """A cancelled one-provider run: its one number cancelled for the refund, and no later
    tick buys another."""
    clock.advance(WAIT + 1)
    await rig.service.tick()
    assert stopped.state is RunState.CANCELLED
    assert rig.paid_calls() == 1
    assert await _rows(rig) == [(rig.found.key(0), ActivationState.CANCELLED)]
    assert rig.found.sandbox(0).balance("alice") == balance


async def test_no_code_buys_exactly_n_numbers_each_cancelled_then_stops(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0", "0.8"]) as rig:
        cheap, dear = rig.found.key(1), rig.found.key(0)
        run = await _start(rig)
        for _ in range(5):
            await rig.service.tick()  # before the wait: nothing happens
            clock.advance(WAIT + 1)
            await rig.service.tick()
        final = await rig.store.get(run.run_id)
        paid = rig.paid_calls()
        rows = await _rows(rig)

    assert paid == 3
    assert final.state is RunState.EXHAUSTED and final.tries == 3
    # the cheapest first; after it failed the next-best; then both had failed once
    assert rows == [
        (cheap, ActivationState.CANCELLED), (dear, ActivationState.CANCELLED),
        (cheap, ActivationState.CANCELLED),
    ]


async def test_a_code_ends_the_run(db: Database, clock: ManualClock) -> None:
    async with _rig(db, ["1.0", "0.8"]) as rig:
        run = await _start(rig)
        clock.advance(WAIT + 1)
        await rig.service.tick()  # the first number had no code: the second is bought
        second = (await rig.store.get(run.run_id)).step_ledger_id
        assert second is not None
        row = await rig.ledger.get(second)
        assert row is not None and row.activation_id is not None
        sandbox = rig.found.sandbox(0 if row.provider == rig.found.key(0) else 1)
        sandbox.deliver_sms(int(row.activation_id), "Your code 55123", code="55123")
        await rig.watcher.tick()  # the watcher records the code; the hook ends the run
        ended = await rig.store.get(run.run_id)
        clock.advance(WAIT + 1)
        await rig.service.tick()
        paid = rig.paid_calls()
        kept = await rig.ledger.get(second)

    assert ended.state is RunState.SUCCEEDED
    assert paid == 2
    assert kept is not None and kept.code_count == 1 and kept.state is not ActivationState.CANCELLED


async def test_cancel_stops_the_run_at_once_and_refunds_the_number(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0"]) as rig:
        balance = rig.found.sandbox(0).balance("alice")
        run = await _start(rig)
        stopped = await rig.service.cancel(USER, run.run_id)
        await _assert_stopped_with_its_one_number_refunded(rig, clock, stopped, balance)


async def test_a_cancel_from_another_process_during_a_step_still_refunds_its_number(
    db: Database, clock: ManualClock
) -> None:
    """The leader advances runs; the user's cancel may come through another process, whose
    in-process lock does not wait for the leader's step. The number that step buys after
    the cancel must still be cancelled for its refund, not left live."""
    async with _rig(db, ["1.0"]) as leader:
        replica = _build(leader.found, db)
        balance = leader.found.sandbox(0).balance("alice")
        run = await _recorded_run(leader)
        real_buy = leader.purchases.buy
        entered, release = asyncio.Event(), asyncio.Event()

        async def buy_after_the_cancel(*args: Any, **kwargs: Any) -> PurchaseResult:
            entered.set()  # the step is recorded; its paid call is about to go out
            await release.wait()
            return await real_buy(*args, **kwargs)

        leader.purchases.buy = buy_after_the_cancel  # type: ignore[method-assign]
        step = asyncio.create_task(leader.service.advance(run.run_id))
        await asyncio.wait_for(entered.wait(), 30)
        stopped = await replica.service.cancel(USER, run.run_id)
        release.set()
        await asyncio.wait_for(step, 30)
        await _assert_stopped_with_its_one_number_refunded(leader, clock, stopped, balance)


async def test_the_run_stops_before_a_number_that_would_pass_its_cap(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0"]) as rig:
        price = rig.found.price(0)
        run = await _start(rig, max_tries=5, spend_cap=price * 2 + price / 2)
        for _ in range(4):
            clock.advance(WAIT + 1)
            await rig.service.tick()
        final = await rig.store.get(run.run_id)
        paid = rig.paid_calls()

    assert paid == 2
    assert final.state is RunState.CAPPED and final.tries == 2


async def test_a_restart_after_the_step_was_recorded_buys_once_for_it(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0"]) as rig:
        price = rig.found.price(0)
        run = await _recorded_run(rig)
        begun = await rig.store.begin_step(run, rig.found.key(0), price)
        assert begun is not None
        # The process died after the paid call, before the run learnt of its number.
        await rig.purchases.buy(USER, USER, request(price), step_key(run.run_id, 1),
                                provider=rig.found.key(0))
        resumed = await _after_a_restart(rig, db, run)
        paid = rig.paid_calls()

    assert paid == 1
    assert resumed.tries == 1 and resumed.step_ledger_id is not None
    assert resumed.state is RunState.RUNNING


async def test_a_restart_before_the_steps_paid_call_makes_that_call_once(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0"]) as rig:
        run = await _recorded_run(rig)
        await rig.store.begin_step(run, rig.found.key(0), rig.found.price(0))
        # The process died right after recording the step.
        resumed = await _after_a_restart(rig, db, run)
        paid = rig.paid_calls()

    assert paid == 1
    assert resumed.tries == 1 and resumed.step_ledger_id is not None


async def test_a_refused_purchase_moves_to_the_next_best_provider_without_paying(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0", "0.8"]) as rig:
        for action in ("getNumberV2", "getNumber"):
            rig.found.sandbox(1).inject_fault(action, "reply", body="NO_NUMBERS")
        run = await _start(rig)
        rows = await _rows(rig)
        refused_balance = rig.found.sandbox(1).balance("alice")
        sold = rig.found.bought(0)

    assert run.tries == 2 and run.state is RunState.RUNNING
    assert run.failed_providers == (rig.found.key(1),)
    assert [(p, s) for p, s in rows if s is not ActivationState.FAILED] == [
        (rig.found.key(0), ActivationState.WAITING)
    ]
    assert (refused_balance, sold) == (ALICE_BALANCE, 1)  # the refused call sold nothing


async def test_the_users_spending_cap_stops_the_run(db: Database, clock: ManualClock) -> None:
    async with _rig(db, ["1.0"]) as rig:
        price = rig.found.price(0)
        users = UserStore(db)
        user = await users.ensure(USER)
        await users.set_preferences(USER, replace(user.preferences, daily_cap=price))
        run = await _start(rig)
        first = await rig.ledger.get(run.step_ledger_id or 0)
        assert first is not None
        await rig.ledger.record_sms(first.ledger_id, code="1", text=None)  # charged, not refunded
        await rig.store.stop(run.run_id, RunState.SUCCEEDED, "code")
        second = await _start(rig)
        paid = rig.paid_calls()

    assert second.state is RunState.CAPPED and second.stop_reason == "spending cap"
    assert paid == 1


async def test_a_step_never_pays_more_than_the_price_its_cap_was_checked_against(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0"]) as rig:
        price = rig.found.price(0)
        run = await _recorded_run(rig, max_tries=1)
        # The row the step was checked against said less than the provider asks now (its
        # price rose since the comparison was read).
        await rig.store.begin_step(run, rig.found.key(0), price - Decimal("0.50"))
        await rig.service.tick()
        balance = rig.found.sandbox(0).balance("alice")
        asked = [
            r.params.get("maxPrice") for r in rig.found.sandbox(0).request_log
            if r.action in ("getNumber", "getNumberV2")
        ]

    assert balance == ALICE_BALANCE  # nothing sold above the row's price
    assert asked and all(limit == str(price - Decimal("0.50")) for limit in asked)


async def test_no_step_buys_above_the_users_max_price_per_number(
    db: Database, clock: ManualClock
) -> None:
    # /buy's max price goes with the run: after the cheaper provider failed, the dearer one is
    # passed over (over the max) and the cheaper one is tried again instead.
    async with _rig(db, ["1.0", "0.8"]) as rig:
        cheap = rig.found.key(1)
        run = await _start(rig, max_price=rig.found.price(1))
        for _ in range(4):
            clock.advance(WAIT + 1)
            await rig.service.tick()
        final = await rig.store.get(run.run_id)
        rows = await _rows(rig)

    assert final.state is RunState.EXHAUSTED and final.max_price == rig.found.price(1)
    assert rows == [(cheap, ActivationState.CANCELLED)] * 3
    assert rig.found.bought(0) == 0  # the dearer provider never sold one


async def test_a_run_with_no_offer_under_its_max_price_stops_without_paying(
    db: Database, clock: ManualClock
) -> None:
    async with _rig(db, ["1.0", "0.8"]) as rig:
        run = await _start(rig, max_price=rig.found.price(1) - Decimal("0.01"))
        paid = rig.paid_calls()

    assert run.state is RunState.FAILED and run.stop_reason == "no offer at max price"
    assert paid == 0
