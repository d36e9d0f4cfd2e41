"""The send policy with the whole bot, against the fake Bot API in its documented-limits mode.

Many users at once are answered at once; pushes keep to the push rate; a 429 holds one chat;
a code overtakes reminders. Real time: each test takes a few seconds at most.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bot.app import build_application
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.ptb import process_with
from bot.lifecycle import close_application
from bot.provider.sandbox import SandboxServer
from bot.services.recorder import CODE_EVENT, ENDED_EVENT
from bot.telegram import send_policy
from bot.telegram.send_policy import GROUP_CHAT, PRIVATE_CHAT
from tests.bot.conftest import Harness, bot_settings

MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def limited(
    tmp_path: Path,
    sandbox_server: SandboxServer,
    telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[MakeHarness]:
    """Builds the bot with a push rate, against the fake with Telegram's documented limits."""
    monkeypatch.setattr(send_policy, "PRIVATE_CHAT", PRIVATE_CHAT)  # the real pace, here
    monkeypatch.setattr(send_policy, "GROUP_CHAT", GROUP_CHAT)
    built: list[Harness] = []

    async def make(push_rate: str = "30") -> Harness:
        settings = bot_settings(tmp_path, sandbox_server.url, SMSBOT_TELEGRAM_PUSH_RATE=push_rate)
        application, services = await build_application(
            settings, bot_base_url=telegram.bot_base_url, clock=sandbox_server.sandbox.clock
        )
        await application.initialize()
        telegram.state.deliver_directly(process_with(application))
        # Every send counts toward the bulk cap, at the bot's push rate, answers included.
        telegram.flood.enable_documented_limits(bulk_rate=float(push_rate) * 4)
        harness = Harness(application, services, telegram, sandbox_server.sandbox, settings)
        built.append(harness)
        return harness

    yield make
    for harness in built:
        await harness.application.shutdown()
        await close_application(harness.services)


async def _started_users(harness: Harness, count: int, first_id: int = 10_000) -> list[FakeUser]:
    users = [harness.user(first_id + n, f"U{n}") for n in range(count)]
    await asyncio.gather(*(user.send_text("/start") for user in users))
    return users


async def _push(harness: Harness, user: FakeUser, kind: str, n: int) -> None:
    """An event for the notifier about a bought activation of `user` (no card to redraw)."""
    ledger = harness.services.activations
    intent = await ledger.record_intent(
        idempotency_key=f"push-{kind}-{n}",
        user_id=user.id,
        chat_id=user.id,
        provider=harness.settings.provider,
        service="tg",
    )
    row = await ledger.confirm_intent(
        intent, activation_id=f"9{n:06d}", phone=f"7999{n:07d}", cost=Decimal(1), deadline=None
    )
    payload: dict[str, object] = {"ledger_id": row.ledger_id}
    payload.update({"code": f"{n:05d}", "text": "code"} if kind == CODE_EVENT else {"why": "x"})
    await harness.services.outbox.add(
        kind=kind, user_id=user.id, chat_id=user.id, payload=payload, dedup_key=f"{kind}:{n}"
    )


def _has(user: FakeUser, starting: str) -> bool:
    return any(message.text.startswith(starting) for message in user.chat())


def _sends(harness: Harness, starting: str) -> list[float]:
    return [
        call.at
        for call in harness.telegram.state.calls_to("sendMessage")
        if call.status == 200 and str(call.params.get("text", "")).startswith(starting)
    ]


async def test_a_hundred_users_at_once_are_each_answered_within_two_seconds(
    limited: MakeHarness,
) -> None:
    harness = await limited()
    users = [harness.user(20_000 + n, f"U{n}") for n in range(100)]

    async def first_answer(user: FakeUser) -> float:
        started = time.monotonic()
        await user.send_text("/start")
        assert user.last_bot_message() is not None
        return time.monotonic() - started

    waits = await asyncio.gather(*(first_answer(user) for user in users))
    assert max(waits) <= 2.0, sorted(waits)[-5:]
    assert harness.telegram.flood.refused == 0


async def test_pushes_to_a_hundred_chats_keep_to_the_push_rate(limited: MakeHarness) -> None:
    harness = await limited(push_rate="25")
    users = await _started_users(harness, 100)
    for n, user in enumerate(users):
        await _push(harness, user, CODE_EVENT, n)
    assert await harness.services.notifier.drain() == 100
    pushed = sorted(_sends(harness, "🔑"))
    assert len(pushed) == 100
    most_in_a_second = max(
        sum(1 for at in pushed[i:] if at < start + 1.0) for i, start in enumerate(pushed)
    )
    assert most_in_a_second <= 26, most_in_a_second
    assert pushed[-1] - pushed[0] >= 99 / 25 - 0.2  # spread out, not bunched
    assert harness.telegram.flood.refused == 0


async def test_a_429_on_one_chat_delays_only_that_chat(limited: MakeHarness) -> None:
    harness = await limited()
    alice, bob = await _started_users(harness, 2)
    await _push(harness, alice, CODE_EVENT, 1)
    await _push(harness, bob, CODE_EVENT, 2)
    harness.telegram.flood.force(1, calls=2, chat_id=alice.id)  # 429, its retry 429: deferred
    drain = asyncio.create_task(harness.services.notifier.drain())
    state = harness.telegram.state
    await state.wait_until(lambda: [c for c in state.calls_to("sendMessage") if c.status == 429], 2)
    started = time.monotonic()
    await bob.send_text("/start")  # bob is answered at once while alice's chat is held
    assert time.monotonic() - started < 0.5
    await state.wait_until(lambda: _has(bob, "🔑"), timeout=1.0)
    assert not _has(alice, "🔑")
    assert await drain == 1  # bob's; alice's waits in the outbox
    harness.sandbox.advance(2)
    assert await harness.services.notifier.drain() == 1
    assert _has(alice, "🔑"), alice.transcript()
    [first_429, retried_429] = [
        call.at for call in harness.telegram.state.calls_to("sendMessage") if call.status == 429
    ]
    assert retried_429 - first_429 >= 0.9  # retry_after was obeyed


async def test_a_code_push_overtakes_queued_reminders(limited: MakeHarness) -> None:
    harness = await limited(push_rate="5")
    users = await _started_users(harness, 21)
    for n, user in enumerate(users[:20]):
        await _push(harness, user, ENDED_EVENT, n)
    drain = asyncio.create_task(harness.services.notifier.drain())
    await harness.telegram.state.wait_until(lambda: len(_sends(harness, "⌛")) >= 2, timeout=3)
    await _push(harness, users[20], CODE_EVENT, 99)
    harness.services.notifier.wake()
    await drain
    [code_at] = _sends(harness, "🔑")
    reminders = _sends(harness, "⌛")
    assert len(reminders) == 20
    before = sum(1 for at in reminders if at < code_at)
    assert before <= 12, f"{before} of 20 notices went before the code"  # at 5/s: ~2.4 s early
