"""The SQLite and PostgreSQL migrations build the same schema, so the two engines cannot drift."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

import asyncpg

from storage.db import Database, migrations
from tests import postgres


class Schema(NamedTuple):
    columns: dict[str, list[tuple[str, bool]]]  # table -> [(column, not null)], in order
    unique: dict[str, set[frozenset[str]]]  # table -> column sets that are unique (incl. keys)
    indexes: set[str]  # the named, non-unique indexes


def _sqlite_schema(path: Path) -> Schema:
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        columns, unique = {}, {}
        for table in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            # A PRIMARY KEY column is NOT NULL on both engines (SQLite's rowid alias included).
            columns[table] = [(row[1], bool(row[3] or row[5])) for row in info]
            keys = {frozenset(row[1] for row in info if row[5])} - {frozenset()}
            for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
                if index[2]:  # unique
                    names = conn.execute(f"PRAGMA index_info({index[1]})").fetchall()
                    keys.add(frozenset(row[2] for row in names))
            unique[table] = keys
        indexes = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    return Schema(columns, unique, indexes)


async def _postgres_schema(url: str) -> Schema:
    conn = await asyncpg.connect(url)
    try:
        columns: dict[str, list[tuple[str, bool]]] = {}
        for row in await conn.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ):
            columns.setdefault(row[0], []).append((row[1], row[2] == "NO"))
        unique: dict[str, set[frozenset[str]]] = {table: set() for table in columns}
        for row in await conn.fetch(
            "SELECT t.relname, array_agg(a.attname) FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indisunique AND t.relnamespace = 'public'::regnamespace"
            " GROUP BY i.indexrelid, t.relname"
        ):
            unique[row[0]].add(frozenset(row[1]))
        indexes = {
            row[0]
            for row in await conn.fetch(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE NOT i.indisunique AND c.relnamespace = 'public'::regnamespace"
            )
        }
    finally:
        await conn.close()
    return Schema(columns, unique, indexes)


def test_both_engines_have_the_same_migration_numbers_and_names() -> None:
    assert [(m.version, m.name) for m in migrations("sqlite")] == [
        (m.version, m.name) for m in migrations("postgres")
    ]


async def test_both_engines_build_the_same_tables_columns_not_nulls_and_unique_keys(
    tmp_path: Path,
) -> None:
    url = await postgres.create_database(migrated=False)
    try:
        await (await Database.open(url)).close()
        on_postgres = await _postgres_schema(url)
    finally:
        await postgres.drop_database(url)
    await (await Database.open(tmp_path / "schema.sqlite3")).close()
    on_sqlite = _sqlite_schema(tmp_path / "schema.sqlite3")

    assert on_sqlite.columns.keys() == on_postgres.columns.keys()
    for table, sqlite_columns in on_sqlite.columns.items():
        assert sqlite_columns == on_postgres.columns[table], table
    assert on_sqlite.unique == on_postgres.unique
    assert on_sqlite.indexes == on_postgres.indexes
    assert {"activations", "events", "api_keys", "schema_version"} <= on_sqlite.columns.keys()
