"""Inputs no person would send, and faults no one plans for: each gets a clear answer, and
nothing is lost (issue 11, finding 10)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.fake_telegram.state import MessageContent
from bot.fake_telegram.text import find_bot_commands
from bot.lifecycle import reconcile_and_report
from storage.activations import ActivationLedger
from tests.bot.conftest import (
    Harness,
    bought_number,
    live_activations,
    provider_calls,
    walk_to_confirm,
    with_key,
)
from tests.bot.test_webhooks import hooked

__all__ = ["hooked"]  # a fixture: the bot with its webhook receiver

GENERIC = "something went wrong on my side"
NESTED = "[" * 100_000


def handler_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("handler failed")]


@pytest.mark.parametrize("command", ["/buy", "/prices", "/multi", "/rent"])
async def test_a_10000_character_argument_is_a_search_that_finds_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    await alice.send_text(f"{command} {'x' * 10_000}")
    answer = alice.last_bot_message()
    assert answer is not None and answer.from_bot, alice.transcript()[-600:]
    assert GENERIC not in answer.text and "x" * 65 not in answer.text
    assert handler_failures(caplog) == []


async def test_a_10000_character_provider_url_is_called_unusable(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = harness.user()
    bad_url = harness.services.translator.t("en", "provider-bad-url")
    for url in ("https://" + "a" * 10_000 + ".com/", "https://" + "a" * 300 + ".com/"):
        await alice.send_text("/provider")
        await alice.press("Another provider (URL)…")
        await alice.send_text(url)
        answer = alice.last_bot_message()
        assert answer is not None and answer.text == bad_url, alice.transcript()[-300:]
    assert handler_failures(caplog) == []


async def deliver_without_sender(harness: Harness, user: FakeUser, text: str) -> None:
    """A message whose ``from`` is missing (as in a channel post, or one sent as a chat)."""
    state = harness.telegram.state
    content = MessageContent(text, tuple(find_bot_commands(text)))
    message = state.message_json(state.add_message(user._chat, user._user, content))
    message.pop("from")
    await state.deliver({"message": message})


async def test_a_message_with_no_sender_is_answered(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = harness.user()
    await alice.send_text("/start")
    for text in ("/buy", "/balance", "hello"):
        await deliver_without_sender(harness, alice, text)
        answer = alice.last_bot_message()
        assert answer is not None and "I act only for a person" in answer.text, text
    assert handler_failures(caplog) == []


async def test_a_reply_nested_too_deep_is_garbage_and_a_paid_one_is_reconciled_at_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    harness.sandbox.inject_fault("getBalance", "reply", body=NESTED, count=1)
    await alice.send_text("/balance")
    assert "answer I cannot read" in alice.last_bot_message().text, alice.transcript()[-600:]  # type: ignore[union-attr]
    confirm = await walk_to_confirm(harness, alice)
    harness.sandbox.inject_fault("getNumberV2", "reply", body=NESTED, count=1)
    await alice.press(confirm.buttons[0][0])
    # A paid call's garbage is an unknown outcome: reconciled now, not left to the reconciler.
    assert provider_calls(harness, "getActiveActivations") >= 1
    assert await harness.services.activations.pending_intents() == []
    assert GENERIC not in alice.transcript()[-600:]
    assert handler_failures(caplog) == []


async def test_a_poll_nested_too_deep_backs_that_key_off_and_the_code_still_comes(
    harness: Harness, alice: FakeUser
) -> None:
    activation = await bought_number(harness, alice)
    harness.sandbox.inject_fault("getActiveActivations", "reply", body=NESTED, count=1)
    report = await harness.services.watcher.tick()  # the pass itself does not raise
    assert report.errors == 1
    harness.sandbox.deliver_sms(int(activation.activation_id), "Code 24680")  # type: ignore[arg-type]
    for _ in range(10):  # the key rests a while after a failure, then is polled again
        harness.sandbox.advance(30)
        await harness.poll()
        if any(m.text.startswith("🔑 24680") for m in alice.chat()):
            break
    assert any(m.text.startswith("🔑 24680") for m in alice.chat()), alice.transcript()[-600:]


async def test_a_push_nested_too_deep_is_refused_not_a_server_error(hooked: Harness) -> None:
    assert hooked.services.webhooks is not None
    async with httpx.AsyncClient() as client:
        deep = b"[" * 60_000  # under the receiver's 64 KB limit
        answer = await client.post(hooked.services.webhooks.url, content=deep)
    assert answer.status_code == 400


@contextmanager
def database_locked_by_another_process(harness: Harness) -> Iterator[None]:
    """Another connection holds the write lock, as a backup tool or a second process would."""
    other = sqlite3.connect(harness.settings.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_locked_database_at_confirm_says_nothing_was_bought_and_buy_works_after(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    confirm = await walk_to_confirm(harness, alice)
    with database_locked_by_another_process(harness):
        await alice.press(confirm.buttons[0][0])
    told = alice.last_bot_message()
    assert told is not None and "Not bought: I could not write the purchase down" in told.text
    assert provider_calls(harness, "getNumberV2", "getNumber") == 0
    assert told.buttons == confirm.buttons, "the same Buy stays, to tap again"
    await alice.press(confirm.buttons[0][0])
    assert provider_calls(harness, "getNumberV2", "getNumber") == 1
    assert len(await live_activations(harness)) == 1
    assert handler_failures(caplog) == []


async def buy_while_the_ledger_refuses(
    alice: FakeUser, confirm: VisibleMessage, monkeypatch: pytest.MonkeyPatch, write: str
) -> VisibleMessage | None:
    """Taps Buy while the activation ledger's ``write`` fails as a full or locked database
    does; the bot's answer (``monkeypatch.undo()`` lets the ledger write again)."""

    async def refused(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ActivationLedger, write, refused)
    await alice.press(confirm.buttons[0][0])
    return alice.last_bot_message()


async def test_an_intent_the_database_refused_after_the_claim_can_be_bought_by_tapping_again(
    harness: Harness, alice: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The press claimed its token, then the purchase's own record was refused: nothing was
    bought, the user is told to tap Buy again, and that tap buys (it is not "already bought")."""
    confirm = await walk_to_confirm(harness, alice)
    told = await buy_while_the_ledger_refuses(alice, confirm, monkeypatch, "record_intent")
    assert told is not None and "Tap Buy again" in told.text, alice.transcript()[-600:]
    assert provider_calls(harness, "getNumberV2", "getNumber") == 0
    monkeypatch.undo()
    await alice.press(confirm.buttons[0][0])
    assert provider_calls(harness, "getNumberV2", "getNumber") == 1, alice.transcript()[-600:]
    assert len(await live_activations(harness)) == 1


async def test_a_purchase_the_database_refused_to_record_is_told_and_found_later(
    harness: Harness, alice: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider sold the number, then the write of it failed: the user is told plainly,
    the intent stays pending, and the reconciler adopts the number."""
    confirm = await walk_to_confirm(harness, alice)
    told = await buy_while_the_ledger_refuses(alice, confirm, monkeypatch, "confirm_intent")
    assert told is not None and "could not write your purchase down" in told.text
    [pending] = await harness.services.activations.pending_intents()
    monkeypatch.undo()
    await reconcile_and_report(harness.services, min_age=0)
    await harness.services.notifier.drain()
    [bought] = await live_activations(harness)
    assert bought.ledger_id == pending.ledger_id
    assert "confirmed your earlier purchase" in alice.transcript()[-600:]
    assert provider_calls(harness, "getNumberV2", "getNumber") == 1


# -- property-based: arbitrary text and arguments through the handlers ----------------------

texts = st.one_of(
    st.text(min_size=1, max_size=120).filter(lambda t: t.strip() != ""),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(65, 5_000)),
    st.sampled_from(["/", "//", "/buy@", "\u202e", "<b>", "&amp;", "{ $x }", "0" * 400]),
)
commands = st.sampled_from(["/buy", "/prices", "/multi", "/rent", "/history", "/lang", "/start"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=commands, argument=texts, follow_up=texts)
# Lone surrogates (valid JSON escapes, not encodable as UTF-8) echoed in a search's answer.
@example(command="/buy", argument="0", follow_up="\ud800" * 65)
async def test_any_text_or_argument_gets_an_answer_other_than_an_error(
    harness: Harness, caplog: pytest.LogCaptureFixture, command: str, argument: str, follow_up: str
) -> None:
    caplog.clear()
    alice = harness.user()
    if not await harness.services.accounts.providers_with_keys(alice.id):
        await with_key(harness, alice)
    before = len(alice.chat())
    with caplog.at_level(logging.ERROR):
        await alice.send_text(f"{command} {argument}")
        await alice.send_text(follow_up)
    assert handler_failures(caplog) == []
    new = alice.chat()[before:]
    assert any(m.from_bot for m in new), alice.transcript()[-600:]
    assert not any(GENERIC in m.text for m in new if m.from_bot)
