"""Provider URLs typed by users, under the operator's SMSBOT_CUSTOM_PROVIDERS policy.

A public bot must not become a way to make requests into its own network (the loopback
interface, a private LAN, the cloud metadata address), so by default a typed URL is accepted
only when its host is on the public internet.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from bot.config import ConfigError, Settings
from bot.fake_telegram import FakeUser
from bot.provider.sandbox import SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import BotWith, with_key


async def type_provider_url(user: FakeUser, url: str) -> str:
    await user.send_text("/provider")
    await user.press("Another provider (URL)…")
    await user.send_text(url)
    answer = user.last_bot_message()
    assert answer is not None
    return answer.text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/stubs/handler_api.php",
        "http://localhost/stubs/handler_api.php",
        "http://10.1.2.3/stubs/handler_api.php",
        "http://169.254.169.254/latest",
        "http://[::1]:8080/",
    ],
)
async def test_by_default_a_url_into_the_bots_own_network_is_refused(
    bot_with: BotWith, url: str
) -> None:
    async with bot_with() as harness:
        alice = harness.user()
        answer = await type_provider_url(alice, url)
        assert "not on the public internet" in answer
        endpoint = await harness.services.accounts.endpoint_of(1001)
        assert endpoint.url == harness.settings.provider  # unchanged: the operator's default


async def test_by_default_a_public_address_is_accepted(bot_with: BotWith) -> None:
    async with bot_with() as harness:
        alice = harness.user()
        answer = await type_provider_url(alice, "https://93.184.215.14/stubs/handler_api.php")
        assert "Provider set to" in answer
        endpoint = await harness.services.accounts.endpoint_of(1001)
        assert endpoint.url == "https://93.184.215.14/stubs/handler_api.php"


@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",  # IPv4-compatible loopback
        "[::ffff:10.0.0.1]",  # IPv4-mapped private
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of the cloud metadata address
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[fec0::1]",  # site-local
    ],
)
async def test_ipv6_forms_of_a_private_address_are_refused(
    bot_with: BotWith, host: str
) -> None:
    async with bot_with() as harness:
        alice = harness.user()
        answer = await type_provider_url(alice, f"http://{host}:8080/stubs/handler_api.php")
        assert "not on the public internet" in answer
        endpoint = await harness.services.accounts.endpoint_of(1001)
        assert endpoint.url == harness.settings.provider


async def test_a_public_ipv6_literal_is_accepted(bot_with: BotWith) -> None:
    async with bot_with() as harness:
        answer = await type_provider_url(harness.user(), "https://[2606:4700::1111]/stubs/x.php")
        assert "Provider set to" in answer


async def test_a_name_rebound_to_loopback_after_provider_reaches_nothing(
    bot_with: BotWith, sandbox_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is public when /provider checks it and 127.0.0.1 on every
    later lookup. The key check must not reach the bot's own loopback (the sandbox)."""
    loop = asyncio.get_running_loop()
    real_getaddrinfo = loop.getaddrinfo
    lookups = 0

    async def rebinding_getaddrinfo(host: Any, port: Any, **kwargs: Any) -> Any:
        nonlocal lookups
        if host != "rebind.test":
            return await real_getaddrinfo(host, port, **kwargs)
        lookups += 1
        address = "93.184.215.14" if lookups == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(loop, "getaddrinfo", rebinding_getaddrinfo)
    async with bot_with() as harness:
        alice = harness.user()
        url = sandbox_server.url.replace("127.0.0.1", "rebind.test")
        assert "Provider set to" in await type_provider_url(alice, url)
        await with_key(harness, alice, ALICE_KEY)
        answer = alice.last_bot_message()
        assert answer is not None and "leads off the public internet" in answer.text, (
            alice.transcript()
        )
        assert lookups > 1
        assert harness.sandbox.request_log == (), "nothing reached the loopback sandbox"


async def test_off_allows_only_presets(bot_with: BotWith) -> None:
    async with bot_with(SMSBOT_CUSTOM_PROVIDERS="off") as harness:
        alice = harness.user()
        answer = await type_provider_url(alice, "https://93.184.215.14/stubs/handler_api.php")
        assert "only works with the providers in the list" in answer
        await alice.send_text("/provider")
        await alice.press("HeroSMS")
        assert "Provider set to HeroSMS" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_any_lets_a_self_hoster_use_a_local_provider(bot_with: BotWith) -> None:
    async with bot_with(SMSBOT_CUSTOM_PROVIDERS="any") as harness:
        alice = harness.user()
        answer = await type_provider_url(alice, "http://127.0.0.1:9/stubs/handler_api.php")
        assert "Provider set to" in answer


def test_a_bad_policy_stops_start_up_with_one_line() -> None:
    with pytest.raises(ConfigError, match="SMSBOT_CUSTOM_PROVIDERS must be off, public or any"):
        Settings.from_env({"SMSBOT_CUSTOM_PROVIDERS": "sometimes"})
