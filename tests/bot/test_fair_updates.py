"""One user's flood of updates on a trickling provider costs other users nothing (issue 11.1).

The attack: a user points /provider at a server of their own that answers one byte a second,
then sends /balance 65 times. Each of those updates used to take one of the 64 shared slots
while it waited for the user's own earlier ones, and each provider call lasted as long as the
trickle did; another user's /balance then waited minutes. Real long polling, real processor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.lifecycle import close_application
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from bot.services.container import Services
from tests.bot.conftest import bot_settings
from tests.trickling import TricklingProvider

FLOOD = 65
"""The hostile user's /balance commands: one more than the processor's slots."""
PROVIDER_TIMEOUT = 2
"""SMSBOT_PROVIDER_TIMEOUT in this test, as in the issue's attack."""
FAIR_WAIT = 8.0
"""How long the other user may wait for their /balance: a provider call, and then some."""


async def _bot_messages(user: FakeUser, text: str, count: int, within: float) -> None:
    def seen(chat: list[VisibleMessage]) -> bool:
        return sum(1 for m in chat if m.from_bot and text in m.text) >= count

    await user.wait_for(seen, within)


@pytest.fixture
async def polling_bot(
    tmp_path: Path, sandbox_server: SandboxServer, telegram: FakeTelegramServer
) -> AsyncIterator[tuple[Application[Any, Any, Any, Any, Any, Any], Services]]:
    settings = bot_settings(
        tmp_path,
        sandbox_server.url,
        SMSBOT_CUSTOM_PROVIDERS="any",
        SMSBOT_PROVIDER_TIMEOUT=str(PROVIDER_TIMEOUT),
    )
    application, services = await build_application(
        settings, bot_base_url=telegram.bot_base_url, clock=sandbox_server.sandbox.clock
    )
    try:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield application, services
            finally:
                await application.updater.stop()
                await application.stop()
    finally:
        await close_application(services)


async def test_a_flood_on_a_trickling_provider_does_not_delay_another_users_balance(
    polling_bot: tuple[Application[Any, Any, Any, Any, Any, Any], Services],
    sandbox_server: SandboxServer,
    telegram: FakeTelegramServer,
) -> None:
    async with TricklingProvider(sandbox_server.url, byte_every=1.0) as trickler:
        try:
            mallory, bob = telegram.user(3003, "Mallory"), telegram.user(2002, "Bob")
            await bob.send_text(f"/key {BOB_KEY}")
            await _bot_messages(bob, "Key saved", 1, 10)
            await mallory.send_text("/provider")
            await mallory.wait_for(
                lambda chat: any(m.find_buttons("Another provider (URL)…") for m in chat), 10
            )
            await mallory.press("Another provider (URL)…")
            await _bot_messages(mallory, "URL", 1, 10)
            await mallory.send_text(trickler.url)
            await _bot_messages(mallory, "Provider set to", 1, 10)
            await mallory.send_text(f"/key {ALICE_KEY}")
            await _bot_messages(mallory, "Key saved", 1, 10)

            trickler.trickle.add("getBalance")
            for _ in range(FLOOD):
                await mallory.send_text("/balance")
            await mallory.wait_for(lambda chat: trickler.trickled >= 1, 10)
            loop = asyncio.get_running_loop()
            started = loop.time()
            await bob.send_text("/balance")
            await _bot_messages(bob, "💰", 1, FAIR_WAIT)
            waited = loop.time() - started
            print(f"\nother user's /balance under a {FLOOD}-update flood: {waited:.2f} s")
            # The flood is told to wait, once, rather than queued without end.
            await _bot_messages(mallory, "Still busy with your earlier requests", 1, 5)
            busy = [m for m in mallory.chat() if m.from_bot and "Still busy" in m.text]
            assert len(busy) == 1, mallory.transcript()
        finally:
            trickler.release()  # lets the bot's queued work finish before it stops
