"""The PostgreSQL engine: :class:`PostgresDatabase` on an asyncpg pool, and its migrations runner.

Connections. A pool of at most ``pool_size`` connections serves every query and transaction; a
transaction holds one connection from its first statement to its commit, so transactions of
different tasks (and processes) run at the same time, each at READ COMMITTED. The stores' writes
that decide money are single conditional statements (``UPDATE … WHERE state IN …``, ``INSERT …
ON CONFLICT DO NOTHING``), which PostgreSQL re-checks row by row after waiting for a lock, so they
keep their meaning without SQLite's one-writer rule. Every statement is cut off by the server
after ``statement_timeout`` seconds.

Durability. A plain transaction commits with ``synchronous_commit = off``: like SQLite's
``synchronous=NORMAL``, it survives the process being killed, and only a server crash may undo
the last few commits. A ``durable=True`` one waits for the WAL flush (the server's default).

Placeholders. Stores write ``?``; :func:`to_postgres` numbers them ``$1, $2…`` once per
statement text (cached), skipping quoted literals (:mod:`storage.postgres_sql`).

Locks. :meth:`PostgresDatabase.lock` takes an in-process :class:`asyncio.Lock`, then a session
advisory lock (``pg_advisory_lock(hashtextextended(key, 0))``) on a connection of a second,
small pool that the critical section keeps to itself; a task that already holds one reuses its
connection, so nested locks (a purchase, then a reconciliation) never wait for a free one. If
the process dies, the session ends and PostgreSQL releases the lock.

Migrations run one per transaction under ``pg_advisory_xact_lock``: processes starting together
queue on it, and each re-reads ``schema_version`` before applying anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import asyncpg.pool

from bot.core.clock import Clock, SystemClock
from storage.db import Database, Dialect, InProcessLocks, Params, Row, Transaction, migrations
from storage.errors import (
    DatabaseUnavailableError,
    IntegrityError,
    MigrationError,
    SchemaTooNewError,
)
from storage.postgres_sql import row_count, statement, to_postgres

__all__ = ["PostgresDatabase", "masked_url", "to_postgres"]

_LOG = logging.getLogger(__name__)
_MIGRATION_LOCK: Final = "smsbot:migrations"
_LOCK_POOL_SIZE: Final = 4
_BEGIN_NOT_DURABLE: Final = "BEGIN; SET LOCAL synchronous_commit TO off"
_Connection: TypeAlias = "asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"


def masked_url(url: str) -> str:
    """The URL with its password replaced by ``***``, fit for a log line or an error."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))
    except ValueError:
        return "<a malformed URL>"


class _PostgresTransaction(Transaction):
    __slots__ = ("_conn",)

    def __init__(self, conn: _Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, arguments = statement(sql, params)
        try:
            return row_count(await self._conn.execute(text, *arguments))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            await self._conn.executemany(
                to_postgres(sql), [statement(sql, row)[1] for row in rows]
            )
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        text, arguments = statement(sql, params)
        try:
            row: Row | None = await self._conn.fetchrow(text, *arguments)
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, arguments = statement(sql, params)
        try:
            rows: list[Row] = list(await self._conn.fetch(text, *arguments))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error
        return rows


@dataclass(slots=True)
class _Open:
    """A task's open transaction."""

    conn: _Connection
    tx: _PostgresTransaction
    durable: bool
    depth: int = 0


@dataclass(slots=True)
class _HeldLocks:
    """A task's lock connection and how many of its locks are held on it."""

    conn: _Connection
    count: int = 0
    keys: list[str] = field(default_factory=list)


class PostgresDatabase(Database):
    """The PostgreSQL engine. Create it with :meth:`Database.open` (or :meth:`connect`).

    Attributes:
        url: the server's URL with the password masked (for messages).
        clock: the clock every store of this database reads "now" from.
    """

    dialect: Dialect = "postgres"
    __slots__ = (
        "_dsn", "_held", "_in_process", "_lock_pool", "_open", "_pool", "clock", "url"
    )

    def __init__(
        self,
        url: str,
        pool: asyncpg.Pool,
        lock_pool: asyncpg.Pool,
        clock: Clock,
        *,
        dsn: str = "",
    ) -> None:
        self.url = url
        self._dsn = dsn
        self.clock = clock
        self._pool = pool
        self._lock_pool = lock_pool
        self._open: dict[asyncio.Task[Any], _Open] = {}
        self._held: dict[asyncio.Task[Any], _HeldLocks] = {}
        self._in_process = InProcessLocks()

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        pool_size: int = 10,
        statement_timeout: float = 30.0,
    ) -> PostgresDatabase:
        """Connects to the server, then migrates the database to the latest version.

        Raises:
            DatabaseUnavailableError: the URL is malformed, or the server cannot be reached or
                refuses us (the message holds the URL with its password masked).
            SchemaTooNewError: the database was migrated by a newer smsbot.
            MigrationError: a migration failed.
        """
        shown = masked_url(url)
        timeout_ms = str(max(1, round(statement_timeout * 1000)))
        pool: asyncpg.Pool | None = None
        lock_pool: asyncpg.Pool | None = None
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, timeout=10, reset=_session_kept,
                server_settings={"statement_timeout": timeout_ms, "application_name": "smsbot"},
            )
            # Waiting for a lock is bounded by its holder's own deadlines, not by this timeout.
            lock_pool = await asyncpg.create_pool(
                url, min_size=0, max_size=max(_LOCK_POOL_SIZE, pool_size), timeout=10,
                server_settings={"statement_timeout": "0", "application_name": "smsbot-locks"},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError,
                TimeoutError) as error:
            for opened in (pool, lock_pool):
                if opened is not None:
                    await opened.close()
            raise DatabaseUnavailableError(
                f"cannot use PostgreSQL at {shown}: {_reason(error, url)}"
            ) from None
        database = cls(shown, pool, lock_pool, clock or SystemClock(), dsn=url)
        try:
            await _migrate(pool, database.clock.now())
        except BaseException:
            await database.close()
            raise
        return database

    async def dedicated_connection(self, purpose: str) -> asyncpg.Connection:
        """A connection of its own, outside both pools, for what must live exactly as long as
        one session: ``LISTEN``, or the leader's session lock (issue 15). The caller closes it.

        Raises:
            DatabaseUnavailableError: the server cannot be reached.
        """
        try:
            conn: asyncpg.Connection = await asyncpg.connect(
                self._dsn, timeout=10,
                server_settings={"statement_timeout": "0", "application_name": f"smsbot-{purpose}"},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            raise DatabaseUnavailableError(
                f"cannot use PostgreSQL at {self.url}: {_reason(error, self._dsn)}"
            ) from None
        return conn

    async def close(self) -> None:
        await self._lock_pool.close()
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Transaction]:
        task = asyncio.current_task()
        assert task is not None
        current = self._open.get(task)
        if current is not None:
            async with self._savepoint(current, durable) as tx:
                yield tx
            return
        async with self._pool.acquire() as conn:
            # One round trip for both (asyncpg's own transaction() would take two).
            await conn.execute("BEGIN" if durable else _BEGIN_NOT_DURABLE)
            opened = _Open(conn, _PostgresTransaction(conn), durable)
            self._open[task] = opened
            try:
                try:
                    yield opened.tx
                except BaseException:
                    # The original error is the one to raise; if the ROLLBACK fails too (a
                    # broken connection), the pool rolls back or drops the connection.
                    with contextlib.suppress(Exception):
                        await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
            finally:
                del self._open[task]

    @asynccontextmanager
    async def _savepoint(self, current: _Open, durable: bool) -> AsyncIterator[Transaction]:
        current.depth += 1
        try:
            async with self._nested(
                current.conn.execute, current.depth, durable=durable, joined_durable=current.durable
            ):
                yield current.tx
        finally:
            current.depth -= 1

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        current = self._open.get(asyncio.current_task())  # type: ignore[arg-type]
        if current is not None:
            return await current.tx.fetchone(sql, params)
        text, arguments = statement(sql, params)
        row: Row | None = await self._pool.fetchrow(text, *arguments)
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        current = self._open.get(asyncio.current_task())  # type: ignore[arg-type]
        if current is not None:
            return await current.tx.fetchall(sql, params)
        text, arguments = statement(sql, params)
        rows: list[Row] = list(await self._pool.fetch(text, *arguments))
        return rows

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return self._advisory(key)

    @asynccontextmanager
    async def _advisory(self, key: str) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None
        async with self._in_process(key):
            held = self._held.get(task)
            if held is None:
                held = self._held[task] = _HeldLocks(await self._lock_pool.acquire())
            held.count += 1
            try:
                await held.conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
                try:
                    yield
                finally:
                    await _unlock(held.conn, key)
            finally:
                held.count -= 1
                if held.count == 0:
                    del self._held[task]
                    await self._lock_pool.release(held.conn)


async def _session_kept(conn: asyncpg.Connection) -> None:
    """The pool's reset for query connections: asyncpg's default ("RESET ALL", "UNLISTEN *",
    …) is one more round trip on every release, and these sessions change nothing that
    outlives a transaction (``SET LOCAL`` only, no LISTEN, no session locks). An open
    transaction is still rolled back by asyncpg before this runs."""


async def _unlock(conn: _Connection, key: str) -> None:
    try:
        await asyncio.shield(
            conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
        )
    except BaseException:
        # Ending the session is the other way PostgreSQL releases a session lock.
        conn.terminate()
        raise


def _reason(error: BaseException, url: str) -> str:
    """A one-line cause that cannot repeat the password."""
    text = " ".join(str(error).split()) or type(error).__name__
    password = urlsplit(url).password if "://" in url else None
    if password:
        text = text.replace(password, "***")
    return text


async def _migrate(pool: asyncpg.Pool, now: float) -> None:
    known = migrations("postgres")
    async with pool.acquire() as conn:
        for migration in known:
            async with conn.transaction():
                # A migration of a big table, or waiting for another process's, may take
                # longer than one query is allowed to.
                await conn.execute("SET LOCAL statement_timeout = 0")
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", _MIGRATION_LOCK
                )
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    " version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL,"
                    " applied_at DOUBLE PRECISION NOT NULL)"
                )
                current = int(
                    await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                )
                if current > known[-1].version:
                    raise SchemaTooNewError(current, known[-1].version)
                if migration.version <= current:
                    continue
                try:
                    await conn.execute(migration.sql)
                except asyncpg.PostgresError as error:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed: {error}"
                    ) from error
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version, migration.name, now,
                )
            _LOG.info("database migrated to version %d (%s)", migration.version, migration.name)
