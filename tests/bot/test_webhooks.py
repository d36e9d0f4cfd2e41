"""Provider pushes: the sandbox's webhook reaches the bot's receiver and becomes one push."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.fake_telegram import FakeUser
from bot.webhooks import DEFAULT_CHECK_INTERVAL
from storage.activations import Activation
from tests.bot.conftest import (
    BotWith,
    Harness,
    bought_number,
    provider_calls,
    with_key,
)

SECRET = "webhook-secret-0123456789"


@pytest.fixture
async def hooked(bot_with: BotWith) -> AsyncIterator[Harness]:
    async with bot_with(
        background=True,
        SMSBOT_WEBHOOK_SECRET=SECRET,
        SMSBOT_WEBHOOK_LISTEN="127.0.0.1:0",
        SMSBOT_POLL_INTERVAL="600",  # polling would find the code too: keep it out of the way
    ) as harness:
        yield harness


async def alice_with_a_number(hooked: Harness) -> tuple[FakeUser, Activation]:
    """Alice, her key set, with one number bought through /buy and live."""
    alice = hooked.user()
    await with_key(hooked, alice)
    return alice, await bought_number(hooked, alice)


def forged_code(activation: Activation) -> dict[str, object]:
    """A push naming a live activation, with a code the provider never sent."""
    return {
        "activationId": int(activation.activation_id),  # type: ignore[arg-type]
        "service": "tg",
        "text": "Your code 666666",
        "code": "666666",
    }


async def test_a_provider_push_becomes_one_message_without_polling(hooked: Harness) -> None:
    assert hooked.services.webhooks is not None
    hooked.sandbox.configure(webhook_url=hooked.services.webhooks.url)
    alice, activation = await alice_with_a_number(hooked)
    polls_before = sum(1 for r in hooked.sandbox.request_log if r.action == "getActiveActivations")
    hooked.sandbox.deliver_sms(int(activation.activation_id), "Code 135790")  # type: ignore[arg-type]
    await alice.wait_for(lambda chat: any(m.text.startswith("🔑 135790") for m in chat), 5)
    polls_after = sum(1 for r in hooked.sandbox.request_log if r.action == "getActiveActivations")
    assert polls_after == polls_before, "the push came by webhook, not by a poll"
    # A poll that sees the same code afterwards does not push it again.
    await hooked.services.watcher.tick()
    await hooked.services.notifier.drain()
    assert len([m for m in alice.chat() if m.text.startswith("🔑 135790")]) == 1


async def test_wrong_secret_and_garbage_are_refused(hooked: Harness) -> None:
    assert hooked.services.webhooks is not None
    good = hooked.services.webhooks.url
    async with httpx.AsyncClient() as client:
        wrong = await client.post(good.replace(SECRET, "x" * len(SECRET)), json={})
        garbage = await client.post(good, content=b"not json")
        unknown = await client.post(
            good, json={"activationId": 1, "service": "tg", "text": "1", "code": "1"}
        )
    assert (wrong.status_code, garbage.status_code, unknown.status_code) == (404, 400, 200)


async def test_a_forged_push_is_checked_with_the_provider_and_records_nothing(
    hooked: Harness,
) -> None:
    """Providers sign nothing: a push with a live activation's id and a made-up code is
    checked with getStatus (the row's own key) and pushes nothing."""
    assert hooked.services.webhooks is not None
    alice, activation = await alice_with_a_number(hooked)
    forged = {**forged_code(activation), "country": 0, "receivedAt": "2026-01-01 00:00:00"}
    async with httpx.AsyncClient() as client:
        answer = await client.post(hooked.services.webhooks.url, json=forged)
    assert answer.status_code == 200
    assert any(r.action == "getStatus" for r in hooked.sandbox.request_log)
    assert not any("666666" in m.text for m in alice.chat())
    assert await hooked.services.activations.codes(activation.ledger_id) == []


async def test_200_forged_pushes_for_one_activation_make_a_handful_of_status_calls(
    hooked: Harness,
) -> None:
    """Whoever holds a push URL cannot make the bot spend a victim's key at will: pushes
    about one activation share one check in flight, and one row is checked at most once per
    few seconds (the watcher polls anyway)."""
    assert hooked.services.webhooks is not None
    alice, activation = await alice_with_a_number(hooked)
    forged = forged_code(activation)
    before = provider_calls(hooked, "getStatus")
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        url = hooked.services.webhooks.url
        answers = await asyncio.gather(*(client.post(url, json=forged) for _ in range(150)))
        answers += [await client.post(url, json=forged) for _ in range(50)]
        assert {answer.status_code for answer in answers} == {200}
        assert provider_calls(hooked, "getStatus") - before <= 3
        # Not blocked for good: once the interval has passed, a push is checked again.
        hooked.sandbox.advance(DEFAULT_CHECK_INTERVAL + 1)
        checked_before = provider_calls(hooked, "getStatus")
        assert (await client.post(url, json=forged)).status_code == 200
        assert provider_calls(hooked, "getStatus") == checked_before + 1
    assert not any("666666" in m.text for m in alice.chat())
