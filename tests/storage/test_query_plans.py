"""The hot queries use their partial indexes: their cost follows the live rows, not the history."""

from __future__ import annotations

import pytest

from storage import activations, events, rents
from storage.db import Database


@pytest.mark.parametrize(
    ("query", "params", "index"),
    [
        (activations._LOAD_ACTIVE, (), "activations_active"),
        (activations.ActivationLedger._pending, (0.0,), "activations_pending"),
        (rents._LOAD_ACTIVE, (), "rents_active"),
        (rents.RentLedger._pending, (0.0,), "rents_pending"),
        (events._PENDING, (0.0, 100), "events_pending"),
    ],
)
@pytest.mark.parametrize("engine", ["sqlite"])  # EXPLAIN QUERY PLAN is SQLite's
async def test_the_query_uses_its_index_without_a_scan_or_a_sort(
    db: Database, query: str, params: tuple[object, ...], index: str
) -> None:
    plan = [str(row[3]) for row in await db.fetchall(f"EXPLAIN QUERY PLAN {query}", params)]
    assert any(index in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # ordered by the index itself
