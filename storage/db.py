"""The database interface the stores use: :class:`Database`, :class:`Transaction`, rows, locks,
and the migration scripts both engines apply.

Two engines implement :class:`Database`: :class:`storage.sqlite.SQLiteDatabase` (one file, WAL,
one writer) and :class:`storage.postgres.PostgresDatabase` (asyncpg, a pool of connections).
:meth:`Database.open` picks one from its target: a ``postgresql://`` (or ``postgres://``) URL
selects PostgreSQL, anything else is a SQLite file path. The stores write SQL once, with ``?``
placeholders; the few dialect differences are spelled in one place per store, chosen by
:attr:`Database.dialect`.

Migrations. ``storage/migrations/<dialect>/NNNN_name.sql`` are plain SQL, one folder per engine
with the same numbers; a portable script may instead sit in ``storage/migrations/`` itself and
then serves both engines. Each engine applies them in order at open, each in its own transaction
together with its row in ``schema_version`` (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: under a
transaction-level advisory lock), so processes opening an old database at once apply each
migration once.
"""


from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any, Final, Literal, Protocol, TypeAlias

import asyncpg

from bot.core.clock import Clock
from storage.errors import (
    IntegrityError,
    MigrationError,
    TransactionError,
)

Params: TypeAlias = Sequence[object] | Mapping[str, object]
LockFactory: TypeAlias = Callable[[str], AbstractAsyncContextManager[object]]
"""Named locks: ``InProcessLocks()`` for one process, or :meth:`Database.lock`."""
Dialect: TypeAlias = Literal["sqlite", "postgres"]
# What either engine raises when the database refuses a write: busy past its timeout, a full
# disk, a lost connection, a statement timeout, a broken constraint.
WRITE_FAILURES: Final[tuple[type[BaseException], ...]] = (
    sqlite3.Error, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, IntegrityError,
)
POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")


class Row(Protocol):
    """A result row, read by position or by column name (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> Any: ...

_MIGRATION_NAME: Final = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration script.

    Attributes:
        version: its number, from the file name; versions run 1, 2, 3… without gaps.
        name: the rest of the file name ("init").
        sql: the script; it must not contain BEGIN or COMMIT (the runner wraps it).
    """

    version: int
    name: str
    sql: str


@cache
def migrations(dialect: Dialect = "sqlite") -> tuple[Migration, ...]:
    """The migrations shipped with this code for one engine, in version order.

    They are the files of ``migrations/<dialect>/`` and the portable ones of ``migrations/``.

    Raises:
        MigrationError: the files are misnamed, a number is used twice, or the versions have
            gaps (a packaging bug).
    """
    folder = resources.files("storage").joinpath("migrations")
    found = [*_scripts(folder), *_scripts(folder.joinpath(dialect))]
    found.sort(key=lambda migration: migration.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise MigrationError(
            f"{dialect} migration files must be numbered 0001, 0002, … once each, without gaps"
        )
    return tuple(found)


def _scripts(folder: Traversable) -> list[Migration]:
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match is not None and entry.is_file():
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return found


def latest_version() -> int:
    """The newest schema version this code knows (the same for every engine)."""
    return migrations()[-1].version


def is_postgres_url(target: object) -> bool:
    """Whether a database target names PostgreSQL rather than a SQLite file."""
    return isinstance(target, str) and target.strip().lower().startswith(POSTGRES_SCHEMES)


class Transaction(ABC):
    """What an ``async with db.transaction() as tx:`` block holds: the open write transaction.

    Statements run on the transaction's connection, in the order awaited. SQL uses ``?``
    placeholders on every engine.
    """

    __slots__ = ()

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement. Returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Runs one statement per parameter row (bulk loads; no row count: PostgreSQL's
        pipelined form does not report one)."""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Runs a statement (a SELECT, or a write with RETURNING) and returns its first row."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Runs a statement and returns every row."""


class Database(ABC):
    """The open database, whatever the engine: what every store needs of it.

    Create it with :meth:`open`; close it with :meth:`close` (or ``async with``).

    Attributes:
        clock: the clock every store of this database reads "now" from.
        dialect: "sqlite" or "postgres", for the few statements spelled differently.
    """

    __slots__ = ()
    clock: Clock
    dialect: Dialect

    @classmethod
    async def open(
        cls,
        target: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        busy_timeout: float = 5.0,
        pool_size: int = 10,
        statement_timeout: float = 30.0,
    ) -> Database:
        """Opens the database ``target`` names and migrates it to the latest version.

        Args:
            target: a ``postgresql://`` or ``postgres://`` URL (``?host=/socket/dir`` works),
                or a SQLite file path (created, with its folder, when missing).
            clock: the source of "now" for the stores; the system clock by default.
            busy_timeout: SQLite: seconds to wait for another process's write lock.
            pool_size: PostgreSQL: the most connections the pool opens.
            statement_timeout: PostgreSQL: seconds one statement may run before the server
                cancels it.

        Raises:
            DatabaseUnavailableError: PostgreSQL: the URL is malformed or the server refused.
            SchemaTooNewError: the database was migrated by a newer smsbot.
            MigrationError: a migration failed (the database stays at the last good version).
        """
        if is_postgres_url(target):
            from storage.postgres import PostgresDatabase

            return await PostgresDatabase.connect(
                str(target).strip(), clock=clock, pool_size=pool_size,
                statement_timeout=statement_timeout,
            )
        from storage.sqlite import SQLiteDatabase

        return await SQLiteDatabase.open_file(target, clock=clock, busy_timeout=busy_timeout)

    @abstractmethod
    async def close(self) -> None:
        """Waits for running transactions, then closes every connection."""

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @abstractmethod
    def transaction(self, *, durable: bool = False) -> AbstractAsyncContextManager[Transaction]:
        """A write transaction: everything in the block commits together or not at all.

        Leaving the block normally commits; an exception (including cancellation) rolls back
        and propagates. A task already inside a transaction joins it as a savepoint, so an
        exception that leaves an inner block undoes that block's writes even if the outer
        block catches it.

        Args:
            durable: the commit survives an OS crash or power loss before it returns (money);
                a plain commit survives the process being killed. A durable block may not
                join a non-durable transaction.

        Raises:
            TransactionError: a durable block tried to join a non-durable transaction.
        """

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Runs a query and returns its first row; inside the caller's own transaction it sees
        the transaction's uncommitted writes, elsewhere the last committed state."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Runs a query and returns every row (see :meth:`fetchone` for what it sees)."""

    async def schema_version(self) -> int:
        """The schema version recorded in the database."""
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return 0 if row is None else int(row[0])

    @abstractmethod
    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """A mutual-exclusion lock named ``key`` ("purchase:42"), held for the block.

        SQLite (one process): an :class:`asyncio.Lock` per key. PostgreSQL: the same, then a
        session advisory lock on one connection, so processes sharing the database exclude
        each other too. Re-entering a key the task already holds is not supported.
        """

    @staticmethod
    @contextlib.asynccontextmanager
    async def _nested(
        execute: Callable[[str], Awaitable[object]],
        depth: int,
        *,
        durable: bool,
        joined_durable: bool,
        still_open: Callable[[], bool] = lambda: True,
    ) -> AsyncIterator[None]:
        """A transaction block nested in an open one (the ``depth``-th), as a SAVEPOINT: an
        exception that leaves it undoes its writes, even if the outer block catches it.

        Args:
            execute: runs one statement on the open transaction's connection.
            durable, joined_durable: whether the block, and the transaction it joins, are durable.
            still_open: whether the transaction is still open after an error (one the engine
                already rolled back has no savepoint left to roll back to).

        Raises:
            TransactionError: a durable block tried to join a non-durable transaction.
        """
        if durable and not joined_durable:
            raise TransactionError(
                "a durable write cannot join a non-durable transaction; "
                "open the outer transaction with durable=True"
            )
        name = f"nested_{depth}"
        await execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if still_open():
                await execute(f"ROLLBACK TO SAVEPOINT {name}")
                await execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            await execute(f"RELEASE SAVEPOINT {name}")


class Store:
    """What every store holds: the open database (``db``), whose ``db.clock`` says "now"."""

    __slots__ = ("_db",)

    def __init__(self, db: Database) -> None:
        self._db = db


class InProcessLocks:
    """Named asyncio locks, created on first use (for one process)."""

    __slots__ = ("_locks",)

    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __call__(self, key: str) -> asyncio.Lock:
        return self._locks[key]
