"""``smsbot migrate-data``: copies a SQLite database into an empty PostgreSQL one.

Both databases are first migrated to the latest schema (the same for both engines), so every
table has the same columns on each side. Then, in ONE transaction on PostgreSQL:

1. every table of the target is checked to be empty (a copy never merges into live data);
2. each table is copied, parents before children (by their foreign keys), ids included;
3. the identity sequences are moved past the copied ids, so the next row gets a new id;
4. each table's row count is compared with the source's.

Any difference or error rolls the whole copy back: the target is left empty, as it was.
The source is only read (after being migrated, as starting the bot would do).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from storage.db import Database, Row, Transaction
from storage.errors import StorageError

_BATCH: Final = 5_000


class TransferError(StorageError):
    """The copy was refused or failed; nothing was written to the target."""


@dataclass(frozen=True, slots=True)
class TransferReport:
    """What was copied: each table's row count, parents first."""

    rows: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)


async def copy_to_postgres(source: str | os.PathLike[str], target_url: str) -> TransferReport:
    """Copies every table of the SQLite file ``source`` into the PostgreSQL ``target_url``.

    Raises:
        TransferError: the target is not empty, or a count differs after the copy.
        DatabaseUnavailableError: the target cannot be reached.
        SchemaError: either database is newer than this code.
    """
    async with await Database.open(source) as sqlite:
        if sqlite.dialect != "sqlite":
            raise TransferError("the source must be a SQLite file")
        tables = await _tables_parents_first(sqlite)
        async with await Database.open(target_url, pool_size=2) as target:
            if target.dialect != "postgres":
                raise TransferError("the target must be a postgresql:// URL")
            async with target.transaction(durable=True) as tx:
                for table in tables:
                    row = await tx.fetchone(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                    if row is not None and row[0]:
                        raise TransferError(
                            f"the target database is not empty ({table} has {row[0]} rows); "
                            "nothing was copied"
                        )
                copied = [(table, await _copy(sqlite, tx, table)) for table in tables]
                for table, count in copied:
                    await _restart_identity(tx, table)
                    row = await tx.fetchone(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                    if row is None or row[0] != count:
                        raise TransferError(
                            f"{table}: {count} rows read but {row and row[0]} written; "
                            "the copy was rolled back"
                        )
    return TransferReport(tuple(copied))


async def _tables_parents_first(sqlite: Database) -> list[str]:
    names = [
        row[0]
        for row in await sqlite.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name <> 'schema_version' ORDER BY name"
        )
    ]
    parents = {
        name: {
            row[2]
            for row in await sqlite.fetchall(f"PRAGMA foreign_key_list({name})")
            if row[2] != name
        }
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise TransferError("the tables' foreign keys form a cycle")
        ordered += ready
    return ordered


async def _copy(sqlite: Database, tx: Transaction, table: str) -> int:
    columns = [row[1] for row in await sqlite.fetchall(f"PRAGMA table_info({table})")]
    names = ", ".join(columns)
    rows: list[Row] = await sqlite.fetchall(f"SELECT {names} FROM {table}")  # noqa: S608
    insert = (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
    )
    for start in range(0, len(rows), _BATCH):
        await tx.executemany(insert, [tuple(row) for row in rows[start : start + _BATCH]])
    return len(rows)


async def _restart_identity(tx: Transaction, table: str) -> None:
    for row in await tx.fetchall(
        "SELECT attname FROM pg_attribute WHERE attrelid = CAST(? AS regclass)"
        " AND attidentity <> ''",
        (table,),
    ):
        column = row[0]
        # The table and column names come from the catalogues, not from input.
        query = (
            "SELECT setval(pg_get_serial_sequence(?, ?),"  # noqa: S608
            f" COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        )
        await tx.fetchone(query, (table, column))
