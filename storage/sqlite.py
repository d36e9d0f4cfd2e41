"""The SQLite engine of :class:`storage.db.Database` (the default).

SQLite connections. The process holds two aiosqlite connections to the one file:

* the **writer**, shared by every store. Writes happen only inside
  ``async with db.transaction():`` (``BEGIN IMMEDIATE``), and an :class:`asyncio.Lock` lets one
  transaction run at a time, so statements of concurrent tasks never interleave inside another
  task's transaction. Other processes are kept out by SQLite's own lock, with a busy timeout.
* a **reader** (``query_only``), so queries outside a transaction never wait for a writer: WAL
  lets a reader see the last committed state while a write is in progress. A task that holds
  the transaction reads through the writer instead, so it sees its own uncommitted rows.

Durability. ``synchronous=NORMAL`` is the default: in WAL mode a commit survives the process
being killed at any instant, and only an OS crash or power loss may undo the last few commits.
That is acceptable for SMS records, events and UI state, which the watcher re-derives from the
provider. It is not acceptable for money: an intent lost after the paid call was sent means a
purchase the bot never hears of. So ``transaction(durable=True)`` switches to
``synchronous=FULL`` for that commit, which syncs the WAL before returning; the ledgers use it
for every intent and outcome. (SQLite cannot change the level inside a transaction, so a durable
write may not join a non-durable transaction: open the outer one with ``durable=True``.)

Files. The database file is created with mode 0600 before SQLite opens it; SQLite creates the
``-wal`` and ``-shm`` files with the database file's mode, whatever the umask, and they are
chmod-ed again after opening for files left by an older version. Deleted rows are overwritten
(``secure_delete``), so a deleted API key's ciphertext does not linger in free pages.

Logs. aiosqlite logs each statement's parameters at DEBUG; a filter on its logger, installed
when this module is imported, cuts every record down to the call's name, so no SMS code or
typed text reaches a log whatever the level.

Migrations. The scripts of :func:`storage.db.migrations` are applied in order at open, each in
its own ``BEGIN IMMEDIATE`` transaction together with its row in ``schema_version``, so
processes opening an old database at once apply each migration once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path

import aiosqlite

from bot.core.clock import Clock, SystemClock
from storage.db import Database, Dialect, InProcessLocks, Params, Row, Transaction, migrations
from storage.errors import (
    IntegrityError,
    MigrationError,
    SchemaTooNewError,
    StorageError,
)
from storage.private_files import create_private_file, tighten
from storage.sqlite_logs import keep_parameters_out_of_logs

_LOG = logging.getLogger(__name__)



class _SQLiteTransaction(Transaction):
    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        try:
            async with self._conn.execute(sql, params) as cursor:
                return cursor.rowcount
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            async with self._conn.executemany(sql, rows):
                pass
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        try:
            async with self._conn.execute(sql, params) as cursor:
                row: sqlite3.Row | None = await cursor.fetchone()
                # Drain the statement so a RETURNING write is complete before the next one runs.
                await cursor.fetchall()
                return row
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class SQLiteDatabase(Database):
    """The SQLite engine: one file, a writer and a reader connection (see the module docstring).

    Attributes:
        path: the database file.
        clock: the clock every store of this database reads "now" from.
    """

    dialect: Dialect = "sqlite"
    __slots__ = (
        "_depth",
        "_durable",
        "_lock",
        "_locks",
        "_owner",
        "_read_lock",
        "_reader",
        "_tx",
        "_writer",
        "clock",
        "path",
    )

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        clock: Clock,
    ) -> None:
        self.path = path
        self.clock = clock
        self._writer = writer
        self._reader = reader
        self._tx = _SQLiteTransaction(writer)
        self._lock = asyncio.Lock()
        self._locks = InProcessLocks()
        # SQLite keeps a connection's read snapshot while ANY of its statements is open, and
        # an aiosqlite cursor stays open between execute and fetch: a read that interleaved
        # with another one on the shared reader saw the state from before commits that had
        # already returned. One read at a time on the reader; each sees the last commit.
        self._read_lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._durable = False
        self._depth = 0  # savepoints open inside the transaction

    @classmethod
    async def open_file(
        cls, path: str | os.PathLike[str], *, clock: Clock | None = None, busy_timeout: float = 5.0
    ) -> SQLiteDatabase:
        """Opens (creating if needed) the database file and migrates it to the latest version.

        Args:
            path: the SQLite file. Its folder is created (mode 0700) when missing.
            clock: the source of "now" for the stores; the system clock by default.
            busy_timeout: seconds to wait for another process's write lock before failing.

        Raises:
            SchemaTooNewError: the file was migrated by a newer smsbot.
            MigrationError: a migration failed (the file stays at the last good version).
        """
        file = Path(path)
        create_private_file(file, _LOG)
        # timeout= installs the busy handler before the first statement: the WAL switch of a
        # new file takes a lock another process opening it at the same moment may hold.
        writer = await aiosqlite.connect(file, isolation_level=None, timeout=busy_timeout)
        reader: aiosqlite.Connection | None = None
        try:
            writer.row_factory = sqlite3.Row
            mode = await _enable_wal(writer, busy_timeout)
            if mode != "wal":
                raise StorageError(f"SQLite refused WAL mode for {file}")
            for pragma in (
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA secure_delete=ON",
            ):
                await writer.execute(pragma)
            await _migrate(writer, (clock or SystemClock()).now())
            _tighten_companions(file)
            reader = await aiosqlite.connect(file, isolation_level=None, timeout=busy_timeout)
            reader.row_factory = sqlite3.Row
            await reader.execute("PRAGMA query_only=ON")
        except BaseException:
            if reader is not None:
                await reader.close()
            await writer.close()
            raise
        return cls(file, writer, reader, clock or SystemClock())

    async def close(self) -> None:
        """Waits for the running transaction, then closes both connections.

        Closing the last connection checkpoints the WAL into the main file and removes it.
        """
        async with self._lock:
            await self._reader.close()
            await self._writer.close()

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return _as_none(self._locks(key))

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Transaction]:
        """A write transaction: everything in the block commits together or not at all.

        It begins with ``BEGIN IMMEDIATE``, so the write lock is taken at the start and the
        block never fails half-way for lack of it. Leaving the block normally commits; an
        exception (including cancellation) rolls back and propagates.

        A task already inside a transaction joins it, as a savepoint: the stores open their own
        ``transaction()`` for every write, so a caller can group several store calls (record an
        SMS and its event) simply by wrapping them in one outer block, and an exception that
        leaves an inner block undoes that block's writes even if the outer block catches it.
        Another task waits until the transaction ends; a task that awaits a child task which
        writes, while holding the transaction, therefore deadlocks.

        Args:
            durable: commit with ``synchronous=FULL`` (see the module docstring).

        Raises:
            TransactionError: a durable block tried to join a non-durable transaction.
        """
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            self._depth += 1
            try:
                async with self._nested(
                    self._writer.execute,
                    self._depth,
                    durable=durable,
                    joined_durable=self._durable,
                    still_open=lambda: self._writer.in_transaction,
                ):
                    yield self._tx
            finally:
                self._depth -= 1
            return
        async with self._lock:
            if durable:
                await self._writer.execute("PRAGMA synchronous=FULL")
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                self._owner = task
                self._durable = durable
                try:
                    yield self._tx
                except BaseException:
                    await self._rollback()
                    raise
                try:
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
            finally:
                self._owner = None
                self._durable = False
                if durable:
                    await self._writer.execute("PRAGMA synchronous=NORMAL")

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Runs a query and returns its first row (see :meth:`fetchall` for which connection).

        Meant for lookups of one row (by key, or an aggregate): every row is fetched.
        """
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Runs a query and returns every row.

        Inside the caller's own transaction the query runs on the writer and sees the
        transaction's uncommitted writes; elsewhere it runs on the reader and sees the last
        committed state.
        """
        connection = self._reading_connection()
        # One trip to the connection's thread (execute, fetch and close a cursor are three):
        # under a burst of updates the reader is the queue, and each trip also waits for a
        # turn of the busy event loop.
        async with self._guard(connection):
            return list(await connection.execute_fetchall(sql, params))

    def _reading_connection(self) -> aiosqlite.Connection:
        if self._owner is not None and self._owner is asyncio.current_task():
            return self._writer
        return self._reader

    def _guard(self, connection: aiosqlite.Connection) -> AbstractAsyncContextManager[object]:
        # The writer is already the transaction owner's alone.
        return self._read_lock if connection is self._reader else nullcontext()

    async def _rollback(self) -> None:
        # SQLite rolls back by itself after some errors (a full disk); a second ROLLBACK would
        # raise and hide the original error.
        if self._writer.in_transaction:
            await self._writer.execute("ROLLBACK")


@asynccontextmanager
async def _as_none(lock: asyncio.Lock) -> AsyncIterator[None]:
    async with lock:
        yield


keep_parameters_out_of_logs()


async def _enable_wal(writer: aiosqlite.Connection, busy_timeout: float) -> str:
    """Switches to WAL, retrying while another process holds the lock.

    SQLite may answer "database is locked" to a journal-mode change at once, without calling
    the busy handler (two connections switching a new file at the same moment), so the wait
    is done here, up to ``busy_timeout``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + busy_timeout
    delay = 0.01
    while True:
        try:
            async with writer.execute("PRAGMA journal_mode=WAL") as cursor:
                row = await cursor.fetchone()
            return "" if row is None else str(row[0]).lower()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or loop.time() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)


def _tighten_companions(file: Path) -> None:
    for suffix in ("-wal", "-shm"):
        tighten(file.with_name(file.name + suffix), _LOG)


async def _migrate(conn: aiosqlite.Connection, now: float) -> None:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " applied_at REAL NOT NULL)"
    )
    known = migrations()
    current = await _current_version(conn)
    if current > known[-1].version:
        raise SchemaTooNewError(current, known[-1].version)
    for migration in known:
        if migration.version <= current:
            continue
        # The version row goes first: if another process applied this migration meanwhile,
        # its primary key fails before any DDL runs, and we simply move on.
        script = (
            "BEGIN IMMEDIATE;\n"
            "INSERT INTO schema_version (version, name, applied_at) VALUES "
            f"({migration.version}, '{migration.name}', {now!r});\n"
            f"{migration.sql}\n;\nCOMMIT;"
        )
        try:
            await conn.executescript(script)
        except sqlite3.Error as error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            if await _current_version(conn) >= migration.version:
                continue
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {error}"
            ) from error
        _LOG.info("database migrated to version %d (%s)", migration.version, migration.name)


async def _current_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cursor:
        row = await cursor.fetchone()
    return 0 if row is None else int(row[0])
