"""What only the PostgreSQL engine does: its migrations runner, advisory locks, placeholders."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from storage import postgres as postgres_module
from storage.db import Database, Migration, latest_version, migrations
from storage.errors import MigrationError, SchemaTooNewError
from storage.postgres import masked_url, to_postgres
from tests import postgres


async def _scalar(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_placeholders_are_numbered_outside_quoted_text() -> None:
    assert to_postgres("SELECT '?', \"a?\", ?, x::text, ? FROM t WHERE y = ?") == (
        "SELECT '?', \"a?\", $1, x::text, $2 FROM t WHERE y = $3"
    )
    assert to_postgres("WHERE a = :user AND (CAST(:p AS TEXT) IS NULL OR b = :p)") == (
        "WHERE a = $1 AND (CAST($2 AS TEXT) IS NULL OR b = $2)"
    )


def test_the_password_is_masked_in_the_url_shown() -> None:
    assert masked_url("postgresql://bot:s3cret@db:5432/x") == "postgresql://bot:***@db:5432/x"
    assert masked_url("postgresql://bot@/x?host=/run") == "postgresql://bot@/x?host=/run"


async def test_processes_starting_together_apply_each_migration_once() -> None:
    url = await postgres.create_database(migrated=False)
    try:
        # Separate pools are separate sessions, as separate processes would have.
        opened = await asyncio.gather(*(Database.open(url, pool_size=1) for _ in range(4)))
        for database in opened:
            assert await database.schema_version() == latest_version()
            await database.close()
        rows = await _scalar(url, "SELECT string_agg(version::text, ',') FROM schema_version")
        assert rows == ",".join(str(m.version) for m in migrations("postgres"))
    finally:
        await postgres.drop_database(url)


async def test_a_newer_schema_is_refused_untouched() -> None:
    url = await postgres.create_database()
    try:
        async with await Database.open(url) as database, database.transaction() as tx:
            await tx.execute("INSERT INTO schema_version VALUES (99, 'future', 0)")
        with pytest.raises(SchemaTooNewError) as caught:
            await Database.open(url)
        assert (caught.value.found, caught.value.known) == (99, latest_version())
        assert await _scalar(url, "SELECT MAX(version) FROM schema_version") == 99
    finally:
        await postgres.drop_database(url)


async def test_a_failing_migration_rolls_back_and_keeps_the_last_good_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = await postgres.create_database()
    broken = Migration(
        latest_version() + 1, "broken", "CREATE TABLE half (x INT);\nINSERT INTO nope VALUES (1);"
    )
    monkeypatch.setattr(
        postgres_module, "migrations", lambda dialect: (*migrations(dialect), broken)
    )
    try:
        with pytest.raises(MigrationError, match="broken"):
            await Database.open(url)
        assert await _scalar(url, "SELECT MAX(version) FROM schema_version") == latest_version()
        assert await _scalar(url, "SELECT to_regclass('half')::text") is None
    finally:
        await postgres.drop_database(url)


async def test_an_advisory_lock_excludes_another_process_until_released() -> None:
    url = await postgres.create_database()
    first, second = await Database.open(url), await Database.open(url)
    try:
        entered = asyncio.Event()

        async def contender() -> None:
            async with second.lock("purchase:1"):
                entered.set()

        async with first.lock("purchase:1"):
            task = asyncio.create_task(contender())
            # Wait until the server shows the other session queued on the lock (no event
            # crosses sessions, so ask the server again every 20 ms).
            while not await second.fetchone(  # noqa: ASYNC110
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ):
                await asyncio.sleep(0.02)
            assert not entered.is_set()
            async with second.lock("purchase:2"):  # another user's lock is free meanwhile
                pass
        await asyncio.wait_for(task, 10)
        assert entered.is_set()
    finally:
        await first.close()
        await second.close()


async def test_nested_locks_of_many_tasks_never_wait_for_a_free_connection() -> None:
    url = await postgres.create_database()
    database = await Database.open(url, pool_size=2)
    try:
        async def purchase(user: int) -> None:
            async with database.lock(f"purchase:{user}"), database.lock("reconciliation"):
                await database.fetchone("SELECT 1")

        await asyncio.wait_for(asyncio.gather(*(purchase(user) for user in range(20))), 30)
    finally:
        await database.close()


async def test_two_processes_writing_at_once_on_a_new_database_lose_nothing() -> None:
    # Both processes also race the migrations of a database that has no tables yet.
    url = await postgres.create_database(migrated=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", _WRITER, url, tag,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
            )
            for tag in ("a", "b")
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in processes)), 120
        )
        for process, (_, stderr) in zip(processes, results, strict=True):
            assert process.returncode == 0, stderr.decode()
        assert await _scalar(url, "SELECT MAX(version) FROM schema_version") == latest_version()
        assert await _scalar(
            url,
            "SELECT COUNT(*) || '/' || COUNT(DISTINCT activation_id) FROM activations"
            " WHERE state = 'waiting'",
        ) == "200/200"
    finally:
        await postgres.drop_database(url)


REPO = Path(__file__).resolve().parents[2]
_WRITER = """
import asyncio, sys
from decimal import Decimal
from storage.db import Database
from storage.activations import ActivationLedger

async def main(url, tag):
    async with await Database.open(url, pool_size=2) as db:
        ledger = ActivationLedger(db)
        for n in range(100):
            intent = await ledger.record_intent(
                idempotency_key=f"{tag}-{n}", user_id=1, chat_id=1, provider="p", service="tg")
            await ledger.confirm_intent(intent, activation_id=f"{tag}-{n}", phone="7",
                                        cost=Decimal("1"), deadline=None)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_a_statement_longer_than_the_timeout_is_cut_off() -> None:
    url = await postgres.create_database()
    try:
        async with await Database.open(url, statement_timeout=0.2, pool_size=1) as database:
            with pytest.raises(asyncpg.QueryCanceledError):
                await database.fetchone("SELECT pg_sleep(5)")
            assert await database.fetchone("SELECT 1") == (1,)  # the pool carries on
    finally:
        await postgres.drop_database(url)
