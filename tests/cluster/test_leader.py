"""One leader at a time; when its process dies, another leads within a second or two."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from bot.cluster.leader import Leadership
from storage.db import Database
from storage.postgres import PostgresDatabase


async def test_one_leader_at_a_time_and_a_successor_when_it_dies(pg_url: str) -> None:
    dbs = [await Database.open(pg_url, pool_size=2) for _ in range(2)]
    leading: list[str] = []
    stops = [asyncio.Event(), asyncio.Event()]

    def work(name: str) -> object:
        async def lead() -> None:
            leading.append(name)
            await asyncio.Event().wait()  # until cancelled

        return lead

    try:
        assert all(isinstance(db, PostgresDatabase) for db in dbs)
        leaders = [
            Leadership(db, work(name), retry_every=0.1, check_every=0.1)  # type: ignore[arg-type]
            for db, name in zip(dbs, "AB", strict=True)
        ]
        tasks = [asyncio.create_task(x.run(s)) for x, s in zip(leaders, stops, strict=True)]
        for _ in range(100):
            if leading:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert len(leading) == 1 and sum(x.is_leader for x in leaders) == 1
        first = leading[0]
        # The leader's process dies: the server ends its session (and its lock).
        admin = await asyncpg.connect(pg_url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'smsbot-leader' AND pid IN ("
                " SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
            )
        finally:
            await admin.close()
        died = time.monotonic()
        for _ in range(100):
            if len(leading) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(leading) == 2, "nobody took over"
        print(f"leader takeover after {time.monotonic() - died:.2f} s")
        await asyncio.sleep(0.3)
        assert sum(x.is_leader for x in leaders) == 1  # the old one stopped leading
        assert leading[0] == first
        for stop in stops:
            stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    finally:
        for db in dbs:
            await db.close()
