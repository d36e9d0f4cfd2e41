"""Code-rate and spending-cap benchmark: the aggregate and the cap's query over a large ledger.

Run: ``python bench/code_rate.py [--rows 200000] [--runs 7]``

It fills a temporary database with ``rows`` settled activations over 60 days (1,000 users,
3 providers, 10 services, 20 countries; half with a code and an SMS row), then prints the
median time of ``CodeRateStore.rates`` for one service in one country over 30 days (what each
comparison reads), and of ``SpendingLedger.committed_since`` for one user over a month (what
each paid call reads when the user set a cap).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import _rootpath  # noqa: F401 - first: the repository root, not bench/, on sys.path

from storage.code_rates import CodeRateStore
from storage.db import Database
from storage.spending import SpendingLedger

_INSERT = (
    "INSERT INTO activations (id, idempotency_key, user_id, chat_id, provider, service, country,"
    " state, activation_id, phone, cost, code_count, created_at, updated_at, confirmed_at,"
    " ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '12.50', ?, ?, ?, ?, ?)"
)
_SMS = (
    "INSERT INTO activation_sms (activation, sms_round, dedup, code, recorded_at)"
    " VALUES (?, 1, ?, ?, ?)"
)


async def _fill(db: Database, rows: int, now: float) -> None:
    for start in range(0, rows, 5_000):
        batch, sms = [], []
        for n in range(start, min(rows, start + 5_000)):
            created = now - 60 * 86_400 + n * (60 * 86_400 / rows)
            coded = n % 2 == 0
            batch.append((
                n + 1, f"b{n}", n % 1_000, n % 1_000, f"p{n % 3}", f"s{n % 10}", n % 20,
                "finished" if coded else "cancelled", str(n), str(n), int(coded), created,
                created, created, created + 600,
            ))
            if coded:
                sms.append((n + 1, f"c{n}", f"{n:06d}", created + 30 + n % 90))
        async with db.transaction() as tx:
            await tx.executemany(_INSERT, batch)
            await tx.executemany(_SMS, sms)


async def _median(runs: int, call: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


async def main(rows: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            now = time.time()
            await _fill(db, rows, now)
            rates, spending = CodeRateStore(db), SpendingLedger(db)
            found = await rates.rates("s0", 0, since=now - 30 * 86_400)
            rate_ms = await _median(
                runs, lambda: rates.rates("s0", 0, since=now - 30 * 86_400)
            )
            cap_ms = await _median(
                runs, lambda: spending.committed_since(7, now - 30 * 86_400)
            )
        finally:
            await db.close()
    numbers = sum(r.bought for r in found.values())
    print(f"ledger: {rows:,} activations")
    print(f"code rate, one service x country, 30 days ({numbers:,} numbers): {rate_ms:.2f} ms")
    print(f"spending since a month ago, one user: {cap_ms:.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.runs))
