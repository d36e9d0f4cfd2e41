"""CodeRateStore: counts of numbers bought and of codes received, per provider, from the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from storage.activations import ActivationLedger
from storage.code_rates import _ROWS, CodeRateStore
from storage.db import Database
from tests.storage.ledger_seed import bought


async def test_counts_codes_and_median_per_provider(db: Database, clock: ManualClock) -> None:
    start = clock.now()
    for seconds in (10, 30, 50):
        await bought(db, provider="a", coded=True, seconds=seconds)
    await bought(db, provider="a", coded=False, seconds=300)
    await bought(db, provider="b", coded=False, seconds=200)
    await bought(db, provider="b", coded=True, seconds=20)

    rates = await CodeRateStore(db).rates("tg", 6, since=start)

    a, b = rates["a"], rates["b"]
    assert (a.bought, a.coded, a.median_seconds, a.lost_seconds) == (4, 3, 30.0, 300.0)
    assert (b.bought, b.coded, b.median_seconds, b.lost_seconds) == (2, 1, 20.0, 200.0)
    assert a.rate == 0.75


async def test_reads_only_the_window_the_service_the_country_and_settled_numbers(
    db: Database, clock: ManualClock
) -> None:
    await bought(db, provider="a", coded=True)  # before the window
    since = clock.now()
    await bought(db, provider="a", coded=True, service="wa")
    await bought(db, provider="a", coded=True, country=0)
    ledger = ActivationLedger(db)  # a live number without a code: its fate is not known yet
    intent = await ledger.record_intent(
        idempotency_key="live", user_id=1, chat_id=1, provider="a", service="tg", country=6
    )
    await ledger.confirm_intent(
        intent, activation_id="live", phone="1", cost=Decimal(1), deadline=None
    )
    await bought(db, provider="a", coded=False)

    rates = await CodeRateStore(db).rates("tg", 6, since=since)

    assert (rates["a"].bought, rates["a"].coded) == (1, 0)


async def test_an_operator_narrows_the_count(db: Database, clock: ManualClock) -> None:
    since = clock.now()
    await bought(db, provider="a", coded=True, operator="tele")
    await bought(db, provider="a", coded=False, operator="other")

    store = CodeRateStore(db)

    assert (await store.rates("tg", 6, since=since, operator="tele"))["a"].coded == 1
    assert (await store.rates("tg", 6, since=since))["a"].bought == 2


@pytest.mark.parametrize("engine", ["sqlite"])  # EXPLAIN QUERY PLAN is SQLite's
async def test_the_query_uses_the_code_rate_index(db: Database) -> None:
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN " + _ROWS,
        {"service": "tg", "country": 6, "since": 0.0, "operator": None},
    )
    text = " ".join(str(row[-1]) for row in plan)
    assert "activations_code_rate" in text, text
