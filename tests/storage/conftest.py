"""Fixtures for the storage tests: a real database on each engine and a frozen clock.

``db`` runs a test twice: on a SQLite file in tmp_path and on a fresh PostgreSQL database
(skipped, with one reason in the summary, when no server is configured: see tests/postgres.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from storage.db import Database
from tests import postgres

T0 = 1_700_000_000.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "smsbot.sqlite3"


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine a test runs on."""
    if request.param == "postgres":
        postgres.require()
    return str(request.param)


@pytest.fixture
async def db_target(engine: str, db_path: Path) -> AsyncIterator[str]:
    """What to pass to Database.open: a SQLite path, or the URL of a fresh migrated database."""
    if engine == "sqlite":
        yield str(db_path)
        return
    url = await postgres.create_database()
    try:
        yield url
    finally:
        await postgres.drop_database(url)


@pytest.fixture
async def db(db_target: str, clock: ManualClock) -> AsyncIterator[Database]:
    database = await Database.open(db_target, clock=clock, pool_size=4)
    try:
        yield database
    finally:
        await database.close()

