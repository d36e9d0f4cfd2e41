"""Client benchmark: read-only calls per second through OUR client and the OFFICIAL library.

Run: ``python bench/client.py [--seconds 3] [--concurrency 16]``

It starts the protocol sandbox in a subprocess (``python -m bot.provider.sandbox``) so the
server does not share an event loop, or a GIL, with the clients it serves; buys a few
activations to poll; then, against that one server, measures a getBalance/getStatus mix:

* ``smsbot``: ``ProviderClient`` on one pooled ``ProviderTransport``, sequential (one task) and
  with ``--concurrency`` asyncio tasks;
* ``smsactivate``: the official 1.5 library (blocking ``requests``, a new connection per call),
  sequential and from a pool of ``--concurrency`` threads;
* with ``--baseline``, bare httpx and aiohttp clients sending getBalance: the ceiling each HTTP
  library sets by itself (httpx slows down under concurrency: encode/httpx#3215).

Every reply is checked (a wrong balance or status counts as an error), and the run prints one
table: requests, seconds, requests per second, p50/p95 latency. The default run takes ~15 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
from _rootpath import ROOT as _ROOT  # first: the repository root, not bench/, on sys.path
from smsactivate.api import SMSActivateAPI

from bot.core.secret import Secret
from bot.provider import (
    ProviderClient,
    ProviderTransport,
    Timeouts,
    resolve_endpoint,
)
from bot.provider.models import StatusKind

_KEY = "bench-key"
_BALANCE = Decimal("100000")
_ACTIVATIONS = 20
_WARMUP_SECONDS = 0.3
_START_TIMEOUT = 15.0


@dataclass
class Run:
    """The latencies (seconds) and error count of one measured mode."""

    client: str
    mode: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self) -> list[str]:
        ordered = sorted(self.latencies)
        count = len(ordered)
        p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
        p95 = ordered[min(count - 1, int(count * 0.95))] * 1000 if ordered else float("nan")
        rate = count / self.seconds if self.seconds else 0.0
        return [
            self.client,
            self.mode,
            str(count),
            f"{self.seconds:.2f}",
            f"{rate:,.0f}",
            f"{p50:.2f}",
            f"{p95:.2f}",
            str(self.errors),
        ]


# --- the sandbox in a subprocess -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def sandbox_process() -> Iterator[str]:
    """Starts ``python -m bot.provider.sandbox`` on a free loopback port; yields its URL."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "bot.provider.sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--key",
        f"{_KEY}:{_BALANCE}",
    ]
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    process = subprocess.Popen(
        command, cwd=_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready = threading.Event()
        first_line: list[str] = []

        def read_first_line() -> None:
            first_line.append(process.stdout.readline() if process.stdout else "")
            ready.set()

        threading.Thread(target=read_first_line, daemon=True).start()
        if not ready.wait(_START_TIMEOUT) or "smsbot sandbox:" not in first_line[0]:
            _, errors = process.communicate(timeout=1) if process.poll() is not None else ("", "")
            raise RuntimeError(f"the sandbox did not start: {first_line!r} {errors}")
        yield f"http://127.0.0.1:{port}/stubs/handler_api.php"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- our client ----------------------------------------------------------------------------


async def prepare(url: str) -> tuple[list[str], Decimal]:
    """Buys the activations the getStatus calls poll; returns their ids and the balance."""
    async with ProviderTransport() as transport:
        client = ProviderClient(transport, resolve_endpoint(url), Secret(_KEY))
        bought = [await client.get_number("tg", country=0) for _ in range(_ACTIVATIONS)]
        ids = [purchase.activation_id for purchase in bought]
        return ids, await client.get_balance()


async def bench_ours(
    url: str, ids: list[str], balance: Decimal, seconds: float, concurrency: int
) -> Run:
    """``concurrency`` asyncio tasks share one pooled transport until the time is up."""
    mode = "sequential" if concurrency == 1 else f"asyncio x{concurrency}"
    run = Run("smsbot", mode)
    limits = max(concurrency, 1)
    async with ProviderTransport(max_connections=limits, timeout=Timeouts(10.0)) as transport:
        client = ProviderClient(transport, resolve_endpoint(url), Secret(_KEY))

        async def worker(offset: int, deadline: float, record: bool) -> None:
            n = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if n % 2:
                        ok = (await client.get_status(ids[n % len(ids)])).kind is (
                            StatusKind.WAIT_CODE
                        )
                    else:
                        ok = await client.get_balance() == balance
                except Exception:
                    ok = False
                if record:
                    run.latencies.append(time.perf_counter() - started)
                    run.errors += not ok
                n += concurrency

        async def phase(length: float, record: bool) -> float:
            started = time.perf_counter()
            deadline = started + length
            await asyncio.gather(*(worker(i, deadline, record) for i in range(concurrency)))
            return time.perf_counter() - started

        await phase(_WARMUP_SECONDS, record=False)
        run.seconds = await phase(seconds, record=True)
    return run


# --- baselines: the bare HTTP clients, no protocol ----------------------------------------


async def bench_bare(
    url: str, balance: Decimal, seconds: float, concurrency: int, kind: str
) -> Run:
    """getBalance alone through a bare httpx or aiohttp client: the ceiling each library sets."""
    import aiohttp

    run = Run(f"bare {kind}", f"asyncio x{concurrency}")
    form = {"action": "getBalance", "api_key": _KEY}
    expected = f"ACCESS_BALANCE:{balance:.2f}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with (
        httpx.AsyncClient(limits=limits) as bare_httpx,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as bare_aiohttp,
    ):

        async def call() -> str:
            if kind == "httpx":
                return (await bare_httpx.post(url, data=form)).text
            async with bare_aiohttp.post(url, data=form) as response:
                return await response.text()

        async def worker(deadline: float, record: bool) -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                ok = await call() == expected
                if record:
                    run.latencies.append(time.perf_counter() - started)
                    run.errors += not ok

        for length, record in ((_WARMUP_SECONDS, False), (seconds, True)):
            began = time.perf_counter()
            await asyncio.gather(*(worker(began + length, record) for _ in range(concurrency)))
            run.seconds = time.perf_counter() - began
    return run


# --- the official library ------------------------------------------------------------------


def _official(url: str) -> SMSActivateAPI:
    api = SMSActivateAPI(_KEY)
    api._SMSActivateAPI__api_url = url  # its endpoint is a private attribute; nothing else changes
    return api


def _official_call(api: SMSActivateAPI, ids: list[int], balance: str, n: int) -> bool:
    try:
        if n % 2:
            return bool(api.getStatus(id=ids[n % len(ids)]) == "STATUS_WAIT_CODE")
        return bool(api.getBalance() == {"balance": balance})
    except Exception:
        return False


def bench_official(url: str, ids: list[str], balance: Decimal, seconds: float, threads: int) -> Run:
    """The official library from ``threads`` threads (1: plain sequential calls)."""
    mode = "sequential" if threads == 1 else f"threads x{threads}"
    run = Run("smsactivate 1.5", mode)
    numeric_ids = [int(i) for i in ids]
    expected = f"{balance:.2f}"
    lock = threading.Lock()

    def worker(offset: int, deadline: float, record: bool) -> None:
        api = _official(url)
        n = offset
        latencies: list[float] = []
        errors = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = _official_call(api, numeric_ids, expected, n)
            latencies.append(time.perf_counter() - started)
            errors += not ok
            n += threads
        if record:
            with lock:
                run.latencies.extend(latencies)
                run.errors += errors

    def phase(length: float, record: bool) -> float:
        started = time.perf_counter()
        deadline = started + length
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(worker, i, deadline, record) for i in range(threads)]:
                future.result()
        return time.perf_counter() - started

    phase(_WARMUP_SECONDS, record=False)
    run.seconds = phase(seconds, record=True)
    return run


# --- main ----------------------------------------------------------------------------------


def _table(runs: list[Run]) -> str:
    header = ["client", "mode", "requests", "seconds", "req/s", "p50 ms", "p95 ms", "errors"]
    rows = [header, *(run.row() for run in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per mode (default 3)")
    parser.add_argument("--concurrency", type=int, default=16, help="tasks/threads (default 16)")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also measure bare httpx and aiohttp clients (getBalance only, no protocol)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1:
        parser.error("--seconds must be positive and --concurrency at least 1")

    runs: list[Run] = []
    started = time.perf_counter()
    with sandbox_process() as url:
        ids, balance = asyncio.run(prepare(url))
        measures: list[Callable[[], Run]] = [
            lambda: asyncio.run(bench_ours(url, ids, balance, args.seconds, 1)),
            lambda: asyncio.run(bench_ours(url, ids, balance, args.seconds, args.concurrency)),
            lambda: bench_official(url, ids, balance, args.seconds, 1),
            lambda: bench_official(url, ids, balance, args.seconds, args.concurrency),
        ]
        if args.baseline:
            measures += [
                lambda: asyncio.run(
                    bench_bare(url, balance, args.seconds, args.concurrency, "httpx")
                ),
                lambda: asyncio.run(
                    bench_bare(url, balance, args.seconds, args.concurrency, "aiohttp")
                ),
            ]
        for measure in measures:
            runs.append(measure())
            print(f"  measured {runs[-1].client} {runs[-1].mode}", file=sys.stderr, flush=True)
    print(
        f"getBalance/getStatus mix against the sandbox in a subprocess, {args.seconds:g} s per"
        f" mode, concurrency {args.concurrency} (total {time.perf_counter() - started:.1f} s):"
    )
    print(_table(runs))
    return 1 if any(run.errors for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
