"""The bot as an operator runs it: ``python -m bot run`` and ``python -m bot sandbox`` as
subprocesses, the fake Bot API in the test process, each scenario from a fresh database.

The bot reaches the fake through ``TELEGRAM_API_URL`` with real long polling (the fake's queue
mode) and the sandbox through ``SMSBOT_PROVIDER_URL``; the test moves the sandbox's clock,
delivers SMS and injects faults through its JSON control API. When a scenario fails, the
finalizer prints every chat transcript, the sandbox's request log and the bot's log.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx
import pytest

from bot.fake_telegram import FakeTelegramServer, FakeUser, VisibleMessage
from tests import postgres

TOKEN: Final = "987654321:E2E-bot-token-not-a-secret"
MASTER_KEYS: Final = "e2e:" + base64.b64encode(bytes(range(100, 132))).decode()
# Long and unlike anything else, so a search of logs and bytes for them cannot miss or misfire.
ALICE_KEY: Final = "e2eAliceKey7f3a9c2d41b86e05"
BOB_KEY: Final = "e2eBobKey0c9d8e7f6a5b4c3d21"
POLL_INTERVAL: Final = 0.5
PROVIDER_TIMEOUT: Final = 2.0
# Generous bounds for waits: two cores are shared with other work, and a bot subprocess starts
# in a few seconds at worst. A passing scenario never waits this long.
START_TIMEOUT: Final = 30.0
WAIT: Final = 10.0
T = TypeVar("T")
PAID_ACTIONS: Final = frozenset({"getNumber", "getNumberV2"})


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TELEGRAM_"))}


def bot_env(
    telegram_url: str, provider_url: str, database: Path | str, **settings: str
) -> dict[str, str]:
    """The environment ``smsbot run`` gets here: the fakes, a database, the master keys, and
    ``settings`` (``SMSBOT_…`` names) on top; nothing from the caller's own environment."""
    return {
        **_clean_env(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "SMSBOT_PROVIDER_URL": provider_url,
        "SMSBOT_DATABASE": str(database),
        "SMSBOT_MASTER_KEYS": MASTER_KEYS,
        **settings,
    }


async def smsbot_process(*args: str, **options: Any) -> asyncio.subprocess.Process:
    """``python -m bot ARGS``: the smsbot command, as an operator runs it."""
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, **options)


async def _terminate(process: asyncio.subprocess.Process, *, kill: bool = False) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def eventually(probe: Callable[[], Awaitable[T]], timeout: float) -> T:  # noqa: ASYNC109
    """Asks `probe` until it returns something truthy, and returns that.

    Another process's state has no event to wait on, so it is asked again every 50 ms.

    Raises:
        TimeoutError: after `timeout` seconds.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if loop.time() > deadline:
            raise TimeoutError(f"{getattr(probe, '__name__', probe)} not true in {timeout}s")
        await asyncio.sleep(0.05)


class SandboxProcess:
    """``python -m bot sandbox`` on a free port, and a client for its control API."""

    def __init__(
        self, log_path: Path, keys: tuple[str, ...] = (f"{ALICE_KEY}:1000", f"{BOB_KEY}:100")
    ) -> None:
        self.log_path = log_path
        self._keys = keys
        self.url = ""
        self.control_url = ""
        self._process: asyncio.subprocess.Process | None = None
        self._http = httpx.AsyncClient(timeout=10)

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = await smsbot_process(
                "sandbox", "--port", "0", *(arg for key in self._keys for arg in ("--key", key)),
                stdout=asyncio.subprocess.PIPE, stderr=log, env=_clean_env(),
            )
        assert self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), START_TIMEOUT)
        # "smsbot sandbox: URL (control: URL)"
        text = line.decode().strip()
        assert text.startswith("smsbot sandbox: "), f"sandbox did not start: {text!r}"
        url, _, control = text.removeprefix("smsbot sandbox: ").partition(" (control: ")
        self.url, self.control_url = url, control.rstrip(")")

    async def stop(self) -> None:
        if self._process is not None:
            await _terminate(self._process)
        await self._http.aclose()

    async def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Calls ``/sandbox/<path>`` and returns its JSON; a control error fails the test."""
        response = await self._http.request(
            method, f"{self.control_url.rstrip('/')}/{path.lstrip('/')}", json=body
        )
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response.json()

    async def advance(self, seconds: float) -> None:
        await self.control("POST", "clock/advance", {"seconds": seconds})

    async def activations(self) -> list[dict[str, Any]]:
        return list(await self.control("GET", "activations"))

    async def only_activation(self) -> dict[str, Any]:
        found = await self.activations()
        assert len(found) == 1, found
        return found[0]

    async def deliver_sms(self, activation_id: int | str, code: str) -> None:
        text = f"Your Telegram code: {code}. Do not give it to anyone."
        await self.control(
            "POST", "sms", {"activation_id": int(activation_id), "text": text, "code": code}
        )

    async def wait_for_activation(self) -> dict[str, Any]:
        """Waits until the sandbox has sold a number (e.g. while it holds the answer back)."""
        found = await eventually(self.activations, WAIT)
        return found[0]

    async def fault(self, action: str, kind: str, **extra: Any) -> None:
        await self.control("POST", "faults", {"action": action, "kind": kind, **extra})

    async def requests(self) -> list[dict[str, Any]]:
        return list(await self.control("GET", "requests"))

    async def paid_calls(self) -> int:
        return sum(1 for r in await self.requests() if r["action"] in PAID_ACTIONS)

    async def balance(self, key: str) -> str:
        return str((await self.control("GET", f"accounts/{key}"))["balance"])


class BotProcess:
    """``python -m bot run`` against the fake Telegram and the sandbox, logging to a file."""

    def __init__(
        self, database: Path | str, log_path: Path, telegram: FakeTelegramServer, provider_url: str
    ) -> None:
        self.log_path = log_path
        self._telegram = telegram
        self._env = bot_env(
            telegram.url,
            provider_url,
            database,
            SMSBOT_POLL_INTERVAL=str(POLL_INTERVAL),
            # A provider call that hangs is given up after this long (the sandbox's `slow` fault).
            SMSBOT_PROVIDER_TIMEOUT=str(PROVIDER_TIMEOUT),
            # The most a log can say: the key must not be in it even then.
            SMSBOT_LOG_LEVEL="DEBUG",
        )
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Starts the bot and returns once it long-polls the fake (reconciliation done)."""
        state = self._telegram.state
        polls = state.poll_generation
        with self.log_path.open("ab") as log:
            self._process = await smsbot_process(
                "run", stdout=log, stderr=asyncio.subprocess.STDOUT, env=self._env
            )
        # A getUpdates is logged when it returns, up to its long-poll timeout later; a poll that
        # has begun is what says the bot listens.
        await state.wait_until(lambda: state.poll_generation > polls, START_TIMEOUT)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self._process is not None:
            await _terminate(self._process, kill=True)

    async def stop(self) -> int | None:
        """SIGTERM, as systemd stops it; returns the exit status."""
        if self._process is None:
            return None
        await _terminate(self._process)
        return self._process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class E2E:
    """One scenario's world: the fake Telegram, the sandbox and the bot, all running."""

    telegram: FakeTelegramServer
    sandbox: SandboxProcess
    bot: BotProcess
    database: Path
    users: list[FakeUser] = field(default_factory=list)
    database_url: str | None = None  # the bot's PostgreSQL database, when it runs on one

    def user(self, user_id: int = 1001, name: str = "Alice") -> FakeUser:
        user = self.telegram.user(user_id, name, language_code="en")
        if user not in self.users:
            self.users.append(user)
        return user

    async def wait_ticks(self, ticks: int) -> None:
        """Waits until the watcher has polled the provider `ticks` more times."""

        # The sandbox's request log is the watcher's trace: one getActiveActivations per tick.
        async def polls() -> int:
            log = await self.sandbox.requests()
            return sum(1 for r in log if r["action"] == "getActiveActivations")

        target = await polls() + ticks

        async def reached() -> bool:
            return await polls() >= target

        await eventually(reached, WAIT + ticks * POLL_INTERVAL)

    async def wait_for_fault_spent(self, action: str) -> None:
        """Waits until no injected fault for `action` is left pending."""

        async def spent() -> bool:
            return not (await self.sandbox.control("GET", "faults")).get(action)

        await eventually(spent, WAIT * 3)

    def transcripts(self) -> str:
        return "\n".join(user.transcript() for user in self.users)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # Keeps each phase's report on the item, so the e2e finalizer knows whether the test failed.
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "e2e_report_call", None)
    return report is not None and bool(report.failed)


@pytest.fixture
async def e2e(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[E2E]:
    """A fresh database, a sandbox subprocess and the bot subprocess, all running."""
    async with _running(tmp_path, request, tmp_path / "smsbot.sqlite3") as world:
        yield world


@pytest.fixture
async def e2e_postgres(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[E2E]:
    """As ``e2e``, with the bot on a fresh, empty PostgreSQL database it migrates itself."""
    url = await postgres.create_database(migrated=False)
    try:
        async with _running(tmp_path, request, url) as world:
            yield world
    finally:
        await postgres.drop_database(url)


@contextlib.asynccontextmanager
async def _running(
    tmp_path: Path, request: pytest.FixtureRequest, target: Path | str
) -> AsyncIterator[E2E]:
    async with FakeTelegramServer(tokens=[TOKEN]) as telegram:
        sandbox = SandboxProcess(tmp_path / "sandbox.log")
        database = tmp_path / "smsbot.sqlite3"
        world: E2E | None = None
        try:
            await sandbox.start()
            bot = BotProcess(target, tmp_path / "bot.log", telegram, sandbox.url)
            world = E2E(
                telegram, sandbox, bot, database,
                database_url=target if isinstance(target, str) else None,
            )
            try:
                await bot.start()
            except BaseException:
                await _print_failure(world)  # the setup report comes too late for the finally
                raise
            yield world
            if not _failed(request):
                # Whatever a scenario did, the bot only made calls Telegram accepts: no unknown
                # method, bad HTML, overlong text or "message is not modified". (429s the test
                # forced, and polls cut off by a kill or a stop, are not the bot's doing.)
                refused = [
                    f"{c.method} {c.status} {c.description}"
                    for c in telegram.state.calls
                    if not c.ok and c.status not in (429, 499)
                ]
                assert not refused, refused
        finally:
            try:
                if world is not None and _failed(request):
                    await _print_failure(world)
            finally:
                if world is not None:
                    await world.bot.stop()
                await sandbox.stop()


async def _print_failure(world: E2E) -> None:
    # Printed in the teardown phase: pytest shows it under the failed test's report.
    print("\n===== chat transcripts =====")
    print(world.transcripts() or "(no users)")
    print("\n===== sandbox request log =====")
    try:
        for record in await world.sandbox.requests():
            print(json.dumps(record, ensure_ascii=False))
    except (httpx.HTTPError, AssertionError) as error:
        print(f"(unavailable: {error!r})")
    print("\n===== Bot API calls (last 40) =====")
    for call in world.telegram.state.calls[-40:]:
        if call.method not in ("getUpdates", "setMyCommands"):
            print(f"{call.method} {call.status} {call.description or ''} {call.params}"[:400])
    print("\n===== bot log (last 80 lines) =====")
    print("\n".join(world.bot.log().splitlines()[-80:]))


# -- acting as a person --------------------------------------------------------------------


def has_text(*needles: str) -> Callable[[list[VisibleMessage]], bool]:
    """A chat predicate: some bot message contains every needle."""

    def check(chat: list[VisibleMessage]) -> bool:
        return any(m.from_bot and all(n in m.text for n in needles) for m in chat)

    return check


def count_text(user: FakeUser, needle: str) -> int:
    """How many bot messages now show `needle`."""
    return sum(1 for m in user.chat() if m.from_bot and needle in m.text)


async def reply_to(user: FakeUser, text: str) -> VisibleMessage:
    """Sends `text` and waits for the bot's next new message."""
    before = max((m.message_id for m in user.chat()), default=0)
    await user.send_text(text)
    chat = await user.wait_for(
        lambda chat: any(m.from_bot and m.message_id > before for m in chat), WAIT
    )
    return next(m for m in reversed(chat) if m.from_bot)


WORKING: Final = "⏳ Asking the provider"  # a step's note while the provider is slow


async def press_and_wait(
    user: FakeUser, label: str, message: VisibleMessage | int | None = None
) -> VisibleMessage:
    """Presses a button and waits until the bot has answered the press and changed the chat
    (the bot answers first, then edits; a slow step shows "⏳ Asking the provider…" first, which
    is waited out); returns the newest bot message."""
    before = user.chat()
    query = await user.press(label, message)
    await user.wait_for_answer(query, WAIT)
    await user.wait_for(
        lambda chat: chat != before and not any(m.text.startswith(WORKING) for m in chat),
        WAIT,
    )
    last = user.last_bot_message()
    assert last is not None
    return last


async def press_and_answer(
    user: FakeUser, label: str, message: VisibleMessage | int | None = None
) -> str:
    """Presses a button and returns the text of the bot's answer to the press ('' if none)."""
    query = await user.press(label, message)
    answer = await user.wait_for_answer(query, WAIT)
    return answer.text or ""


async def set_key(user: FakeUser, key: str = ALICE_KEY) -> None:
    await reply_to(user, "/key")
    await user.send_text(key)
    await user.wait_for(has_text("Key saved"), WAIT)


async def walk_to_confirm(user: FakeUser) -> VisibleMessage:
    """/buy, Telegram, the cheapest country (and any operator): the confirm screen."""
    await reply_to(user, "/buy")
    await press_and_wait(user, "Telegram")
    countries = user.last_bot_message()
    assert countries is not None and countries.buttons, user.transcript()
    step = await press_and_wait(user, countries.buttons[0][0])
    if step.find_buttons("Any operator"):
        step = await press_and_wait(user, "Any operator")
    assert step.text.startswith("Confirm the purchase"), user.transcript()
    return step


async def buy(user: FakeUser) -> VisibleMessage:
    """Buys the cheapest Telegram number by buttons; returns the activation message."""
    confirm = await walk_to_confirm(user)
    await press_and_wait(user, confirm.buttons[0][0], confirm)
    chat = await user.wait_for(
        lambda chat: any(
            m.message_id == confirm.message_id and "Waiting for the SMS" in m.text for m in chat
        ),
        WAIT,
    )
    return next(m for m in chat if m.message_id == confirm.message_id)
