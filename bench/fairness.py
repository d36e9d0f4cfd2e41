"""Fairness benchmark: what one hostile user's trickling provider costs another user (issue 11).

Run: ``python bench/fairness.py [--give-up 120]``

Two scenarios, each with the real bot (build_application), the fake Bot API and the sandbox on
loopback, and a provider of the attacker's own that proxies to the sandbox but answers chosen
actions one byte a second (tests/trickling.py):

* ``balance``: the attacker (custom provider, SMSBOT_PROVIDER_TIMEOUT=2) sends /balance 65
  times over real long polling; then another user sends /balance. Printed: the seconds until
  that user's answer.
* ``code``: the attacker's provider trickles getActiveActivations (SMSBOT_PROVIDER_TIMEOUT=15)
  while the watcher runs every second; another user's SMS arrives at the sandbox. Printed: the
  seconds until that user sees the code.

A figure over ``--give-up`` seconds is printed as "> N s". Takes a few seconds when the bot is
fair.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import _rootpath  # noqa: F401 - first: the repository root, not bench/, on sys.path

from bot.app import build_application
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.ptb import process_with
from bot.lifecycle import close_application
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY, default_test_accounts
from bot.services.container import Services
from tests.trickling import TricklingProvider

_TOKEN = "123456789:BENCH-bot-token"
_MASTER_KEYS = "k1:" + base64.b64encode(bytes(range(32))).decode()
_FLOOD = 65


def _settings(folder: Path, provider: str, timeout: int) -> Settings:
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": _TOKEN,
            "SMSBOT_PROVIDER_URL": provider,
            "SMSBOT_DATABASE": str(folder / "smsbot.sqlite3"),
            "SMSBOT_MASTER_KEYS": _MASTER_KEYS,
            "SMSBOT_CUSTOM_PROVIDERS": "any",
            "SMSBOT_PROVIDER_TIMEOUT": str(timeout),
        }
    )


@contextlib.asynccontextmanager
async def _world(
    provider_timeout: int,
) -> AsyncIterator[tuple[Any, Services, FakeTelegramServer, Sandbox, TricklingProvider]]:
    sandbox = Sandbox(clock=ManualClock(), accounts=default_test_accounts())
    with tempfile.TemporaryDirectory() as folder:
        async with (
            SandboxServer(sandbox, host="127.0.0.1", port=0) as server,
            FakeTelegramServer(tokens=[_TOKEN]) as telegram,
            TricklingProvider(server.url, byte_every=1.0) as trickler,
        ):
            application, services = await build_application(
                _settings(Path(folder), server.url, provider_timeout),
                bot_base_url=telegram.bot_base_url,
                clock=sandbox.clock,
            )
            try:
                yield application, services, telegram, sandbox, trickler
            finally:
                trickler.release()
                await close_application(services)


async def _said(user: FakeUser, text: str, within: float) -> None:
    await user.wait_for(lambda chat: any(m.from_bot and text in m.text for m in chat), within)


async def _timed(user: FakeUser, text: str, give_up: float) -> str:
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await _said(user, text, give_up)
    except TimeoutError:
        return f"> {give_up:.0f} s"
    return f"{loop.time() - started:.2f} s"


async def _set_provider(user: FakeUser, url: str, key: str) -> None:
    await user.send_text("/provider")
    await user.wait_for(lambda chat: any(m.find_buttons("Another provider (URL)…") for m in chat))
    await user.press("Another provider (URL)…")
    await _said(user, "URL", 10)
    await user.send_text(url)
    await _said(user, "Provider set to", 10)
    await user.send_text(f"/key {key}")
    await _said(user, "Key saved", 10)


async def balance_under_flood(give_up: float) -> str:
    async with _world(provider_timeout=2) as world:
        application, _, telegram, _sandbox, trickler = world
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                mallory, bob = telegram.user(3003, "Mallory"), telegram.user(2002, "Bob")
                await bob.send_text(f"/key {BOB_KEY}")
                await _said(bob, "Key saved", 10)
                await _set_provider(mallory, trickler.url, ALICE_KEY)
                trickler.trickle.add("getBalance")
                for _ in range(_FLOOD):
                    await mallory.send_text("/balance")
                await mallory.wait_for(lambda chat: trickler.trickled >= 1, 10)
                await bob.send_text("/balance")
                return await _timed(bob, "💰", give_up)
            finally:
                trickler.release()
                await application.updater.stop()
                await application.stop()


async def code_under_trickle(give_up: float) -> str:
    async with _world(provider_timeout=15) as (application, services, telegram, sandbox, trickler):
        await application.initialize()
        telegram.state.deliver_directly(process_with(application))
        try:
            alice, bob = telegram.user(1001, "Alice"), telegram.user(2002, "Bob")
            await _set_provider(alice, trickler.url, ALICE_KEY)
            await bob.send_text(f"/key {BOB_KEY}")
            for user in (alice, bob):
                await user.send_text("/buy")
                await user.press("Telegram")
                countries = user.last_bot_message()
                assert countries is not None
                await user.press(countries.buttons[0][0])
                step = user.last_bot_message()
                assert step is not None
                if step.find_buttons("Any operator"):
                    await user.press("Any operator")
                confirm = user.last_bot_message()
                assert confirm is not None
                await user.press(confirm.buttons[0][0])
            [activation] = await services.activations.active_for_user(2002)
            assert activation.activation_id is not None
            trickler.trickle.add("getActiveActivations")
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(services.watcher.run(1.0, stop)),
                asyncio.create_task(services.notifier.run(stop, idle_interval=0.2)),
            ]
            try:
                await alice.wait_for(lambda chat: trickler.trickling_now >= 1, 10)
                await asyncio.sleep(1.0)
                sandbox.deliver_sms(int(activation.activation_id), "Your code: 24680")
                return await _timed(bob, "24680", give_up)
            finally:
                trickler.release()
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await application.shutdown()


async def _main(give_up: float) -> None:
    print(
        f"other user's /balance under a {_FLOOD}-update flood: {await balance_under_flood(give_up)}"
    )
    print(
        f"other user's code delay under a trickling provider: {await code_under_trickle(give_up)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--give-up", type=float, default=120.0, help="seconds; default 120")
    asyncio.run(_main(parser.parse_args().give_up))
