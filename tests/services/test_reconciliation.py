"""Reconciler: intents left by a crash or a timeout get the outcome the provider knows."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.provider.models import ActiveActivation, RentListItem
from bot.services.reconciliation import CHECKING, ActivationSource, Reconciler
from storage.activations import Activation, ActivationLedger, ActivationState
from storage.db import Database
from storage.rents import Rent, RentLedger, RentState
from tests import postgres

REPO = Path(__file__).resolve().parents[2]
HORIZON = 120.0  # the Reconciler's default: the provider timeout plus a margin


class FakeSource:
    """A provider account as the Reconciler sees it."""

    def __init__(
        self,
        activations: Sequence[ActiveActivation] = (),
        rents: Sequence[RentListItem] = (),
        error: Exception | None = None,
    ) -> None:
        self.activations, self.rents, self.error = list(activations), list(rents), error
        self.calls = 0
        self.cancelled: list[str] = []

    async def get_active_activations(self) -> Sequence[ActiveActivation]:
        self.calls += 1
        if self.error:
            raise self.error
        return self.activations

    async def get_rent_list(self) -> Sequence[RentListItem]:
        self.calls += 1
        if self.error:
            raise self.error
        return self.rents

    async def cancel_rent(self, rent_id: str) -> None:
        self.calls += 1
        self.cancelled.append(rent_id)


def _listed(
    activation_id: str,
    at: float,
    *,
    service: str = "tg",
    country: int | None = 6,
    cost: str = "11.50",
) -> ActiveActivation:
    return ActiveActivation(
        activation_id=activation_id,
        service=service,
        phone=f"62{activation_id}",
        cost=Decimal(cost),
        status="1",
        sms_code=None,
        sms_text=None,
        activation_time=datetime.fromtimestamp(at, UTC),
        country=country,
        country_name=None,
        can_get_another_sms=True,
        repeated=False,
    )


def _reconciler(db: Database, clock: ManualClock, source: ActivationSource | None) -> Reconciler:
    async def source_for(user_id: int, provider: str) -> ActivationSource | None:
        return source

    return Reconciler(
        ActivationLedger(db), RentLedger(db), source_for, clock=clock, locks=db.lock
    )


async def _intent(db: Database, key: str, *, service: str = "tg", user_id: int = 5) -> Activation:
    return await ActivationLedger(db).record_intent(
        idempotency_key=key, user_id=user_id, chat_id=50, provider="p", service=service, country=6
    )


async def _rent_intent(db: Database, key: str, service: str = "full") -> Rent:
    return await RentLedger(db).record_intent(
        idempotency_key=key, user_id=5, chat_id=50, provider="p", service=service, hours=4
    )


async def _unanswered_rent_intent(db: Database, key: str) -> Rent:
    """A rent whose paid call got no answer: the outcome is unknown until reconciled."""
    intent = await _rent_intent(db, key)
    await RentLedger(db).mark_intent_unknown(intent)
    return intent


_CRASHING_BUYER = """
import asyncio, os, signal, sys
from storage.db import Database
from storage.activations import ActivationLedger

async def main(path, key):
    db = await Database.open(path)
    intent = await ActivationLedger(db).record_intent(
        idempotency_key=key, user_id=5, chat_id=50, provider="p", service="tg", country=6)
    print(intent.ledger_id, intent.created_at, flush=True)
    # The paid call would go out here; the process dies before it can confirm anything.
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def _crash_after_intent(path: Path | str, key: str) -> tuple[int, float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CRASHING_BUYER,
        str(path),
        key,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == -signal.SIGKILL, stderr.decode()
    ledger_id, created_at = stdout.split()
    return int(ledger_id), float(created_at)


async def test_an_intent_left_by_a_killed_process_is_resolved(db_target: str) -> None:
    path = db_target  # a SQLite file, or a PostgreSQL database whose client was SIGKILLed
    clock = ManualClock()  # the killed process used the real clock too

    # Run 1: the provider did sell the number before the process died.
    ledger_id, created_at = await _crash_after_intent(path, "tap-1")
    async with await Database.open(path, clock=clock) as db:
        ledger = ActivationLedger(db)
        [pending] = await ledger.pending_intents()
        assert (pending.ledger_id, pending.state) == (ledger_id, ActivationState.INTENT)
        source = FakeSource(
            [
                _listed("111", created_at - 3600),  # older than the intent: someone else's
                _listed("222", created_at + 2, service="wa"),  # another service
                _listed("333", created_at + 2),  # the one
            ]
        )
        report = await _reconciler(db, clock, source).reconcile(min_age=0)
        assert [(r.ledger_id, r.detail) for r in report.confirmed] == [(ledger_id, "333")]
        assert report.failed == report.still_pending == ()
        row = await ledger.get(ledger_id)
        assert row is not None and row.state is ActivationState.WAITING
        assert (row.activation_id, row.phone, row.cost) == ("333", "62333", Decimal("11.50"))
        assert [a.activation_id for a in await ledger.load_active()] == ["333"]

    # Run 2: the process died before the provider sold anything. Right after the restart the
    # provider may still be completing the sale: "checking", not "not bought".
    second_id, _ = await _crash_after_intent(path, "tap-2")
    async with await Database.open(path, clock=clock) as db:
        report = await _reconciler(db, clock, FakeSource()).reconcile(min_age=0)
        assert [(r.ledger_id, r.detail) for r in report.still_pending] == [(second_id, CHECKING)]
        assert report.failed == ()
        clock.advance(HORIZON + 1)  # past the longest a sale can take
        report = await _reconciler(db, clock, FakeSource()).reconcile(min_age=0)
        assert [r.ledger_id for r in report.failed] == [second_id]
        row = await ActivationLedger(db).get(second_id)
        assert row is not None and row.state is ActivationState.FAILED
        assert row.failure_reason is not None and "not bought" in row.failure_reason
        assert await ActivationLedger(db).pending_intents() == []


async def test_a_provider_error_leaves_intents_for_the_next_run(
    db: Database, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    intent = await _intent(db, "k")
    await ActivationLedger(db).mark_intent_unknown(intent)
    failing = FakeSource(error=ConnectionError("https://provider/?api_key=SECRET timed out"))
    report = await _reconciler(db, clock, failing).reconcile(min_age=0)
    assert [r.detail for r in report.still_pending] == ["provider error: ConnectionError"]
    assert "ConnectionError" in caplog.text and "SECRET" not in caplog.text
    assert (await ActivationLedger(db).get(intent.ledger_id)).state is ActivationState.UNKNOWN  # type: ignore[union-attr]

    working = FakeSource([_listed("9", clock.now())])
    report = await _reconciler(db, clock, working).reconcile(min_age=0)
    assert [r.detail for r in report.confirmed] == ["9"]


async def test_without_a_key_nothing_is_decided(db: Database, clock: ManualClock) -> None:
    intent = await _intent(db, "k")
    report = await _reconciler(db, clock, None).reconcile(min_age=0)
    assert [r.ledger_id for r in report.still_pending] == [intent.ledger_id]
    assert len(await ActivationLedger(db).pending_intents()) == 1


async def test_a_purchase_still_in_flight_is_left_alone(db: Database, clock: ManualClock) -> None:
    await _intent(db, "k")
    source = FakeSource()
    reconciler = _reconciler(db, clock, source)
    report = await reconciler.reconcile(min_age=60)
    assert report.failed == report.confirmed == report.still_pending == ()
    assert source.calls == 0
    # Its paid call is waiting for the answer in this process: left alone, whatever its age.
    reconciler.in_flight = lambda user_id: user_id == 5
    clock.advance(HORIZON + 1)
    report = await reconciler.reconcile(min_age=60)
    assert report.failed == report.confirmed == report.still_pending == ()
    assert source.calls == 0
    reconciler.in_flight = lambda user_id: False
    report = await reconciler.reconcile(min_age=60)
    assert len(report.failed) == 1


async def test_known_activations_are_never_claimed_and_each_is_used_once(
    db: Database, clock: ManualClock
) -> None:
    ledger = ActivationLedger(db)
    bought = await _intent(db, "bought")
    await ledger.confirm_intent(
        bought, activation_id="100", phone="1", cost=Decimal(1), deadline=None
    )
    first, second, third = [await _intent(db, k) for k in ("a", "b", "c")]
    source = FakeSource(
        [
            _listed("100", clock.now()),  # already in the ledger
            _listed("102", clock.now() + 5),
            _listed("101", clock.now() + 1),
        ]
    )
    report = await _reconciler(db, clock, source).reconcile(min_age=0)
    # Oldest intent to the earliest activation; the third finds none left (yet).
    assert [(r.ledger_id, r.detail) for r in report.confirmed] == [
        (first.ledger_id, "101"),
        (second.ledger_id, "102"),
    ]
    assert [r.ledger_id for r in report.still_pending] == [third.ledger_id]


async def test_clock_skew_is_tolerated_but_older_activations_are_not_taken(
    db: Database, clock: ManualClock
) -> None:
    intent = await _intent(db, "k")
    source = FakeSource(
        [_listed("1", intent.created_at - 600), _listed("2", intent.created_at - 60)]
    )
    report = await _reconciler(db, clock, source).reconcile(min_age=0)
    assert [r.detail for r in report.confirmed] == ["2"]


async def test_rents_are_paired_only_when_unambiguous(db: Database, clock: ManualClock) -> None:
    rents = RentLedger(db)

    async def rent_intent(key: str, service: str = "full") -> int:
        return (await _rent_intent(db, key, service)).ledger_id

    known = await _rent_intent(db, "known")
    await rents.confirm_intent(known, rent_id="1", phone="1", end_date=0, cost=Decimal(5))
    lone = await rent_intent("lone")
    listed = [RentListItem("1", "79000000001"), RentListItem("2", "79000000002")]
    report = await _reconciler(db, clock, FakeSource(rents=listed)).reconcile(min_age=0)
    assert [(r.kind, r.ledger_id, r.detail) for r in report.confirmed] == [("rent", lone, "2")]
    rent = await rents.get(lone)
    assert rent is not None and rent.state is RentState.ACTIVE
    assert rent.cost is None and rent.end_date == rent.created_at + 4 * 3600

    # Two different intents and two unknown rents: which is which cannot be known.
    tg, wa = await rent_intent("tg", "tg"), await rent_intent("wa", "wa")
    listed += [RentListItem("3", "3"), RentListItem("4", "4")]
    report = await _reconciler(db, clock, FakeSource(rents=listed)).reconcile(min_age=0)
    assert {r.ledger_id for r in report.still_pending} == {tg, wa}
    assert "ambiguous" in report.still_pending[0].detail

    # The provider lists nothing new, past the longest a rent can take: nothing was rented.
    report = await _reconciler(db, clock, FakeSource(rents=listed[:2])).reconcile(min_age=0)
    assert {r.ledger_id for r in report.still_pending} == {tg, wa}
    clock.advance(HORIZON + 1)
    report = await _reconciler(db, clock, FakeSource(rents=listed[:2])).reconcile(min_age=0)
    assert {r.ledger_id for r in report.failed} == {tg, wa}


async def test_a_rent_that_turns_up_after_not_rented_is_adopted_and_cancelled(
    db: Database, clock: ManualClock
) -> None:
    intent = await _unanswered_rent_intent(db, "r")
    source = FakeSource()
    reconciler = _reconciler(db, clock, source)
    report = await reconciler.reconcile()
    assert [(r.ledger_id, r.detail) for r in report.still_pending] == [(intent.ledger_id, CHECKING)]
    clock.advance(HORIZON + 1)
    report = await reconciler.reconcile()
    assert [r.ledger_id for r in report.failed] == [intent.ledger_id]

    source.rents = [RentListItem("9", "79000000009")]  # the provider rented after all
    report = await reconciler.reconcile()
    assert [(r.kind, r.ledger_id, r.detail) for r in report.adopted] == [
        ("rent", intent.ledger_id, "9")
    ]
    assert source.cancelled == ["9"]
    row = await RentLedger(db).get(intent.ledger_id)
    assert row is not None and (row.state, row.rent_id) == (RentState.CANCELLED, "9")
    assert (await reconciler.reconcile()).adopted == ()


async def test_an_activation_sold_after_not_bought_is_adopted_for_cancellation_once(
    db: Database, clock: ManualClock
) -> None:
    ledger = ActivationLedger(db)
    intent = await _intent(db, "k")
    source = FakeSource()
    reconciler = _reconciler(db, clock, source)
    clock.advance(HORIZON + 1)
    assert [r.ledger_id for r in (await reconciler.reconcile()).failed] == [intent.ledger_id]
    source.activations = [_listed("5", clock.now())]
    report = await reconciler.reconcile()
    assert [(r.ledger_id, r.detail) for r in report.adopted] == [(intent.ledger_id, "5")]
    row = await ledger.get(intent.ledger_id)
    assert row is not None and row.state is ActivationState.WAITING
    assert row.cancel_at == clock.now()  # the watcher cancels it for the refund
    assert (await reconciler.reconcile()).adopted == ()
    # Past the window, nothing is looked for any more.
    other = await _intent(db, "k2")
    clock.advance(HORIZON + 1)
    await reconciler.reconcile()
    clock.advance(20 * 60 + 1)
    source.calls = 0
    source.activations = [_listed("6", clock.now())]
    report = await reconciler.reconcile()
    assert report.adopted == () and source.calls == 0
    assert (await ledger.get(other.ledger_id)).state is ActivationState.FAILED  # type: ignore[union-attr]


async def test_a_purchase_started_while_the_provider_is_asked_keeps_its_own_number(
    db: Database, clock: ManualClock
) -> None:
    """A failed intent's window must not take a new purchase's number: the user started one
    while the periodic run was reading the provider's list, and that list already shows it."""
    old = await _intent(db, "old")
    source = FakeSource()
    reconciler = _reconciler(db, clock, source)
    clock.advance(HORIZON + 1)
    await reconciler.reconcile()  # "not bought"; looked for again from now on
    buying = False

    class Racing(FakeSource):
        async def get_active_activations(self) -> Sequence[ActiveActivation]:
            nonlocal buying
            buying = True  # the user's new purchase takes its lock now, and sells at once
            return [_listed("new", clock.now())]

    racing = _reconciler(db, clock, Racing())
    racing.in_flight = lambda user_id: buying
    report = await racing.reconcile()
    assert report.adopted == report.confirmed == ()
    row = await ActivationLedger(db).get(old.ledger_id)
    assert row is not None and row.state is ActivationState.FAILED


async def test_a_purchase_another_process_starts_while_the_provider_is_asked_keeps_its_number(
    db: Database, clock: ManualClock
) -> None:
    """With several processes, the leader's run cannot see another process's paid call in
    flight: the new purchase's intent, written before its paid call, must stop the run from
    adopting its number onto an older failed intent (and cancelling it)."""
    ledger = ActivationLedger(db)
    old = await _intent(db, "old")
    reconciler = _reconciler(db, clock, FakeSource())
    clock.advance(HORIZON + 1)
    await reconciler.reconcile()  # "not bought"; looked for again from now on
    bought: list[Activation] = []

    class Racing(FakeSource):
        async def get_active_activations(self) -> Sequence[ActiveActivation]:
            # Another process records the user's new purchase and the provider sells it.
            bought.append(await _intent(db, "new"))
            return [_listed("new", clock.now())]

    leader = _reconciler(db, clock, Racing())  # in_flight: False, the purchase is not its own
    report = await leader.reconcile()
    assert report.adopted == ()
    # The other process records its sale.
    [new] = bought
    confirmed = await ledger.confirm_intent(
        new, activation_id="new", phone="62new", cost=Decimal("11.50"), deadline=None
    )
    assert confirmed.state is ActivationState.WAITING and confirmed.cancel_at is None
    row = await ledger.get(old.ledger_id)
    assert row is not None and row.state is ActivationState.FAILED


async def test_a_rent_another_process_starts_while_the_provider_is_asked_is_not_cancelled(
    db: Database, clock: ManualClock
) -> None:
    old = await _unanswered_rent_intent(db, "r-old")
    clock.advance(HORIZON + 1)
    await _reconciler(db, clock, FakeSource()).reconcile()  # "not rented"
    bought: list[object] = []

    class Racing(FakeSource):
        async def get_rent_list(self) -> Sequence[RentListItem]:
            bought.append(await _rent_intent(db, "r-new"))
            return [RentListItem("9", "79000000009")]

    source = Racing()
    report = await _reconciler(db, clock, source).reconcile()
    assert report.adopted == () and source.cancelled == []
    row = await RentLedger(db).get(old.ledger_id)
    assert row is not None and row.state is RentState.FAILED


async def _until_a_session_waits_for_a_lock(db: Database) -> None:
    while not await db.fetchone(  # noqa: ASYNC110 - no event crosses sessions
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    ):
        await asyncio.sleep(0.02)


async def test_reconciliations_of_two_processes_on_postgresql_run_one_at_a_time() -> None:
    url = await postgres.create_database()
    first, second = await Database.open(url), await Database.open(url)  # two sessions
    try:
        clock = ManualClock()
        await _intent(first, "tap-1")
        clock.advance(HORIZON + 1)  # past the time a sale may still be under way
        entered, release = asyncio.Event(), asyncio.Event()

        class SlowSource(FakeSource):
            async def get_active_activations(self) -> Sequence[ActiveActivation]:
                entered.set()
                await release.wait()
                return await super().get_active_activations()

        slow, other = SlowSource(), FakeSource()
        running = asyncio.create_task(_reconciler(first, clock, slow).reconcile(min_age=0))
        await entered.wait()
        waiting = asyncio.create_task(_reconciler(second, clock, other).reconcile(min_age=0))
        # The second waits on the server for the first's advisory lock.
        await asyncio.wait_for(_until_a_session_waits_for_a_lock(second), 10)
        assert not waiting.done() and other.calls == 0
        release.set()
        assert [r.ledger_id for r in (await running).failed] != []
        second_report = await asyncio.wait_for(waiting, 10)
        assert second_report.failed == () and second_report.confirmed == ()  # nothing left
        # It may ask once more, for a late sale of the failed one: never before the first ended.
        assert other.calls <= 1
    finally:
        await first.close()
        await second.close()
