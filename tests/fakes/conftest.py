"""Fixtures for the fake Telegram server's own tests: a running fake, a person, a raw client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.core.clock import ManualClock
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import TOKEN, RawBotApi


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_700_000_000.0)


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(tokens=[TOKEN], clock=clock) as server:
        yield server


@pytest.fixture
async def api(fake: FakeTelegramServer) -> AsyncIterator[RawBotApi]:
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}/", timeout=10) as client:
        yield RawBotApi(client)


@pytest.fixture
async def ann(fake: FakeTelegramServer) -> FakeUser:
    """A person who has already written to the bot, so it may write back."""
    user = fake.user(1001, "Ann", username="ann")
    await user.send_text("hello")
    return user
