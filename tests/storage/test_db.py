"""Database: migrations, refusal of newer files, file modes, transactions, concurrent writers."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from storage import sqlite as sqlite_engine
from storage.activations import ActivationLedger
from storage.db import Database, Migration, latest_version, migrations
from storage.errors import MigrationError, SchemaTooNewError, TransactionError
from storage.events import EventOutbox
from storage.users import UserStore

REPO = Path(__file__).resolve().parents[2]


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return {row[0] for row in rows}


async def test_open_migrates_an_empty_file_to_the_latest_version(
    db_path: Path, clock: ManualClock
) -> None:
    async with await Database.open(db_path, clock=clock) as database:
        assert await database.schema_version() == latest_version() >= 2
        rows = await database.fetchall("SELECT version, name FROM schema_version ORDER BY 1")
        assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in migrations()]
        mode = await database.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
    assert {"users", "api_keys", "activations", "rents", "events", "activations_active"} <= (
        _tables(db_path)
    )


async def test_open_upgrades_a_file_written_by_the_previous_version(
    db_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The previous release shipped only 0001: let it create and fill the file.
    monkeypatch.setattr(sqlite_engine, "migrations", lambda: migrations()[:1])
    async with await Database.open(db_path, clock=clock) as old:
        assert await old.schema_version() == 1
        intent = await ActivationLedger(old).record_intent(
            idempotency_key="v1", user_id=7, chat_id=7, provider="sms-activate", service="tg"
        )
        # As that release confirmed it (today's confirm_intent writes columns 0001 lacks).
        async with old.transaction() as tx:
            await tx.execute(
                "UPDATE activations SET state = 'waiting', activation_id = '555',"
                " phone = '79990000000', cost = '9.90' WHERE id = ?",
                (intent.ledger_id,),
            )
    assert "events" not in _tables(db_path)
    monkeypatch.undo()

    async with await Database.open(db_path, clock=clock) as database:
        assert await database.schema_version() == latest_version()
        ledger = ActivationLedger(database)
        [watched] = await ledger.load_active()
        assert (watched.activation_id, watched.user_id) == ("555", 7)
        assert (await ledger.for_user(7, "555")).cost == Decimal("9.90")  # type: ignore[union-attr]
        outbox = EventOutbox(database)
        assert await outbox.add(kind="k", user_id=7, chat_id=7, payload={}, dedup_key="d")


async def test_a_file_from_a_newer_version_is_refused_untouched(
    db_path: Path, clock: ManualClock
) -> None:
    await (await Database.open(db_path, clock=clock)).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future', 0)")
    with pytest.raises(SchemaTooNewError) as caught:
        await Database.open(db_path, clock=clock)
    assert "99" in str(caught.value) and str(latest_version()) in str(caught.value)
    assert (caught.value.found, caught.value.known) == (99, latest_version())
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (99,)


async def test_a_failing_migration_rolls_back_and_keeps_the_last_good_version(
    db_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Migration(
        latest_version() + 1, "broken", "CREATE TABLE half (x);\nINSERT INTO nope VALUES (1);"
    )
    monkeypatch.setattr(sqlite_engine, "migrations", lambda: (*migrations(), broken))
    with pytest.raises(MigrationError, match="broken"):
        await Database.open(db_path, clock=clock)
    monkeypatch.undo()
    async with await Database.open(db_path, clock=clock) as database:
        assert await database.schema_version() == latest_version()
    assert "half" not in _tables(db_path)


async def test_database_and_wal_files_are_private_whatever_the_umask(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "fresh" / "bot.sqlite3"
    previous = os.umask(0)
    try:
        async with await Database.open(path, clock=clock) as database:
            await UserStore(database).ensure(1)
            for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"):
                assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        os.umask(previous)


async def test_an_existing_world_readable_file_is_tightened(
    db_path: Path, clock: ManualClock
) -> None:
    await (await Database.open(db_path, clock=clock)).close()
    os.chmod(db_path, 0o644)
    async with await Database.open(db_path, clock=clock):
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


async def test_a_transaction_commits_all_or_nothing(db: Database) -> None:
    users = UserStore(db)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await users.set_language(1, "en")
            await users.set_language(2, "ru")
            raise RuntimeError("crash before commit")
    assert await users.get(1) is None and await users.get(2) is None
    async with db.transaction():
        await users.set_language(1, "en")
        await users.set_language(2, "ru")
    assert (await users.get(2)).language == "ru"  # type: ignore[union-attr]


async def test_other_tasks_see_only_committed_writes(db: Database) -> None:
    users = UserStore(db)
    written, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await users.set_language(1, "en")
            assert await users.get(1) is not None  # its own write, through the writer
            written.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    assert await users.get(1) is None  # uncommitted: the reader does not see it
    release.set()
    await task
    assert await users.get(1) is not None


async def test_a_durable_write_cannot_join_a_non_durable_transaction(db: Database) -> None:
    ledger = ActivationLedger(db)
    with pytest.raises(TransactionError):
        async with db.transaction():
            await ledger.record_intent(
                idempotency_key="k", user_id=1, chat_id=1, provider="p", service="tg"
            )
    async with db.transaction(durable=True):
        await ledger.record_intent(
            idempotency_key="k", user_id=1, chat_id=1, provider="p", service="tg"
        )
    assert len(await ledger.pending_intents()) == 1


async def test_concurrent_tasks_neither_lose_nor_mix_rows(db: Database) -> None:
    ledger, outbox = ActivationLedger(db), EventOutbox(db)

    async def buyer(task: int) -> None:
        for n in range(20):
            intent = await ledger.record_intent(
                idempotency_key=f"{task}-{n}",
                user_id=task,
                chat_id=task,
                provider="p",
                service="tg",
            )
            await ledger.confirm_intent(
                intent,
                activation_id=f"{task}-{n}",
                phone="7",
                cost=Decimal("0.10"),
                deadline=None,
            )
            async with db.transaction():
                await ledger.record_sms(intent.ledger_id, code=str(n), text=None)
                await outbox.add(
                    kind="sms",
                    user_id=task,
                    chat_id=task,
                    payload={"n": n},
                    dedup_key=f"sms-{task}-{n}",
                )

    await asyncio.gather(*(buyer(task) for task in range(10)))
    counts = await db.fetchone(
        "SELECT (SELECT COUNT(*) FROM activations), (SELECT COUNT(*) FROM activation_sms),"
        " (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM activations"
        "  WHERE state = 'code_received')"
    )
    assert tuple(counts) == (200, 200, 200, 200)  # type: ignore[arg-type]
    for task in range(10):
        assert await ledger.spending_total(task) == Decimal("2.00")


_WRITER = """
import asyncio, os, sys, time
from decimal import Decimal
from storage.db import Database
from storage.activations import ActivationLedger

async def main(path, tag, go):
    async with await Database.open(path) as db:
        ledger = ActivationLedger(db)
        print("ready", flush=True)
        while not os.path.exists(go):
            time.sleep(0.005)
        for n in range(100):
            intent = await ledger.record_intent(
                idempotency_key=f"{tag}-{n}", user_id=1, chat_id=1, provider="p", service="tg")
            await ledger.confirm_intent(intent, activation_id=f"{tag}-{n}", phone="7",
                                        cost=Decimal("1"), deadline=None)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
"""


async def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    # Both processes also race the migrations of a file that does not exist yet.
    path, go = tmp_path / "shared.sqlite3", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _WRITER,
            str(path),
            tag,
            str(go),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        for tag in ("a", "b")
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            # Generous: two interpreters importing and migrating on a loaded 2-core machine.
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            if line != b"ready\n":
                assert process.stderr is not None
                pytest.fail((await process.stderr.read()).decode())
    except BaseException:
        for process in processes:  # never leave a writer waiting for "go" forever
            if process.returncode is None:
                process.kill()
                await process.wait()
        raise
    go.touch()
    results = await asyncio.gather(*(process.communicate() for process in processes))
    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr.decode()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (
            latest_version(),
        )
        assert conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT activation_id) FROM activations"
            " WHERE state = 'waiting'"
        ).fetchone() == (200, 200)


async def test_a_failed_inner_block_is_undone_even_when_the_outer_block_goes_on(
    db: Database,
) -> None:
    users = UserStore(db)
    async with db.transaction():
        await users.set_language(1, "en")
        try:
            async with db.transaction():
                await users.set_language(2, "ru")
                raise ValueError("the inner step fails")
        except ValueError:
            pass  # the caller decides to carry on with the rest
        await users.set_language(3, "es")
    assert [await users.get(n) is not None for n in (1, 2, 3)] == [True, False, True]


async def test_a_read_sees_a_commit_made_while_another_read_was_open(db: Database) -> None:
    """Reads share one connection, and SQLite keeps a connection's snapshot while any of its
    statements is open: a read queued behind a slow one used to see the state from before a
    commit that had already returned (the notifier then sent a delivered code again)."""
    outbox = EventOutbox(db)
    slow = asyncio.create_task(
        db.fetchall(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)"
            " SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM n)"
        )
    )
    await asyncio.sleep(0.01)  # the slow read has begun
    await outbox.add(kind="code", user_id=1, chat_id=1, payload={}, dedup_key="k")
    assert [event.dedup_key for event in await outbox.pending()] == ["k"]
    await slow
