"""A user whose provider is slow does not hold anyone else's updates (real long polling)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import build_application
from bot.fake_telegram import FakeTelegramServer
from bot.lifecycle import close_application
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import bot_settings


async def test_a_slow_provider_for_one_user_does_not_stall_another(
    tmp_path: Path, sandbox_server: SandboxServer, telegram: FakeTelegramServer
) -> None:
    settings = bot_settings(tmp_path, sandbox_server.url)
    application, services = await build_application(
        settings, bot_base_url=telegram.bot_base_url, clock=sandbox_server.sandbox.clock
    )
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            alice, bob = telegram.user(1001, "Alice"), telegram.user(2002, "Bob")
            await alice.send_text("/start")
            await bob.send_text("/start")
            await alice.wait_for(lambda chat: any(m.from_bot for m in chat), 10)
            await bob.wait_for(lambda chat: any(m.from_bot for m in chat), 10)
            await alice.send_text(f"/key {ALICE_KEY}")
            await alice.wait_for(lambda chat: any("Key saved" in m.text for m in chat), 10)
            sandbox_server.sandbox.inject_fault("getBalance", "slow", count=1, delay=3.0)
            loop = asyncio.get_running_loop()
            started = loop.time()
            await alice.send_text("/balance")  # waits 3 s on the provider
            await bob.send_text("/help")
            await bob.wait_for(lambda chat: any("How it works" in m.text for m in chat), 10)
            bob_answered = loop.time() - started
            await alice.wait_for(lambda chat: any(m.text.startswith("💰") for m in chat), 15)
            alice_answered = loop.time() - started
            assert bob_answered < 2.0 < alice_answered, (bob_answered, alice_answered)
        finally:
            await application.updater.stop()
            await application.stop()
    await close_application(services)
