"""The send policy on its own: what waits for what, and what a 429 does (real time, short)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.telegram import send_policy
from bot.telegram.send_policy import NOTICE_PUSH, URGENT_PUSH, ChatPace, Push, SendPolicy


class Telegram:
    """Records when each call reached it; answers 429 to the calls told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, Any, str]] = []  # (at, endpoint, chat, text)
        self.flood: dict[Any, list[int]] = {}  # chat -> retry_after answers still to give

    async def call(self, endpoint: str, data: dict[str, Any]) -> bool:
        chat = data.get("chat_id")
        pending = self.flood.get(chat)
        if pending:
            self.calls.append((time.monotonic(), endpoint, chat, "429"))
            raise RetryAfter(timedelta(seconds=pending.pop(0)))
        self.calls.append((time.monotonic(), endpoint, chat, str(data.get("text", ""))))
        return True

    def sent(self) -> list[tuple[float, str, Any, str]]:
        return [call for call in self.calls if call[3] != "429"]


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as build_application sets it


@pytest.fixture
async def policy() -> AsyncIterator[SendPolicy]:
    limiter = SendPolicy(push_rate=10, private=ChatPace(rate=2.0, burst=2.0))
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


@pytest.fixture
def telegram() -> Telegram:
    return Telegram()


async def send(
    policy: SendPolicy,
    telegram: Telegram,
    endpoint: str,
    chat: Any = None,
    push: Push | None = None,
    text: str = "",
) -> float:
    """One call through the policy; returns how long it took."""
    data: dict[str, Any] = {"text": text}
    if chat is not None:
        data["chat_id"] = chat
    started = time.monotonic()

    async def callback(endpoint: str, data: dict[str, Any]) -> bool:
        return await telegram.call(endpoint, data)

    await policy.process_request(callback, (endpoint, data), {}, endpoint, data, push)
    return time.monotonic() - started


async def test_a_chat_gets_its_burst_at_once_then_waits_its_pace(
    policy: SendPolicy, telegram: Telegram
) -> None:
    waits = [await send(policy, telegram, "sendMessage", 1) for _ in range(3)]
    assert waits[0] < 0.05 and waits[1] < 0.05
    assert 0.4 <= waits[2] < 1.0  # 2 a second: the third waits about half a second


async def test_answering_a_button_and_other_chats_never_wait_for_a_busy_chat(
    policy: SendPolicy, telegram: Telegram
) -> None:
    for _ in range(2):
        await send(policy, telegram, "sendMessage", 1)
    busy = asyncio.create_task(send(policy, telegram, "editMessageText", 1))
    await asyncio.sleep(0.01)
    assert await send(policy, telegram, "answerCallbackQuery") < 0.05
    assert await send(policy, telegram, "editMessageText", 2) < 0.05
    assert not busy.done()
    await busy


async def test_groups_are_paced_twenty_a_minute(telegram: Telegram) -> None:
    limiter = SendPolicy(group=ChatPace(rate=20 / 60, burst=1.0))
    await send(limiter, telegram, "sendMessage", -100)
    task = asyncio.create_task(send(limiter, telegram, "sendMessage", -100))
    assert await send(limiter, telegram, "sendMessage", 7) < 0.05  # a private chat: not held
    await asyncio.sleep(0.5)
    assert not task.done()  # the group's next message is 3 s away
    task.cancel()
    await limiter.shutdown()


async def test_pushes_to_many_chats_never_exceed_the_push_rate(
    policy: SendPolicy, telegram: Telegram
) -> None:
    await asyncio.gather(
        *(send(policy, telegram, "sendMessage", 100 + n, URGENT_PUSH) for n in range(15))
    )
    times = sorted(at for at, *_ in telegram.sent())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.09, gaps  # 10 a second: one every 0.1 s (timer slack allowed)
    assert times[-1] - times[0] >= 1.3


async def test_a_push_storm_does_not_hold_a_reply(policy: SendPolicy, telegram: Telegram) -> None:
    storm = [
        asyncio.create_task(send(policy, telegram, "sendMessage", 200 + n, NOTICE_PUSH))
        for n in range(10)
    ]
    await asyncio.sleep(0.05)
    assert await send(policy, telegram, "editMessageText", 9) < 0.05
    await asyncio.gather(*storm)


async def test_a_code_push_overtakes_queued_reminders(
    policy: SendPolicy, telegram: Telegram
) -> None:
    reminders = [
        asyncio.create_task(send(policy, telegram, "sendMessage", 300 + n, NOTICE_PUSH, "remind"))
        for n in range(8)
    ]
    await asyncio.sleep(0.05)
    code = asyncio.create_task(send(policy, telegram, "sendMessage", 400, URGENT_PUSH, "code"))
    await asyncio.gather(code, *reminders)
    order = [text for _, _, _, text in telegram.sent()]
    assert order.index("code") <= 2, order  # at most the one or two already let out go first


async def test_a_429_holds_only_its_chat_and_the_call_is_made_again(
    policy: SendPolicy, telegram: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    telegram.flood[1] = [1]
    caplog.set_level(logging.INFO, logger="bot.telegram.send_policy")
    flooded = asyncio.create_task(send(policy, telegram, "sendMessage", 1, text="held"))
    await asyncio.sleep(0.05)
    assert await send(policy, telegram, "sendMessage", 2) < 0.05
    assert await flooded >= 0.95
    assert [text for *_, chat, text in telegram.calls if chat == 1] == ["429", "held"]
    assert "429, retry after 1 s" in caplog.text


async def test_a_reply_refused_again_and_again_gives_up_after_max_retries(
    telegram: Telegram,
) -> None:
    limiter = SendPolicy(max_retries=1)
    telegram.flood[5] = [1, 1, 1]
    with pytest.raises(RetryAfter):
        await send(limiter, telegram, "sendMessage", 5)
    assert len(telegram.calls) == 2  # the call and one retry
    await limiter.shutdown()


async def test_a_push_429_halves_the_push_rate_which_recovers_by_itself(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_policy, "RECOVERY_SECONDS", 0.5)
    limiter = SendPolicy(push_rate=10)
    telegram.flood[1] = [1]
    await send(limiter, telegram, "sendMessage", 1, URGENT_PUSH)  # 429, wait 1 s, sent
    assert limiter.push_rate == 10  # recovered within the second it waited
    telegram.flood[1] = [1, 1]
    with pytest.raises(RetryAfter):  # a push retries once here, then the notifier defers it
        await send(limiter, telegram, "sendMessage", 1, URGENT_PUSH)
    assert limiter.push_rate < 10
    await asyncio.sleep(0.6)
    assert limiter.push_rate == 10
    await limiter.shutdown()


async def test_a_long_429_on_a_push_goes_straight_back_to_the_notifier(
    telegram: Telegram,
) -> None:
    limiter = SendPolicy()
    telegram.flood[1] = [30]
    assert await _raises_within(send(limiter, telegram, "sendMessage", 1, NOTICE_PUSH), 0.5)
    await limiter.shutdown()


async def test_idle_chats_are_forgotten(
    policy: SendPolicy, telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_policy, "MAX_IDLE_CHATS", 20)
    fast = SendPolicy(private=ChatPace(rate=1000.0, burst=1.0))
    for chat in range(200):
        await send(fast, telegram, "sendMessage", chat)
        await asyncio.sleep(0.002)
    assert fast.chats_held <= 21
    await fast.shutdown()


async def _raises_within(call: Any, seconds: float) -> bool:
    try:
        await asyncio.wait_for(call, seconds)
    except RetryAfter:
        return True
    return False
