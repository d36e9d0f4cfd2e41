"""Push benchmark: how fast a code reaches the chat with thousands of activations watched.

Run: ``python bench/push.py`` (2,000 keys x 5 activations, 3 s poll; about 5 minutes) or
``python bench/push.py --quick`` (200 keys x 5, 50 users on /buy; under a minute).

Three kinds of process, so the bot's CPU and memory are its own:

* the **world** (one process for the whole run): the protocol sandbox and the fake Bot API on
  loopback. It sells the activations, delivers each SMS at a random moment of the measured
  window, and notes when the code shows up in a ``sendMessage`` at the fake Telegram; both
  instants are read from the same clock, so a delay is "SMS at the provider" to "message at
  Telegram". It also counts every provider request per key and every Telegram call.
* a **seed** process writes the bot's database (users, encrypted keys, the watched
  activations) before each bot-side phase, so the bot's peak RSS does not include it.
* one fresh **bot-side** process per phase, whose CPU seconds (``getrusage``) over the window
  and peak RSS are reported:

  - ``smsbot``: the whole Application (``build_application``, ``start_background``): the
    real watcher (one ``getActiveActivations`` per key per tick), recorder, outbox and notifier,
    PTB with its rate limiter. Start-up is timed from ``build_application`` to the end of the
    first tick, i.e. every watched activation loaded and asked about once.
  - ``smsbot+webhook``: the same, with the provider-webhook receiver on and the sandbox
    POSTing each SMS to it (polling stays on).
  - ``baseline``: what the best-known open-source bots do: a loop per activation that asks
    ``getStatus`` every 4 s and sends the code with ``sendMessage`` (one aiohttp session).

Then ``/buy`` (``--phases buy`` alone): 200 users (``--buy-users 50,200,1000`` for several runs)
walk through /buy to the confirm screen and buy, all at once: every user takes each step at the
same moment as the others, ``--think`` seconds (1 by default, a quick human) after the bot
answered their previous one. The users, the fake Bot API (in its documented-limits mode: a
chat about one message a second with a burst, 30 a second in bulk; its 429s are counted) and
the sandbox run in one process; the bot in another, fed each update over loopback as a webhook
would be. Each update's handling time is measured in the bot process around
``Application.process_update``, and split into time queued in the rate limiter (the send
policy, or PTB's AIORateLimiter in older code), Bot API and provider round trips, and the rest
(ours).

The same SMS schedule shape (``--rate`` codes a second at random moments over ``--window``
seconds, spread over all keys) is used in every phase. 8 codes a second is the steady state of
10,000 activations that each get a code within their 20 minutes, and stays under Telegram's
30 messages a second (each code is a new message plus an edit of the activation's message).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import contextvars
import math
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from _rootpath import ROOT as _ROOT  # first: the repository root, not bench/, on sys.path

_TOKEN = "123456789:BENCH-bot-token"
_MASTER_KEYS = "k1:" + base64.b64encode(bytes(range(32))).decode()
_WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
_FIRST_USER = 10_000_000
_COUNTRY = 6
_SERVICE = "tg"
_CODE = re.compile(r"\b(\d{8})\b")
_LIFETIME = 1200.0  # the sandbox's activation lifetime: deadlines well after the run
_BASELINE_INTERVAL = 4.0


# --- plumbing -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _recv(conn: multiprocessing.connection.Connection) -> Any:
    """Waits for the next message on a pipe without blocking the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, conn.recv)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _profiler() -> Any:
    """With PUSH_PROFILE=file, the bot side is profiled over the window (for finding costs)."""
    if not os.environ.get("PUSH_PROFILE"):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _quiet_logs() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s: %(message)s")
    # A bot side that stops with polls in flight makes aiohttp log each dropped connection.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)


# --- the world: sandbox + fake Telegram ------------------------------------------------------


@dataclass
class _Phase:
    """The world's bookkeeping for one phase."""

    delivered: dict[str, float] = field(default_factory=dict)  # code -> monotonic instant
    arrived: dict[str, float] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)  # account name -> count
    actions: Counter[str] = field(default_factory=Counter)
    counting: bool = False
    duplicates: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    def check_complete(self) -> None:
        """Every code delivered in the (finished) window has reached Telegram."""
        if not self.counting and len(self.arrived) >= len(self.delivered):
            self.complete.set()


def _world_main(conn: multiprocessing.connection.Connection) -> None:
    _quiet_logs()
    asyncio.run(_World(conn).serve())


class _World:
    def __init__(self, conn: multiprocessing.connection.Connection) -> None:
        self._conn = conn
        self._phase = _Phase()
        self._sandbox_server: Any = None
        self._activations: list[tuple[int, int]] = []  # (user id, sandbox activation id)

    async def serve(self) -> None:
        from bot.fake_telegram import FakeTelegramServer

        async with FakeTelegramServer(tokens=[_TOKEN]) as telegram:
            self._telegram = telegram
            self._hook_telegram()
            self._conn.send({"telegram": telegram.bot_base_url})
            while True:
                command, args = await _recv(self._conn)
                if command == "quit":
                    break
                if command == "prepare":
                    self._conn.send(await self._prepare(**args))
                elif command == "run":
                    self._conn.send(await self._run(**args))
            if self._sandbox_server is not None:
                await self._sandbox_server.stop()

    def _hook_telegram(self) -> None:
        state = self._telegram.state
        original = state.log_call

        def log_call(method: str, params: dict[str, object], status: int, *rest: Any) -> Any:
            if method == "sendMessage" and status == 200:
                now = time.monotonic()
                for code in set(_CODE.findall(str(params.get("text", "")))):
                    if code in self._phase.delivered:
                        if code in self._phase.arrived:
                            self._phase.duplicates += 1
                        self._phase.arrived.setdefault(code, now)
                        self._phase.check_complete()
            return original(method, params, status, *rest)

        state.log_call = log_call  # type: ignore[method-assign,assignment]
        # The fake keeps a deep copy of every call; a long run needs only the counts.
        state.calls = _CountOnly()

    async def _prepare(
        self, keys: int, per_key: int, idle_keys: int, webhook_url: str | None
    ) -> dict[str, Any]:
        """A fresh sandbox with ``keys`` accounts holding ``per_key`` activations each."""
        from bot.core.clock import SystemClock
        from bot.provider.sandbox import Sandbox, SandboxConfig, SandboxServer
        from bot.provider.sandbox.accounts import AccountSpec

        if self._sandbox_server is not None:
            await self._sandbox_server.stop()
        users = [_FIRST_USER + n for n in range(keys + idle_keys)]
        sandbox = Sandbox(
            clock=SystemClock(),
            config=SandboxConfig(webhook_url=webhook_url),
            accounts=[AccountSpec(_key(user), Decimal("1000000"), f"u{user}") for user in users],
        )
        sandbox.set_stock(_COUNTRY, _SERVICE, keys * per_key + 10)
        plan: list[dict[str, Any]] = []
        self._activations = []
        for user in users:
            # As if each user had sent /start: the bot may write to them.
            self._telegram.state.add_user(user, f"User {user}").started_bot = True
            bought = []
            for _ in range(per_key if user < _FIRST_USER + keys else 0):
                reply = sandbox.handle(
                    {"action": "getNumber", "api_key": _key(user), "service": _SERVICE,
                     "country": str(_COUNTRY)}
                )
                _, activation_id, phone = reply.body.split(":")
                bought.append((activation_id, phone))
                self._activations.append((user, int(activation_id)))
            plan.append({"user": user, "key": _key(user), "activations": bought})
        _index_live_by_account(sandbox)
        self._count_requests(sandbox)
        self._sandbox_server = SandboxServer(sandbox)
        await self._sandbox_server.start()
        self._phase = _Phase()
        return {"sandbox": self._sandbox_server.url, "plan": plan}

    def _count_requests(self, sandbox: Any) -> None:
        original = sandbox.handle

        def handle(params: Any, method: str = "GET", **kwargs: Any) -> Any:
            if self._phase.counting:
                account = sandbox.accounts.by_key(params.get("api_key", ""))
                self._phase.requests[account.name if account else "?"] += 1
                self._phase.actions[str(params.get("action"))] += 1
            return original(params, method, **kwargs)

        sandbox.handle = handle

    async def _run(self, window: float, rate: float, grace: float, seed: int) -> dict[str, Any]:
        """Delivers SMS at random moments of ``window``; returns what was seen."""
        sandbox = self._sandbox_server.sandbox
        rng = random.Random(seed)
        count = min(len(self._activations), max(1, round(window * rate)))
        chosen = rng.sample(self._activations, count)
        moments = sorted(rng.uniform(0, window) for _ in chosen)
        phase = self._phase
        telegram_before = Counter(self._telegram.state.call_counts)
        phase.counting = True
        cpu = _cpu_seconds()
        started = time.monotonic()
        for n, ((_, activation_id), moment) in enumerate(zip(chosen, moments, strict=True)):
            await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
            code = f"{40_000_000 + n:08d}"
            sandbox.deliver_sms(activation_id, f"Your code is {code}", code)
            phase.delivered[code] = time.monotonic()
        await asyncio.sleep(max(0.0, started + window - time.monotonic()))
        phase.counting = False
        measured = time.monotonic() - started
        cpu = _cpu_seconds() - cpu
        phase.check_complete()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(phase.complete.wait(), grace)
        delays = [(phase.arrived[c] - phase.delivered[c]) * 1000 for c in phase.arrived]
        telegram = Counter(self._telegram.state.call_counts)
        telegram.subtract(telegram_before)
        return {
            "delays_ms": delays,
            "codes": len(phase.delivered),
            "missed": len(phase.delivered) - len(phase.arrived),
            "duplicates": phase.duplicates,
            "world_cpu": cpu / measured,
            "requests": dict(phase.requests),
            "actions": dict(phase.actions),
            "seconds": measured,
            "telegram": {k: v for k, v in telegram.items() if v},
        }


class _CountOnly(list):  # type: ignore[type-arg]
    """A call log that keeps nothing (the fake's counts still add up)."""

    def append(self, item: Any) -> None:
        pass


def _key(user: int) -> str:
    return f"benchkey{user:012d}abcdef"


def _index_live_by_account(sandbox: Any) -> None:
    """The sandbox finds an account's live activations by walking all of them: 10,000 per
    getActiveActivations is the emulator's cost, not a provider's. Index them by account
    (same result, same order) so the world process keeps up with 2,000 keys a tick."""
    from bot.provider.sandbox.activations import ActivationBook

    class IndexedBook(ActivationBook):
        __slots__ = ()

        def live(self, account: Any = None) -> list[Any]:
            if account is None:
                return super().live(None)
            found = _LIVE_BY_ACCOUNT.get(account.name, [])
            for activation in found:
                self.settle(activation)
            return [a for a in found if not a.state.terminal]

    _LIVE_BY_ACCOUNT.clear()
    book = sandbox.activations
    for activation in book.all():
        _LIVE_BY_ACCOUNT[activation.account].append(activation)
    book.__class__ = IndexedBook


_LIVE_BY_ACCOUNT: defaultdict[str, list[Any]] = defaultdict(list)


# --- seeding the bot's database -------------------------------------------------------------


def _seed_main(path: str, provider: str, plan: list[dict[str, Any]]) -> None:
    asyncio.run(_seed(path, provider, plan))


async def _seed(path: str, provider: str, plan: list[dict[str, Any]]) -> None:
    """Users with encrypted keys and confirmed activations, as /key and /buy leave them."""
    from bot.core.clock import SystemClock
    from bot.core.secret import Secret
    from storage.activations import ActivationLedger
    from storage.db import Database
    from storage.keyring import Keyring
    from storage.users import UserStore
    from storage.vault import KeyVault

    clock = SystemClock()
    async with await Database.open(path, clock=clock) as db:
        users, vault = UserStore(db), KeyVault(db, Keyring.parse(_MASTER_KEYS))
        ledger = ActivationLedger(db)
        message_id = 1000
        for offset in range(0, len(plan), 200):
            # One outer transaction per batch; each store call joins it as a savepoint.
            async with db.transaction(durable=True):
                for entry in plan[offset : offset + 200]:
                    user = entry["user"]
                    await users.ensure(user)
                    await vault.put(user, provider, Secret(entry["key"]))
                    for activation_id, phone in entry["activations"]:
                        intent = await ledger.record_intent(
                            idempotency_key=f"bench-{activation_id}", user_id=user,
                            chat_id=user, provider=provider, service=_SERVICE,
                            country=_COUNTRY,
                        )
                        await ledger.confirm_intent(
                            intent, activation_id=activation_id, phone=phone,
                            cost=Decimal("12.50"), deadline=clock.now() + _LIFETIME,
                        )
                        message_id += 1
                        await ledger.set_message(
                            intent.ledger_id, chat_id=user, message_id=message_id
                        )


# --- the bot side ---------------------------------------------------------------------------


def _smsbot_main(
    conn: multiprocessing.connection.Connection, settings_env: dict[str, str], telegram: str
) -> None:
    _quiet_logs()
    asyncio.run(_smsbot(conn, settings_env, telegram))


async def _smsbot(
    conn: multiprocessing.connection.Connection, settings_env: dict[str, str], telegram: str
) -> None:
    from bot.app import build_application
    from bot.config import Settings
    from bot.lifecycle import close_application, start_background

    began = time.perf_counter()
    first_tick = asyncio.get_running_loop().create_future()
    ticks: list[tuple[float, int, int]] = []  # (seconds, keys, provider calls)
    application, services = await build_application(
        Settings.from_env(settings_env), bot_base_url=telegram
    )
    watcher = services.watcher
    tick = watcher.tick

    async def timed_tick() -> Any:
        started = time.perf_counter()
        report = await tick()
        ticks.append((time.perf_counter() - started, report.keys, report.provider_calls))
        if not first_tick.done():
            first_tick.set_result(time.perf_counter() - began)
        return report

    watcher.tick = timed_tick  # type: ignore[method-assign]
    try:
        await application.initialize()
        await start_background(application, services)
        startup = await first_tick
        first = ticks[0]
        conn.send({"startup_s": startup, "first_tick_keys": first[1]})
        await _recv(conn)  # go
        ticks.clear()
        profile = _profiler()
        cpu = _cpu_seconds()
        wall = time.perf_counter()
        await _recv(conn)  # stop
        cpu = _cpu_seconds() - cpu
        wall = time.perf_counter() - wall
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["PUSH_PROFILE"])
    finally:
        await close_application(services)
        await application.shutdown()
    durations = [t[0] for t in ticks]
    conn.send({
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_mb": _peak_rss_mb(),
        "ticks": len(ticks),
        "tick_p50_ms": statistics.median(durations) * 1000 if durations else float("nan"),
        "tick_max_ms": max(durations) * 1000 if durations else float("nan"),
    })


def _baseline_main(
    conn: multiprocessing.connection.Connection,
    sandbox: str,
    telegram: str,
    plan: list[dict[str, Any]],
) -> None:
    _quiet_logs()
    asyncio.run(_baseline(conn, sandbox, telegram, plan))


async def _baseline(
    conn: multiprocessing.connection.Connection,
    sandbox: str,
    telegram: str,
    plan: list[dict[str, Any]],
) -> None:
    """A getStatus loop per activation, every 4 s; the code goes out with sendMessage."""
    import aiohttp

    stop = asyncio.Event()
    errors = Counter[str]()

    async def watch(session: aiohttp.ClientSession, user: int, key: str, activation: str) -> None:
        await asyncio.sleep(random.uniform(0, _BASELINE_INTERVAL))
        while not stop.is_set():
            try:
                params = {"api_key": key, "action": "getStatus", "id": activation}
                async with session.get(sandbox, params=params) as reply:
                    status = await reply.text()
                if status.startswith("STATUS_OK:"):
                    text = f"Code: {status.split(':', 1)[1]}"
                    async with session.post(
                        f"{telegram}{_TOKEN}/sendMessage", json={"chat_id": user, "text": text}
                    ) as sent:
                        await sent.read()
                    return
            except (aiohttp.ClientError, TimeoutError) as error:
                errors[type(error).__name__] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), _BASELINE_INTERVAL)

    began = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [
            asyncio.create_task(watch(session, e["user"], e["key"], a))
            for e in plan
            for a, _ in e["activations"]
        ]
        conn.send({"startup_s": time.perf_counter() - began, "first_tick_keys": len(plan)})
        await _recv(conn)  # go
        cpu, wall = _cpu_seconds(), time.perf_counter()
        await _recv(conn)  # stop
        cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    conn.send({"cpu_s": cpu, "wall_s": wall, "rss_mb": _peak_rss_mb(), "errors": dict(errors)})


# --- /buy at once ---------------------------------------------------------------------------
#
# Two processes, as in the polling phases: the **buy world** (sandbox, fake Bot API and the
# 200 simulated users) and the **bot** (the Application alone, fed each update over loopback
# the way a Telegram webhook would be). Every figure below is measured inside the bot process,
# so neither the fakes' CPU nor their turns on an event loop are in it.


def _buy_world_main(
    conn: multiprocessing.connection.Connection, count: int, think: float
) -> None:
    _quiet_logs()
    asyncio.run(_buy_world(conn, count, think))


async def _buy_world(
    conn: multiprocessing.connection.Connection, count: int, think: float
) -> None:
    """Sandbox + fake Telegram; the users give their key, then all walk /buy at once."""
    import aiohttp

    from bot.core.clock import SystemClock
    from bot.fake_telegram import FakeTelegramServer
    from bot.provider.sandbox import Sandbox, SandboxServer
    from bot.provider.sandbox.accounts import AccountSpec

    users = [_FIRST_USER + n for n in range(count)]
    sandbox = Sandbox(
        clock=SystemClock(), accounts=[AccountSpec(_key(u), Decimal("1000")) for u in users]
    )
    async with SandboxServer(sandbox) as provider, FakeTelegramServer(
        tokens=[_TOKEN]
    ) as telegram, aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=600)
    ) as session:
        telegram.state.calls = _CountOnly()
        conn.send({"sandbox": provider.url, "telegram": telegram.bot_base_url})
        limits = getattr(telegram.flood, "enable_documented_limits", None)
        if limits is not None:
            limits()
        bot_url = await _recv(conn)

        async def forward(update: dict[str, Any]) -> None:
            # Direct delivery across processes: the driver's step returns once the bot has
            # handled the update, as in the in-process tests.
            async with session.post(bot_url, json=update) as reply:
                reply.raise_for_status()
                await reply.read()

        telegram.state.deliver_directly(forward)
        drivers = [telegram.user(u, f"User {u}") for u in users]

        async def give_key(user: int, driver: Any) -> None:
            await driver.send_text("/key")
            await driver.send_text(_key(user))

        # All at once (not measured): one after another, each chat's fourth call in a row
        # would wait its second under the send policy, 1,000 users some 17 minutes.
        await asyncio.gather(*(give_key(u, d) for u, d in zip(users, drivers, strict=True)))
        conn.send("keys stored")
        await asyncio.sleep(max(think, 2.0))  # the chats' buckets refill after the key steps
        refused = telegram.flood.refused if limits is not None else -1
        await _recv(conn)  # go
        wall = time.perf_counter()
        bought = await asyncio.gather(*(_walk_and_buy(d, think) for d in drivers))
        wall = time.perf_counter() - wall
        refused = telegram.flood.refused - refused if limits is not None else -1
        conn.send({"wall_s": wall, "bought": sum(bought), "refused": refused})
        await _recv(conn)  # quit


def _buy_bot_main(
    conn: multiprocessing.connection.Connection, sandbox: str, telegram: str
) -> None:
    _quiet_logs()
    asyncio.run(_buy_bot(conn, sandbox, telegram))


@dataclass
class _UpdateCost:
    """Where one update's wall time went (seconds)."""

    queued: float = 0.0  # in the rate limiter (the send policy; AIORateLimiter in old code)
    telegram: float = 0.0  # Bot API round trips, awaited by the handler
    provider: float = 0.0  # provider round trips, awaited by the handler
    handling: float = 0.0  # process_update, once the update has a processing slot
    write_wait: float = 0.0  # waiting for the database's one writer (other tasks' writes)
    writing: float = 0.0  # inside our own write transactions, commit included
    reading: float = 0.0  # reads outside a transaction (the reader, one query at a time)


_COST: contextvars.ContextVar[_UpdateCost | None] = contextvars.ContextVar(
    "update_cost", default=None
)


async def _buy_bot(
    conn: multiprocessing.connection.Connection, sandbox: str, telegram: str
) -> None:
    from aiohttp import web
    from telegram import Update

    from bot.app import build_application
    from bot.config import Settings
    from bot.lifecycle import close_application

    _time_rate_limiter_waits()
    _time_provider_calls()
    _time_database()
    rows: list[tuple[float, _UpdateCost]] = []  # (arrival to done, its split) while measuring
    measuring = False
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({
            "TELEGRAM_BOT_TOKEN": _TOKEN,
            "SMSBOT_PROVIDER_URL": sandbox,
            "SMSBOT_DATABASE": str(Path(folder) / "buy.sqlite3"),
            "SMSBOT_MASTER_KEYS": _MASTER_KEYS,
        })
        application, services = await build_application(settings, bot_base_url=telegram)

        async def handle(update: Update, cost: _UpdateCost) -> None:
            token = _COST.set(cost)
            started = time.perf_counter()
            try:
                await application.process_update(update)
            finally:
                cost.handling = time.perf_counter() - started
                _COST.reset(token)

        async def receive(request: web.Request) -> web.Response:
            arrived = time.perf_counter()
            update = Update.de_json(await request.json(), application.bot)
            cost = _UpdateCost()
            # Through the bot's own update processor, as polling or a webhook would: at most
            # 64 updates at once, one at a time per user; the rest wait for a slot.
            await application.update_processor.process_update(update, handle(update, cost))
            if measuring:
                rows.append((time.perf_counter() - arrived, cost))
            return web.Response(text="{}")

        receiver = web.Application()
        receiver.router.add_post("/update", receive)
        runner = web.AppRunner(receiver, access_log=None)
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await application.initialize()
            conn.send(f"http://127.0.0.1:{port}/update")
            await _recv(conn)  # go
            measuring = True
            profile = _profiler()
            cpu, wall = _cpu_seconds(), time.perf_counter()
            await _recv(conn)  # stop
            cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
            measuring = False
            if profile is not None:
                profile.disable()
                profile.dump_stats(os.environ["PUSH_PROFILE"])
        finally:
            await runner.cleanup()
            # Open database threads would keep this process from exiting.
            await application.shutdown()
            await close_application(services)

    def ms(values: list[float]) -> list[float]:
        return [
            _percentile(values, share) * 1000 for share in (0.50, 0.95, 0.99)
        ]

    walls = [w for w, _ in rows]
    conn.send({
        "updates": len(rows),
        "wall_ms": ms(walls),
        "slot_ms": ms([w - c.handling for w, c in rows]),
        "handling_ms": ms([c.handling for _, c in rows]),
        "own_ms": ms([c.handling - c.queued for _, c in rows]),
        "ours_ms": ms([c.handling - c.queued - c.telegram - c.provider for _, c in rows]),
        "telegram_ms": ms([c.telegram for _, c in rows]),
        "provider_ms": ms([c.provider for _, c in rows]),
        "write_wait_ms": ms([c.write_wait for _, c in rows]),
        "writing_ms": ms([c.writing for _, c in rows]),
        "reading_ms": ms([c.reading for _, c in rows]),
        "totals_s": {
            "wall": sum(walls),
            "handling": sum(c.handling for _, c in rows),
            "queued": sum(c.queued for _, c in rows),
            "telegram": sum(c.telegram for _, c in rows),
            "provider": sum(c.provider for _, c in rows),
            "write_wait": sum(c.write_wait for _, c in rows),
            "writing": sum(c.writing for _, c in rows),
            "reading": sum(c.reading for _, c in rows),
        },
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_mb": _peak_rss_mb(),
    })


def _time_rate_limiter_waits() -> None:
    """Notes, per update, how long its Telegram calls queued in the rate limiter (the send
    policy's per-chat pacing; PTB's AIORateLimiter, 30 calls a second for all, in older code:
    Telegram's bound on the bot, not time the bot spends) and how long the calls took."""
    limiter: Any
    try:
        from bot.telegram.send_policy import SendPolicy as limiter
    except ImportError:  # the code before the send policy
        from telegram.ext import AIORateLimiter as limiter

    original = limiter.process_request

    async def process_request(
        self: Any, callback: Any, args: Any, kwargs: Any, endpoint: str, data: Any,
        rate_limit_args: Any,
    ) -> Any:
        entered, inside = time.perf_counter(), 0.0

        async def measured(*a: Any, **k: Any) -> Any:
            nonlocal inside
            started = time.perf_counter()
            try:
                return await callback(*a, **k)
            finally:
                inside += time.perf_counter() - started

        try:
            return await original(
                self, measured, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            cost = _COST.get()
            if cost is not None:
                cost.queued += time.perf_counter() - entered - inside
                cost.telegram += inside

    limiter.process_request = process_request


def _time_provider_calls() -> None:
    """Notes, per update, the time spent awaiting the provider (one HTTP round trip each)."""
    from bot.provider.transport import ProviderTransport

    original = ProviderTransport._send

    async def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            cost = _COST.get()
            if cost is not None:
                cost.provider += time.perf_counter() - started

    ProviderTransport._send = send  # type: ignore[method-assign]


def _time_database() -> None:
    """Notes, per update, time waiting for the writer, inside write transactions, and reading."""
    from storage.sqlite import SQLiteDatabase as Database

    transaction, fetchall = Database.transaction, Database.fetchall

    @contextlib.asynccontextmanager
    async def timed_transaction(self: Any, *, durable: bool = False) -> Any:
        cost = _COST.get()
        outer = self._owner is None or self._owner is not asyncio.current_task()
        asked = time.perf_counter()
        async with transaction(self, durable=durable) as tx:
            entered = time.perf_counter()
            try:
                yield tx
            finally:
                if cost is not None and outer:
                    cost.write_wait += entered - asked
                    cost.writing += time.perf_counter() - entered

    def timed_read(original: Any) -> Any:
        async def read(self: Any, *args: Any, **kwargs: Any) -> Any:
            cost = _COST.get()
            outer = self._owner is None or self._owner is not asyncio.current_task()
            started = time.perf_counter()
            try:
                return await original(self, *args, **kwargs)
            finally:
                if cost is not None and outer:
                    cost.reading += time.perf_counter() - started

        return read

    Database.transaction = timed_transaction  # type: ignore[method-assign]
    Database.fetchall = timed_read(fetchall)  # type: ignore[method-assign]  # fetchone too


def _run_buy(ctx: Any, users: int, think: float) -> dict[str, Any]:
    world, world_end = multiprocessing.Pipe()
    world_process = ctx.Process(
        target=_buy_world_main, args=(world_end, users, think), name="buy-world"
    )
    world_process.start()
    urls = _from_child(world, world_process)
    bot, bot_end = multiprocessing.Pipe()
    bot_process = ctx.Process(
        target=_buy_bot_main, args=(bot_end, urls["sandbox"], urls["telegram"]), name="buy-bot"
    )
    bot_process.start()
    try:
        world.send(_from_child(bot, bot_process))
        _from_child(world, world_process)  # keys stored
        bot.send("go")
        world.send("go")
        walked = _from_child(world, world_process)
        bot.send("stop")
        result: dict[str, Any] = _from_child(bot, bot_process)
        world.send("quit")
    finally:
        bot_process.join(timeout=30)
        world_process.join(timeout=30)
    return {**result, **walked}


async def _walk_and_buy(user: Any, think: float) -> bool:
    """/buy, Telegram, the first country, any operator if asked, then Buy; ``think`` seconds
    between an answer and the next step."""
    await user.send_text("/buy")
    await asyncio.sleep(think)
    await user.press("Telegram")
    await asyncio.sleep(think)
    countries = user.last_bot_message()
    await user.press(countries.buttons[0][0])
    await asyncio.sleep(think)
    step = user.last_bot_message()
    if step.find_buttons("Any operator"):
        await user.press("Any operator")
        await asyncio.sleep(think)
    confirm = user.last_bot_message()
    await user.press(confirm.buttons[0][0])
    last = user.last_bot_message()
    return last is not None and "+" in last.text


# --- the orchestra --------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    world: dict[str, Any]
    side: dict[str, Any]
    start: dict[str, Any]
    keys: int
    idle_keys: int
    interval: float


def _run_phase(
    ctx: Any,
    world: multiprocessing.connection.Connection,
    telegram: str,
    name: str,
    args: argparse.Namespace,
) -> Result:
    webhook_port = _free_port() if name == "smsbot+webhook" else None
    webhook_url = (
        f"http://127.0.0.1:{webhook_port}/webhooks/{_WEBHOOK_SECRET}/activation"
        if webhook_port
        else None
    )
    world.send(("prepare", {"keys": args.keys, "per_key": args.per_key,
                            "idle_keys": args.idle_keys, "webhook_url": webhook_url}))
    prepared = world.recv()
    sandbox, plan = prepared["sandbox"], prepared["plan"]
    ours, theirs = multiprocessing.Pipe()
    with tempfile.TemporaryDirectory() as folder:
        if name == "baseline":
            watched = [e for e in plan if e["activations"]]
            process = ctx.Process(target=_baseline_main, args=(theirs, sandbox, telegram, watched))
        else:
            database = (
                _fresh_postgres(args.postgres) if args.postgres
                else str(Path(folder) / "bot.sqlite3")
            )
            seeding = time.perf_counter()
            seed = ctx.Process(target=_seed_main, args=(database, sandbox, plan))
            seed.start()
            seed.join()
            if seed.exitcode != 0:
                raise SystemExit(f"seeding the database failed ({seed.exitcode})")
            print(f"  seeded {len(plan)} users in {time.perf_counter() - seeding:.1f} s",
                  file=sys.stderr)
            env = {
                "TELEGRAM_BOT_TOKEN": _TOKEN,
                "SMSBOT_PROVIDER_URL": sandbox,
                "SMSBOT_DATABASE": database,
                "SMSBOT_MASTER_KEYS": _MASTER_KEYS,
                "SMSBOT_POLL_INTERVAL": str(args.interval),
            }
            if webhook_port:
                env["SMSBOT_WEBHOOK_SECRET"] = _WEBHOOK_SECRET
                env["SMSBOT_WEBHOOK_LISTEN"] = f"127.0.0.1:{webhook_port}"
            process = ctx.Process(target=_smsbot_main, args=(theirs, env, telegram))
        process.start()
        start = _from_child(ours, process)
        ours.send("go")
        world.send(("run", {"window": args.window, "rate": args.rate,
                            "grace": max(10.0, 4 * args.interval), "seed": args.seed}))
        seen = world.recv()
        ours.send("stop")
        side = _from_child(ours, process)
        process.join()
    return Result(name, seen, side, start, args.keys, args.idle_keys,
                  _BASELINE_INTERVAL if name == "baseline" else args.interval)


def _fresh_postgres(server: str) -> str:
    """A new, empty database on the PostgreSQL server (the bot migrates it); its URL."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import asyncpg

    name = f"push_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()

    asyncio.run(create())
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def _from_child(conn: multiprocessing.connection.Connection, process: Any) -> Any:
    """The child's next message; stops the run if the child died instead (its traceback is
    on stderr)."""
    while not conn.poll(0.5):
        if not process.is_alive():
            raise SystemExit(f"{process.name} exited with {process.exitcode}")
    return conn.recv()


def _rows(results: list[Result]) -> list[tuple[str, list[str]]]:
    def per_key(result: Result) -> tuple[float, float, int]:
        minutes = result.world["seconds"] / 60
        watched = [result.world["requests"].get(f"u{_FIRST_USER + n}", 0)
                   for n in range(result.keys)]
        idle = sum(result.world["requests"].get(f"u{_FIRST_USER + result.keys + n}", 0)
                   for n in range(result.idle_keys))
        return statistics.mean(watched) / minutes, max(watched) / minutes, idle

    def ticks(result: Result) -> int:
        # Ticks (the baseline's: its 4 s period) that can start within the window.
        return math.ceil(result.world["seconds"] / result.interval - 1e-6)

    def by_name(counts: dict[str, int]) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))

    def tick_time(side: dict[str, Any]) -> str:
        if "tick_p50_ms" not in side:
            return "-"
        return f"{side['tick_p50_ms']:,.0f} / {side['tick_max_ms']:,.0f}"

    def cpu_share(side: dict[str, Any]) -> str:
        return f"{side['cpu_s']:.1f} s = {100 * side['cpu_s'] / side['wall_s']:.0f} %"

    cells: dict[str, Callable[[Result], str]] = {
        "p50": lambda r: f"{_percentile(r.world['delays_ms'], 0.5):,.0f}",
        "p95": lambda r: f"{_percentile(r.world['delays_ms'], 0.95):,.0f}",
        "p99": lambda r: f"{_percentile(r.world['delays_ms'], 0.99):,.0f}",
        "max": lambda r: f"{max(r.world['delays_ms'], default=float('nan')):,.0f}",
        "codes": lambda r: f"{len(r.world['delays_ms'])}/{r.world['codes']}",
        "duplicates": lambda r: str(r.world["duplicates"]),
        "world": lambda r: f"{100 * r.world['world_cpu']:.0f} %",
        "total": lambda r: f"{sum(r.world['requests'].values()) / (r.world['seconds'] / 60):,.0f}",
        "mean": lambda r: f"{per_key(r)[0]:.1f}",
        "maxkey": lambda r: f"{per_key(r)[1]:.1f}",
        "tick": lambda r: f"{per_key(r)[1] * (r.world['seconds'] / 60) / ticks(r):.2f}",
        "idle": lambda r: str(per_key(r)[2]),
        "actions": lambda r: by_name(r.world["actions"]),
        "telegram": lambda r: by_name(r.world["telegram"]) or "0",
        "cpu": lambda r: cpu_share(r.side),
        "rss": lambda r: f"{r.side['rss_mb']:.0f}",
        "startup": lambda r: f"{r.start['startup_s']:.2f}",
        "ticktime": lambda r: tick_time(r.side),
    }

    lines = [
        ("codes pushed / delivered", "codes"),
        ("codes pushed twice", "duplicates"),
        ("delay p50, ms", "p50"),
        ("delay p95, ms", "p95"),
        ("delay p99, ms", "p99"),
        ("delay max, ms", "max"),
        ("provider requests / min, total", "total"),
        ("  per watched key / min, mean", "mean"),
        ("  per watched key / min, max", "maxkey"),
        ("  per key per tick, max", "tick"),
        ("  to keys with nothing watched", "idle"),
        ("  by action", "actions"),
        ("Telegram calls", "telegram"),
        ("bot CPU over the window (% of a core)", "cpu"),
        ("bot peak RSS, MB", "rss"),
        ("start-up to first full tick, s", "startup"),
        ("tick duration p50 / max, ms", "ticktime"),
        ("world (sandbox + fake Telegram) CPU", "world"),
    ]
    return [(label, [cells[what](r) for r in results]) for label, what in lines]


def _print_table(header: list[str], rows: list[tuple[str, list[str]]]) -> None:
    widths = [max(len(header[0]), *(len(label) for label, _ in rows))]
    for column in range(1, len(header)):
        widths.append(max(len(header[column]), *(len(values[column - 1]) for _, values in rows)))
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for label, values in rows:
        cells = [label, *values]
        print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 keys x 5, an 8 s window")
    parser.add_argument("--keys", type=int, help="keys with activations (default 2000)")
    parser.add_argument("--per-key", type=int, default=5, help="activations per key")
    parser.add_argument("--idle-keys", type=int, help="keys stored with nothing to watch")
    parser.add_argument("--interval", type=float, default=3.0, help="our poll interval, s")
    parser.add_argument("--window", type=float, help="measured seconds (default 60)")
    parser.add_argument("--rate", type=float, help="codes per second (default 8)")
    parser.add_argument(
        "--buy-users", help="users walking /buy at once, comma-separated for several runs (200)"
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="/buy: seconds a user takes between steps"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres", default="", metavar="URL",
        help="run the smsbot columns on a fresh database of this PostgreSQL server "
        "(e.g. .ci/with-postgres sh -c '... --postgres $SMSBOT_TEST_POSTGRES')",
    )
    parser.add_argument(
        "--phases", default="smsbot,smsbot+webhook,baseline,buy",
        help="comma-separated: smsbot, smsbot+webhook, baseline, buy",
    )
    args = parser.parse_args()
    quick = args.quick
    args.keys = args.keys or (200 if quick else 2000)
    args.idle_keys = args.idle_keys if args.idle_keys is not None else args.keys // 10
    args.window = args.window or (8.0 if quick else 60.0)
    args.rate = args.rate or (5.0 if quick else 8.0)
    buy_users = [int(n) for n in (args.buy_users or ("50" if quick else "200")).split(",")]
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]

    ctx = multiprocessing.get_context("spawn")
    os.environ.setdefault("PYTHONPATH", str(_ROOT))
    world, theirs = multiprocessing.Pipe()
    world_process = ctx.Process(target=_world_main, args=(theirs,), name="world")
    world_process.start()
    telegram = world.recv()["telegram"]
    results: list[Result] = []
    buys: list[tuple[int, dict[str, Any]]] = []
    try:
        for name in phases:
            print(f"phase {name} ...", file=sys.stderr)
            if name == "buy":
                buys += [(users, _run_buy(ctx, users, args.think)) for users in buy_users]
            else:
                results.append(_run_phase(ctx, world, telegram, name, args))
    finally:
        world.send(("quit", {}))
        world_process.join(timeout=30)

    watched = args.keys * args.per_key
    print(
        f"\n{args.keys:,} keys x {args.per_key} = {watched:,} watched activations"
        f" (+{args.idle_keys:,} keys with none); {args.rate:g} codes/s at random moments of a"
        f" {args.window:g} s window; poll interval {args.interval:g} s"
        f" (baseline: getStatus per activation every {_BASELINE_INTERVAL:g} s)\n"
    )
    if results:
        header = ["", *(f"{r.name} ({r.interval:g} s)" for r in results)]
        _print_table(header, _rows(results))
    for users, buy in buys:
        totals = buy["totals_s"]
        ours = totals["handling"] - totals["queued"] - totals["telegram"] - totals["provider"]
        refused = "not counted" if buy["refused"] < 0 else str(buy["refused"])
        print(
            f"\n/buy by {users} users at once (to the confirm screen, then Buy; {args.think:g} s"
            f" between steps): {buy['updates']} updates, {buy['bought']} bought in"
            f" {buy['wall_s']:.1f} s, {refused} 429s from the fake Bot API;"
            f" bot process alone (fakes in another process): CPU {buy['cpu_s']:.1f} s ="
            f" {100 * buy['cpu_s'] / buy['wall_s']:.0f} % of a core,"
            f" {1000 * buy['cpu_s'] / max(1, buy['updates']):.1f} ms CPU per update,"
            f" peak RSS {buy['rss_mb']:.0f} MB\n"
        )
        _print_table(
            ["per update, ms (in the bot process)", "p50", "p95", "p99"],
            [
                (label, [f"{v:,.0f}" if v >= 10 else f"{v:.1f}" for v in buy[key]])
                for label, key in (
                    ("arrival to done (what a user waits)", "wall_ms"),
                    ("  waiting for a processing slot", "slot_ms"),
                    ("  process_update, wall", "handling_ms"),
                    ("  process_update less rate-limiter queueing", "own_ms"),
                    ("  awaiting the Bot API", "telegram_ms"),
                    ("  awaiting the provider", "provider_ms"),
                    ("  waiting for the database writer", "write_wait_ms"),
                    ("  inside our write transactions", "writing_ms"),
                    ("  reading the database", "reading_ms"),
                    ("  process_update less queueing, Bot API, provider", "ours_ms"),
                )
            ],
        )
        print(
            f"\nsummed over updates: process_update {totals['handling']:.1f} s = queued"
            f" {totals['queued']:.1f} + Bot API {totals['telegram']:.1f} + provider"
            f" {totals['provider']:.1f} + ours"
            f" {ours:.1f}"
        )

if __name__ == "__main__":
    main()
