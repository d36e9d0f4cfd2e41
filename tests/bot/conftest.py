"""The bot in-process: real SQLite file, real sandbox over loopback, the fake Bot API.

Updates go straight into ``Application.process_update`` (the fake's direct mode), so
``await user.send_text(...)`` returns after the bot handled it. The watcher and notifier are
stepped by hand (``harness.poll()``) so tests decide when a tick happens.
"""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.fake_telegram.ptb import process_with
from bot.lifecycle import close_application, start_background, stop_background
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from bot.services.container import Services
from bot.services.purchases import PurchaseRequest, PurchaseStatus
from bot.telegram import send_policy
from storage.activations import Activation

TOKEN = "123456789:TEST-bot-token"
MASTER_KEYS = "k1:" + base64.b64encode(bytes(range(32))).decode()


@dataclass
class Harness:
    application: Application[Any, Any, Any, Any, Any, Any]
    services: Services
    telegram: FakeTelegramServer
    sandbox: Sandbox
    settings: Settings

    async def poll(self) -> None:
        """One watcher tick, then deliver everything due."""
        await self.services.watcher.tick()
        await self.services.notifier.drain()

    def user(self, user_id: int = 1001, name: str = "Alice", language: str = "en") -> FakeUser:
        return self.telegram.user(user_id, name, language_code=language)


def bot_settings(tmp_path: Path, provider_url: str, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SMSBOT_PROVIDER_URL": provider_url,
            "SMSBOT_DATABASE": str(tmp_path / "smsbot.sqlite3"),
            "SMSBOT_MASTER_KEYS": MASTER_KEYS,
            **extra,
        }
    )


@pytest.fixture(autouse=True)
def _chats_unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake Bot API limits nothing unless its documented-limits mode is on, and tests walk
    a flow as fast as the bot answers: the send policy does not pace chats here either (the
    tests of bot/send_policy.py and test_send_policy_flow.py put the real pace back)."""
    unpaced = send_policy.ChatPace(rate=1_000_000.0, burst=1_000_000.0)
    monkeypatch.setattr(send_policy, "PRIVATE_CHAT", unpaced)
    monkeypatch.setattr(send_policy, "GROUP_CHAT", unpaced)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(tokens=[TOKEN]) as server:
        yield server


async def _launch(
    settings: Settings, telegram: FakeTelegramServer, sandbox: Sandbox
) -> tuple[Application[Any, Any, Any, Any, Any, Any], Services]:
    """A bot process on ``settings``, its updates handed straight to it by the fake."""
    application, services = await build_application(
        settings, bot_base_url=telegram.bot_base_url, clock=sandbox.clock
    )
    await application.initialize()
    telegram.state.deliver_directly(process_with(application))
    return application, services


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    sandbox_server: SandboxServer,
    telegram: FakeTelegramServer,
    *,
    background: bool = False,
    **env: str,
) -> AsyncIterator[Harness]:
    """The bot on ``bot_settings(..., **env)`` (its background work started if ``background``:
    webhook receiver, health server, periodic passes), closed on the way out."""
    settings = bot_settings(tmp_path, sandbox_server.url, **env)
    application, services = await _launch(settings, telegram, sandbox_server.sandbox)
    harness = Harness(application, services, telegram, sandbox_server.sandbox, settings)
    try:
        if background:
            await start_background(application, services)
        yield harness
    finally:
        # A test may have restarted the bot: close whichever application runs now.
        if background:
            await stop_background(harness.services)
        await stop_bot(harness)


BotWith = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
async def harness(
    tmp_path: Path, sandbox_server: SandboxServer, telegram: FakeTelegramServer
) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, sandbox_server, telegram) as harness:
        yield harness


@pytest.fixture
def bot_with(
    tmp_path: Path, sandbox_server: SandboxServer, telegram: FakeTelegramServer
) -> BotWith:
    """The bot on settings of the test's own: ``async with bot_with(SMSBOT_X="y") as harness``
    (``background=True`` starts its background work too)."""
    return functools.partial(running_bot, tmp_path, sandbox_server, telegram)


async def with_key(harness: Harness, user: FakeUser, key: str = ALICE_KEY) -> None:
    """The user sets their key, as a person would."""
    await user.send_text("/key")
    await user.send_text(key)


LOCALE_USERS = {"en": 1001, "ru": 3003, "es": 4004}


async def keyed_user(harness: Harness, locale: str) -> FakeUser:
    """A user who speaks ``locale`` (en: 1001, ru: 3003, es: 4004) with Alice's key set: for
    the tests that walk one screen in each language."""
    user_id = LOCALE_USERS[locale]
    user = harness.user(user_id, f"U{user_id}", language=locale)
    await with_key(harness, user)
    return user


async def alice_keyed_under_debug_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture, key: str = ALICE_KEY
) -> FakeUser:
    """Every logger at DEBUG, then Alice enters ``key``: called from the test body (not a
    fixture) so that ``caplog.records`` holds what her key entry logged."""
    caplog.set_level(logging.DEBUG)
    alice = harness.user()
    await with_key(harness, alice, key)
    return alice


async def refused_key(harness: Harness, user: FakeUser, key: str) -> VisibleMessage:
    """The user sends a key the bot refuses: the refusal, which says how to try again."""
    await with_key(harness, user, key)
    refused = user.last_bot_message()
    assert refused is not None and "send /key to try again" in refused.text, user.transcript()
    return refused


@pytest.fixture
async def alice(harness: Harness) -> FakeUser:
    """Alice (user 1001) with her API key set, as she would set it: where most tests start."""
    user = harness.user()
    await with_key(harness, user)
    return user


@pytest.fixture
async def bob(harness: Harness) -> FakeUser:
    """Bob (user 2002) with his own API key set: the other user, for what is not his."""
    user = harness.user(2002, "Bob")
    await with_key(harness, user, BOB_KEY)
    return user


async def live_activations(harness: Harness, user_id: int = 1001) -> list[Any]:
    return await harness.services.activations.active_for_user(user_id)


async def walk_to_confirm(
    harness: Harness, user: FakeUser, service: str = "Telegram", locale: str = "en"
) -> VisibleMessage:
    """/buy, then the service, the cheapest country and any operator: the confirm screen."""
    await user.send_text("/buy")
    await user.press(service)
    countries = user.last_bot_message()
    assert countries is not None, user.transcript()
    await user.press(countries.buttons[0][0])
    step = user.last_bot_message()
    assert step is not None
    any_operator = harness.services.translator.t(locale, "buy-operator-any")
    if step.find_buttons(any_operator):
        await user.press(any_operator)
    confirm = user.last_bot_message()
    assert confirm is not None and confirm.buttons, user.transcript()
    return confirm


async def prices_table(user: FakeUser, service: str = "Telegram") -> VisibleMessage:
    """/prices, then ``service``: its price table across countries."""
    await user.send_text("/prices")
    await user.press(service)
    table = user.last_bot_message()
    assert table is not None, user.transcript()
    return table


async def buy_first_offer(
    harness: Harness, user: FakeUser, service: str = "Telegram", locale: str = "en"
) -> None:
    """Walks to the confirm screen and taps the buy button."""
    confirm = await walk_to_confirm(harness, user, service, locale)
    await user.press(confirm.buttons[0][0])


async def bought_number(
    harness: Harness, user: FakeUser, service: str = "Telegram"
) -> Activation:
    """``user`` buys the first offer through /buy: their one live number."""
    await buy_first_offer(harness, user, service)
    [activation] = await live_activations(harness, user.id)
    return activation


async def bought_with(
    harness: Harness, *, service: str = "tg", shown_price: str = "50",
    service_name: str | None = None, **options: bool,
) -> Activation:
    """A number bought for Alice with options (``verification``, ``forward``) through the
    purchase service (not every option has a /buy screen), then shown by /active: its row."""
    alice = harness.user()
    request = PurchaseRequest(
        service, 0, None, Decimal(shown_price), service_name=service_name or service, **options
    )
    result = await harness.services.purchases.buy(alice.id, alice.id, request, f"opts-{service}")
    assert result.status is PurchaseStatus.BOUGHT and result.activation is not None
    await alice.send_text("/active")
    row = await harness.services.activations.get(result.activation.ledger_id)
    assert row is not None
    return row


async def sms_arrives(harness: Harness, activation: Activation, text: str) -> None:
    """The provider receives an SMS for the number, and the watcher's next tick pushes it."""
    harness.sandbox.deliver_sms(int(activation.activation_id), text)  # type: ignore[arg-type]
    await harness.poll()


async def press_offered(user: FakeUser, label: str) -> VisibleMessage:
    """The bot's last message offers ``label`` and the user presses it: the bot's answer."""
    offer = user.last_bot_message()
    assert offer is not None and offer.find_buttons(label), user.transcript()
    await user.press(label, offer)
    answer = user.last_bot_message()
    assert answer is not None, user.transcript()
    return answer


def first_button_data(message: VisibleMessage) -> str:
    """The callback data behind the message's first button (to press it again, or forge)."""
    data = message.keyboard[0][0].callback_data
    assert data is not None, message
    return data


def labels_of(message: VisibleMessage | None) -> list[str]:
    """The labels of a message's buttons, row after row."""
    assert message is not None
    return [label for row in message.buttons for label in row]


async def stop_bot(harness: Harness) -> None:
    """The bot process goes away, its in-memory state with it; the database stays."""
    await harness.application.shutdown()
    await close_application(harness.services)


async def start_bot(harness: Harness) -> Services:
    """A new bot process on the stopped one's settings and database, in its place."""
    application, services = await _launch(harness.settings, harness.telegram, harness.sandbox)
    harness.application, harness.services = application, services
    return services


async def restart_bot(harness: Harness) -> Services:
    """The bot process stops and a new one starts on the same database (a deploy, a crash
    recovered): the new process's services."""
    await stop_bot(harness)
    return await start_bot(harness)


def provider_calls(harness: Harness, *actions: str) -> int:
    """How many requests for any of ``actions`` the provider got (one paid call is one)."""
    return sum(1 for r in harness.sandbox.request_log if r.action in actions)


def assert_key_not_on_disk(harness: Harness, key: str = ALICE_KEY) -> None:
    """The plain API key is in neither the database nor its write-ahead log."""
    database = Path(harness.settings.database)
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            assert key.encode() not in path.read_bytes()


async def assert_key_leaked_nowhere(
    harness: Harness, caplog: pytest.LogCaptureFixture, key: str = ALICE_KEY
) -> None:
    """Once PTB persistence is flushed, the plain API key is in no log record the test
    captured, no call to or answer from Telegram, and no byte on disk."""
    await harness.application.update_persistence()
    for record in caplog.records:
        assert key not in record.getMessage()
    calls = [str(call.params) + str(call.result) for call in harness.telegram.state.calls]
    assert not any(key in text for text in calls)
    assert_key_not_on_disk(harness, key)
