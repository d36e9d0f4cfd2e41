"""Replica scaling: 1, 2 and 3 ``smsbot run --webhook`` processes on one PostgreSQL.

Run under a throw-away server: ``.ci/with-postgres .venv/bin/python bench/replicas.py``
(``--users 30 --window 6`` by default; about a minute per replica count).

For each replica count, on a fresh database: the processes start (the fake Bot API pushes
webhooks to them by chat, as deploy/haproxy.cfg does), every user sets a key and buys a number
at once (``buy p95``: one user's /key to "Waiting for the SMS", every user at the same moment),
then each activation gets an SMS at a random moment of ``--window`` seconds and the delay from
the SMS at the provider to the code in the chat is measured (``push p50/p95``). Also printed:
provider requests per key per watcher tick (must stay <= 1: shards give each key one owner) and
each process's CPU seconds over the run (``/proc/<pid>/stat``).

The world (sandbox subprocess, fake Bot API and users in this process) shares the machine with
the replicas: on 2 cores, more processes compete for the same CPU, so read the figures as
"nothing gets worse" rather than as a speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests import postgres
from tests.e2e.conftest import (
    TOKEN,
    SandboxProcess,
    bot_env,
    buy,
    has_text,
    set_key,
)
from tests.e2e.test_chaos import Replica, _key, start_replicas
from tests.ports import unused_port

POLL_INTERVAL = 1.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _phase(count: int, users: int, window: float, workdir: Path) -> dict[str, object]:
    url = await postgres.create_database(migrated=False)
    ports = [unused_port() for _ in range(count)]
    targets = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    sandbox = SandboxProcess(
        workdir / f"sandbox{count}.log", tuple(f"{_key(n)}:1000" for n in range(users))
    )
    replicas = [Replica(i, p, workdir / f"bot{count}-{i}.log") for i, p in enumerate(ports)]
    try:
        async with FakeTelegramServer(
            tokens=[TOKEN], webhook_targets=targets, webhook_timeout=10.0,
            webhook_routing="by_chat",
        ) as telegram:
            await sandbox.start()
            env = bot_env(
                telegram.url,
                sandbox.url,
                url,
                SMSBOT_POLL_INTERVAL=str(POLL_INTERVAL),
                SMSBOT_LOG_LEVEL="WARNING",
                SMSBOT_TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram",
                SMSBOT_TELEGRAM_WEBHOOK_SECRET="bench-webhook-secret-0123456789",
                SMSBOT_LEASE_SECONDS="3",
            )
            await start_replicas(telegram, replicas, env, url, 60)
            cpu_before = {r.pid: _cpu_seconds(r.pid) for r in replicas}
            people = [telegram.user(3000 + n, f"U{n}", language_code="en") for n in range(users)]
            buy_times: list[float] = []

            async def buy_one(n: int) -> None:
                started = time.monotonic()
                await set_key(people[n], _key(n))
                await buy(people[n])
                buy_times.append(time.monotonic() - started)

            await asyncio.gather(*(buy_one(n) for n in range(users)))
            activations = await sandbox.activations()
            phones = {str(a["phone"]): a for a in activations}
            delays: list[float] = []
            requests_before = len(await sandbox.requests())
            window_started = time.monotonic()

            async def push_one(person: FakeUser) -> None:
                card = next(
                    m for m in person.chat() if m.from_bot and "Waiting for the SMS" in m.text
                )
                activation = next(a for p, a in phones.items() if p in card.text)
                await asyncio.sleep(random.uniform(0, window))
                code = f"{person.id}"[-6:].rjust(6, "7")
                await sandbox.deliver_sms(str(activation["id"]), code)
                sent = time.monotonic()
                await person.wait_for(has_text(f"🔑 {code} —"), 60)
                delays.append(time.monotonic() - sent)

            await asyncio.gather(*(push_one(person) for person in people))
            elapsed = time.monotonic() - window_started
            log = (await sandbox.requests())[requests_before:]
            polls = sum(1 for r in log if r.get("action") in ("getActiveActivations", "getStatus"))
            per_key_tick = polls / users / (elapsed / POLL_INTERVAL)
            cpu = [_cpu_seconds(r.pid) - cpu_before[r.pid] for r in replicas]
            return {
                "replicas": count,
                "buy_p95": _p(buy_times, 0.95),
                "push_p50": statistics.median(delays),
                "push_p95": _p(delays, 0.95),
                "per_key_tick": per_key_tick,
                "cpu": cpu,
                "paid": sum(1 for r in await sandbox.requests() if r.get("action") == "getNumber"
                            or r.get("action") == "getNumberV2"),
            }
    finally:
        for replica in replicas:
            await replica.stop()
        await sandbox.stop()
        await postgres.drop_database(url)


async def _main(counts: list[int], users: int, window: float) -> None:
    postgres.require()
    with tempfile.TemporaryDirectory() as workdir:
        rows = [await _phase(count, users, window, Path(workdir)) for count in counts]
    print(f"\n{users} users, SMS over {window:g} s, watcher tick {POLL_INTERVAL:g} s")
    print("replicas  buy p95  push p50  push p95  polls/key/tick  paid  CPU s per replica")
    for row in rows:
        cpu = " ".join(f"{c:.1f}" for c in row["cpu"])  # type: ignore[attr-defined]
        print(
            f"{row['replicas']:>8}  {row['buy_p95']:>6.2f}s  {row['push_p50']:>7.2f}s"
            f"  {row['push_p95']:>7.2f}s  {row['per_key_tick']:>14.2f}  {row['paid']:>4}  {cpu}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--window", type=float, default=6.0)
    args = parser.parse_args()
    if not os.environ.get("SMSBOT_TEST_POSTGRES"):
        sys.exit("bench/replicas.py: run it under .ci/with-postgres (SMSBOT_TEST_POSTGRES unset)")
    asyncio.run(_main(args.replicas, args.users, args.window))


if __name__ == "__main__":
    main()
