"""Shard leases: every shard has one owner at a time, shares even out, a silent owner's shards
are taken over soon after its lease ends, and it stops acting on them before that."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.cluster.leases import ShardLeases
from storage.db import Database
from storage.events import SHARDS


@pytest.fixture
async def two_databases(pg_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two processes' connections to one database: A's and B's."""
    first_db = await Database.open(pg_url, pool_size=2)
    try:
        second_db = await Database.open(pg_url, pool_size=2)
        try:
            yield first_db, second_db
        finally:
            await second_db.close()
    finally:
        await first_db.close()


def _short_leases(db: Database, owner: str) -> ShardLeases:
    """A process's leases of one second, renewed every 0.2 s: takeovers a test can wait for."""
    return ShardLeases(db, owner, lease_seconds=1.0, renew_every=0.2, margin=0.2)


async def test_one_process_owns_every_shard_and_a_second_gets_its_share(
    two_databases: tuple[Database, Database],
) -> None:
    first_db, second_db = two_databases
    a, b = _short_leases(first_db, "A"), _short_leases(second_db, "B")
    assert len(await a.renew()) == SHARDS
    assert await b.renew() == frozenset()  # nothing has expired yet
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        owned_a, owned_b = await a.renew(), await b.renew()
        assert not owned_a & owned_b  # never two owners at once
        if len(owned_a) == len(owned_b) == SHARDS // 2:
            break
        await asyncio.sleep(0.1)
    assert (len(a.owned()), len(b.owned())) == (32, 32)


async def test_a_silent_owner_stops_before_its_shards_are_taken_over(
    two_databases: tuple[Database, Database],
) -> None:
    first_db, second_db = two_databases
    a, b = _short_leases(first_db, "A"), _short_leases(second_db, "B")
    await a.renew()
    silent_at = time.monotonic()  # A is stopped (SIGSTOP): it renews no more
    while True:
        owned_b = await b.renew()
        # Whenever B owns a shard, A (resuming now) would not act on it.
        assert not owned_b & a.owned()
        if len(owned_b) == SHARDS:
            break
        assert time.monotonic() - silent_at < 5, "the shards were not taken over"
        await asyncio.sleep(0.05)
    took = time.monotonic() - silent_at
    assert took < 1.0 + 1.0  # lease + 1 s
    assert a.owned() == frozenset()
    assert set(b.epochs.values()) == {2}  # a new owner, a new epoch


async def test_a_clean_shutdown_hands_the_shards_over_at_once(
    two_databases: tuple[Database, Database],
) -> None:
    first_db, second_db = two_databases
    a = ShardLeases(first_db, "A", lease_seconds=30.0)
    b = ShardLeases(second_db, "B", lease_seconds=30.0)
    await a.renew()
    await a.release()
    assert a.owned() == frozenset()
    assert len(await b.renew()) == SHARDS
