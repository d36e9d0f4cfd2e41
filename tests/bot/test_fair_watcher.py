"""One user's slow provider delays no one else's codes (issue 11.2).

User A points /provider at a server of their own that trickles ``getActiveActivations`` a
byte a second; user B's key is on the sandbox. A watcher pass used to wait for every key's
poll, so B's code waited as long as A's provider dragged on. Now the pass moves on at its
deadline, A's poll is carried over (never started twice), A's key is rested, and A is told.
"""

from __future__ import annotations

import asyncio

from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from tests.bot.conftest import BotWith, buy_first_offer, live_activations, with_key
from tests.bot.test_custom_providers import type_provider_url
from tests.trickling import TricklingProvider

INTERVAL = 1.0
"""The watcher's poll interval in this test."""
CODE_WITHIN = INTERVAL + 2.0
"""B's code must reach B within about a poll interval (and a second, and some slack for a
loaded machine); it used to wait for A's provider, i.e. forever here."""


async def test_a_trickling_provider_does_not_delay_another_users_code(
    sandbox_server: SandboxServer, bot_with: BotWith
) -> None:
    env = {"SMSBOT_CUSTOM_PROVIDERS": "any", "SMSBOT_PROVIDER_TIMEOUT": "15"}
    async with (
        TricklingProvider(sandbox_server.url, byte_every=1.0) as trickler,
        bot_with(**env) as harness,
    ):
        alice, bob = harness.user(1001, "Alice"), harness.user(2002, "Bob")
        assert "Provider set to" in await type_provider_url(alice, trickler.url)
        await with_key(harness, alice, ALICE_KEY)
        await buy_first_offer(harness, alice)
        await with_key(harness, bob, BOB_KEY)
        await buy_first_offer(harness, bob)
        [bobs] = await live_activations(harness, 2002)
        assert len(await live_activations(harness, 1001)) == 1, alice.transcript()

        trickler.trickle.add("getActiveActivations")
        services = harness.services
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(services.watcher.run(INTERVAL, stop)),
            asyncio.create_task(services.notifier.run(stop, idle_interval=0.2)),
        ]
        try:
            await alice.wait_for(lambda chat: trickler.trickling_now >= 1, 10)
            await asyncio.sleep(INTERVAL)  # A's poll is now well under way, and stuck
            loop = asyncio.get_running_loop()
            started = loop.time()
            harness.sandbox.deliver_sms(int(bobs.activation_id), "Your Telegram code: 24680")
            await bob.wait_for(lambda chat: any("24680" in m.text for m in chat), 30)
            waited = loop.time() - started
            print(f"\nother user's code delay under a trickling provider: {waited:.2f} s")
            assert waited < CODE_WITHIN, (waited, bob.transcript())
            # A is told, once, that their provider is too slow; their poll never ran twice.
            await alice.wait_for(lambda chat: any("very slowly" in m.text for m in chat), 10)
            await asyncio.sleep(3 * INTERVAL)
            assert sum("very slowly" in m.text for m in alice.chat()) == 1, alice.transcript()
            assert trickler.trickling_now == 1
        finally:
            trickler.release()
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
