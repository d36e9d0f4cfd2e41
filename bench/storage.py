"""Storage benchmark: ledger write rates, and the watcher's query over a large history.

Run: ``python bench/storage.py [--engine sqlite,postgres] [--historical 100000] [--active 10000]``

PostgreSQL needs a server: ``--postgres URL``, or ``SMSBOT_TEST_POSTGRES`` as
``.ci/with-postgres`` exports it. In one command, both engines side by side, with fsync on so
durable commits cost what they cost::

    PG_FSYNC=on .ci/with-postgres .venv/bin/python bench/storage.py --engine sqlite,postgres

For each engine it builds a temporary database (a SQLite file, or a fresh PostgreSQL database
dropped afterwards), then prints:

* the rate of purchases recorded through the ledger API (intent + confirm: two durable
  transactions per purchase, as the bot does them, fsync included), one after another and
  with 20 users buying at once;
* the rate of a bulk load of the historical and active rows (batched transactions through
  ``Transaction.executemany``: how fast the dataset is built, not how the bot writes);
* the median time of ``load_active()`` and of a few per-user queries.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import _rootpath  # noqa: F401 - first: the repository root, not bench/, on sys.path
import asyncpg

from bot.core.clock import SystemClock
from storage import activations
from storage.activations import ActivationLedger
from storage.db import Database

_USERS = 1_000
_BUYERS = 20
_ENDED = ("finished", "cancelled", "expired")
_LIVE = ("waiting", "code_received", "retry")
_INSERT = (
    "INSERT INTO activations (idempotency_key, user_id, chat_id, provider, service, country,"
    " state, activation_id, phone, cost, deadline, code_count, created_at, updated_at,"
    " confirmed_at, ended_at) VALUES (?, ?, ?, 'sms-activate', 'tg', 6, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?)"
)


def _row(n: int, state: str, now: float) -> tuple[object, ...]:
    created = now - 86_400 * 30 + n
    ended = created + 600 if state in _ENDED else None
    user = n % _USERS
    return (f"bench-{n}", user, user, state, str(10_000_000_000 + n), f"62812{n:08d}",
            "12.50", created + 1200, int(state != "waiting"), created, created, created, ended)


async def _bulk(db: Database, start: int, count: int, states: tuple[str, ...]) -> float:
    now, began = time.time(), time.perf_counter()
    for offset in range(0, count, 5_000):
        rows = [
            _row(n, states[n % len(states)], now)
            for n in range(start + offset, start + min(offset + 5_000, count))
        ]
        async with db.transaction() as tx:
            await tx.executemany(_INSERT, rows)
    return count / (time.perf_counter() - began)


async def _median_ms(run: Callable[[], Awaitable[object]], runs: int) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


@asynccontextmanager
async def _database(engine: str, server: str) -> AsyncIterator[Database]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            async with await Database.open(Path(folder) / "bench.sqlite3") as db:
                yield db
        return
    if not server:
        raise SystemExit("--engine postgres needs --postgres URL (or SMSBOT_TEST_POSTGRES)")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
        try:
            async with await Database.open(url, clock=SystemClock()) as db:
                yield db
        finally:
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


async def _measure(
    engine: str, server: str, historical: int, active: int, runs: int, api_purchases: int
) -> tuple[list[tuple[str, str]], str]:
    async with _database(engine, server) as db:
        ledger = ActivationLedger(db)

        began = time.perf_counter()
        for n in range(api_purchases):
            intent = await ledger.record_intent(
                idempotency_key=f"api-{n}", user_id=n % _USERS, chat_id=1,
                provider="sms-activate", service="tg",
            )
            await ledger.confirm_intent(
                intent, activation_id=f"api-{n}", phone="1", cost=Decimal("1"),
                deadline=None,
            )
        api_rate = api_purchases / (time.perf_counter() - began)

        async def buyer(user: int, count: int) -> None:
            for n in range(count):
                intent = await ledger.record_intent(
                    idempotency_key=f"api-{user}-{n}", user_id=user, chat_id=1,
                    provider="sms-activate", service="tg",
                )
                await ledger.confirm_intent(
                    intent, activation_id=f"api-{user}-{n}", phone="1", cost=Decimal("1"),
                    deadline=None,
                )

        began = time.perf_counter()
        per_buyer = max(1, api_purchases // _BUYERS)
        await asyncio.gather(*(buyer(user, per_buyer) for user in range(_BUYERS)))
        crowd_rate = per_buyer * _BUYERS / (time.perf_counter() - began)
        async with db.transaction() as tx:  # leave the live set at exactly `active` rows
            await tx.execute("DELETE FROM activations WHERE idempotency_key LIKE 'api-%'")

        historical_rate = await _bulk(db, 0, historical, _ENDED)
        active_rate = await _bulk(db, historical, active, _LIVE)
        if db.dialect == "postgres":  # what autovacuum would soon do after such a load
            async with db.transaction() as tx:
                await tx.execute("ANALYZE activations")

        live = await ledger.load_active()
        assert len(live) == active, (len(live), active)
        load_ms = await _median_ms(ledger.load_active, runs)
        history_ms = await _median_ms(lambda: ledger.history(7, limit=20), runs)
        lookup_ms = await _median_ms(lambda: ledger.for_user(7, "10000000007"), runs)
        spending_ms = await _median_ms(lambda: ledger.spending_total(7), runs)
        query = activations._DIALECT[db.dialect]["load_active"]
        if db.dialect == "sqlite":
            plan = [str(r[3]) for r in await db.fetchall(f"EXPLAIN QUERY PLAN {query}")]
        else:
            plan = [str(r[0]).strip() for r in await db.fetchall(f"EXPLAIN {query}")]

    rows = [
        ("purchases via ledger API (intent+confirm, durable)", f"{api_rate:,.0f} /s"),
        (f"the same, {_BUYERS} users buying at once", f"{crowd_rate:,.0f} /s"),
        (f"bulk insert, {historical:,} historical rows", f"{historical_rate:,.0f} rows/s"),
        (f"bulk insert, {active:,} active rows", f"{active_rate:,.0f} rows/s"),
        (f"load_active() -> {active:,} rows, median of {runs}", f"{load_ms:,.1f} ms"),
        (f"history(user, 20), median of {runs}", f"{history_ms:,.2f} ms"),
        (f"for_user(user, activation id), median of {runs}", f"{lookup_ms:,.2f} ms"),
        (f"spending_total(user), median of {runs}", f"{spending_ms:,.2f} ms"),
    ]
    return rows, "; ".join(plan)


async def main(
    engines: list[str], server: str, historical: int, active: int, runs: int, api_purchases: int
) -> None:
    results = {
        engine: await _measure(engine, server, historical, active, runs, api_purchases)
        for engine in engines
    }
    names = [name for name, _ in results[engines[0]][0]]
    width = max(len(name) for name in names)
    print(f"{'measure':<{width}}  " + "  ".join(f"{engine:>16}" for engine in engines))
    print(f"{'-' * width}  " + "  ".join("-" * 16 for _ in engines))
    for index, name in enumerate(names):
        values = "  ".join(f"{results[engine][0][index][1]:>16}" for engine in engines)
        print(f"{name:<{width}}  {values}")
    for engine in engines:
        print(f"\n{engine} load_active plan: {results[engine][1]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--historical", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--api-purchases", type=int, default=500)
    parser.add_argument("--engine", default="sqlite",
                        help="sqlite, postgres, or both: sqlite,postgres")
    parser.add_argument("--postgres", default=os.environ.get("SMSBOT_TEST_POSTGRES", ""),
                        help="a PostgreSQL server URL (a fresh database is made on it)")
    arguments = parser.parse_args()
    chosen = [engine.strip() for engine in arguments.engine.split(",") if engine.strip()]
    if not chosen or set(chosen) - {"sqlite", "postgres"}:
        parser.error("--engine takes sqlite, postgres or sqlite,postgres")
    asyncio.run(main(chosen, arguments.postgres, arguments.historical, arguments.active,
                     arguments.runs, arguments.api_purchases))
