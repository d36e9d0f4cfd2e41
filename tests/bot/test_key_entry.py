"""The message after /key: deleted and taken as the key across a crash, only in the chat /key
was sent in, one try per /key, a photo's caption too; the delete reported as it really went."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from tests.bot.conftest import (
    Harness,
    alice_keyed_under_debug_logs,
    assert_key_not_on_disk,
    bought_number,
    refused_key,
    sms_arrives,
    start_bot,
    with_key,
)


async def crash_bot(harness: Harness) -> None:
    """The bot process dies: PTB's persistence gets no last flush; the database stays."""
    harness.application.persistence = None  # shutdown() would have flushed it
    await harness.application.shutdown()
    from bot.lifecycle import close_application

    await close_application(harness.services)


def user_message(chat: list[VisibleMessage], text: str) -> VisibleMessage | None:
    return next((m for m in chat if not m.from_bot and m.text == text), None)


def all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)


async def test_a_key_sent_after_a_crash_that_followed_key_is_deleted_and_saved(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await alice_keyed_under_debug_logs(harness, caplog, BOB_KEY)
    await alice.send_text("/buy")  # a draft open, whose typed text would be a search
    await harness.application.update_persistence()  # the last periodic flush before /key
    await alice.send_text("/key")
    await crash_bot(harness)
    await start_bot(harness)
    await alice.send_text(ALICE_KEY)
    assert user_message(alice.chat(), ALICE_KEY) is None, alice.transcript()
    last = alice.last_bot_message()
    assert last is not None and "Key saved" in last.text, alice.transcript()
    assert "I deleted your message" in last.text
    await harness.application.update_persistence()
    rows = await harness.services.db.fetchall("SELECT value FROM ptb_state")
    assert all(ALICE_KEY not in row["value"] for row in rows)
    assert_key_not_on_disk(harness)
    assert ALICE_KEY not in all_log_text(caplog)


async def test_a_refused_key_ends_key_entry_and_says_so(harness: Harness) -> None:
    alice = harness.user()
    refused = await refused_key(harness, alice, "badkey")
    assert "does not look like an API key" in refused.text, alice.transcript()
    assert user_message(alice.chat(), "badkey") is None  # the try itself is deleted
    await alice.send_text("hello")
    assert user_message(alice.chat(), "hello") is not None, alice.transcript()
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]
    await with_key(harness, alice)  # a new /key is a new try
    assert "Key saved" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_key_entry_lapses_after_ten_minutes(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/key")
    harness.sandbox.advance(11 * 60)
    await alice.send_text("hello")
    assert user_message(alice.chat(), "hello") is not None, alice.transcript()
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_a_key_in_a_photo_caption_after_key_is_deleted_and_saved(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/key")
    await alice.send_photo(caption=ALICE_KEY)
    assert all(m.from_bot or "/key" in m.text for m in alice.chat()), alice.transcript()
    assert "Key saved" in alice.last_bot_message().text  # type: ignore[union-attr]


@pytest.fixture(params=["en", "ru", "es"])
def language(request: pytest.FixtureRequest) -> str:
    """Each of the bot's languages in turn: Alice's Telegram language."""
    return str(request.param)


async def test_photos_and_stickers_get_a_short_answer(harness: Harness, language: str) -> None:
    words = {"en": "only understand text", "ru": "только текстовые", "es": "Solo entiendo"}
    expected = words[language]
    alice = harness.user(language=language)
    await alice.send_sticker()
    assert expected in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/start")
    await alice.send_photo()
    assert expected in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_a_refused_delete_is_not_called_a_delete(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/key")
    harness.telegram.flood.force(1, calls=100, methods=["deleteMessage"])
    await alice.send_text(ALICE_KEY)
    harness.telegram.flood.clear()
    last = alice.last_bot_message()
    assert last is not None and "Key saved" in last.text, alice.transcript()
    assert "I deleted" not in last.text
    assert "please delete it yourself" in last.text
    assert user_message(alice.chat(), ALICE_KEY) is not None  # what the notice says is true
    assert len(harness.telegram.state.calls_to("deleteMessage")) > 2  # it was tried again


async def test_a_delete_refused_twice_is_tried_again_and_then_said(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/key")
    harness.telegram.flood.force(1, calls=2, methods=["deleteMessage"])
    await alice.send_text(ALICE_KEY)
    assert user_message(alice.chat(), ALICE_KEY) is None, alice.transcript()
    assert "I deleted your message" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_a_group_message_is_not_taken_for_a_key_asked_in_private(harness: Harness) -> None:
    alice = harness.user()
    group = alice.in_group()
    await alice.send_text("/key")
    await group.send_text("hello everyone")
    assert user_message(group.chat(), "hello everyone") is not None, group.transcript()
    assert group.last_bot_message() is None  # plain talk in a group is not the bot's business
    await alice.send_text(ALICE_KEY)
    assert user_message(alice.chat(), ALICE_KEY) is None, alice.transcript()
    assert "Key saved" in alice.last_bot_message().text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "command", ["/buy", "/balance", "/rent", "/multi", "/history", "/active", "/key"]
)
async def test_money_and_codes_are_private_only_in_a_group(
    harness: Harness, alice: FakeUser, command: str
) -> None:
    group = alice.in_group()
    before = len(harness.sandbox.request_log)
    await group.send_text(command)
    [answer] = [m for m in group.chat() if m.from_bot]
    assert "private chat" in answer.text and not answer.keyboard, group.transcript()
    assert len(harness.sandbox.request_log) == before  # nothing asked of the provider


async def test_a_button_pressed_in_a_group_is_refused_clearly(
    harness: Harness, language: str
) -> None:
    from bot.fake_telegram.records import MessageContent

    expected = {"en": "private chat", "ru": "личном чате", "es": "chat privado"}[language]
    alice = harness.user(language=language)
    await with_key(harness, alice)
    row = await bought_number(harness, alice)
    card = alice.last_bot_message()
    assert card is not None and card.keyboard
    button = card.keyboard[-1][-1]
    # The same card, posted in a group before buying there was refused.
    state = harness.telegram.state
    group = alice.in_group()
    old = state.add_message(
        state.chats[-100],
        state.bot,
        MessageContent(
            card.text,
            reply_markup={
                "inline_keyboard": [[{"text": button.label, "callback_data": button.callback_data}]]
            },
        ),
    )
    before = len(harness.sandbox.request_log)
    query = await group.press_data(button.callback_data or "", old.message_id)
    answer = group.answer_for(query)
    assert answer is not None and answer.show_alert and expected in (answer.text or "")
    assert len(harness.sandbox.request_log) == before
    still = await harness.services.activations.get(row.ledger_id)
    assert still is not None and still.state == row.state


async def test_an_sms_code_reaches_no_log_record_at_debug(
    harness: Harness, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """The levels ``smsbot run`` sets (PTB and httpx kept quieter), everything else at DEBUG."""
    caplog.set_level(logging.DEBUG)
    quieted = {"telegram": logging.INFO, "httpx": logging.WARNING}
    saved = {name: logging.getLogger(name).level for name in quieted}
    try:
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)
        alice = harness.user()
        await with_key(harness, alice)
        activation = await bought_number(harness, alice)
        await sms_arrives(harness, activation, "Code 735193")
        assert any(m.text.startswith("🔑 735193") for m in alice.chat()), alice.transcript()
        await harness.application.update_persistence()
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    assert any(record.name == "aiosqlite" for record in caplog.records)  # it did log
    assert "735193" not in all_log_text(caplog)
    assert ALICE_KEY not in all_log_text(caplog)


async def test_another_command_ends_key_entry(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/key")
    await alice.send_text("/help")
    await alice.send_text("hello")
    assert user_message(alice.chat(), "hello") is not None, alice.transcript()


async def test_a_provider_url_asked_after_key_is_read_as_the_url(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/provider")
    menu = alice.last_bot_message()
    await alice.send_text("/key")
    await alice.press("Another provider (URL)…", menu)
    await alice.send_text(harness.settings.provider)
    assert user_message(alice.chat(), harness.settings.provider) is not None, alice.transcript()
    assert "Provider set" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_a_key_sent_with_key_in_a_group_is_deleted_and_answered_in_one_line(
    harness: Harness,
) -> None:
    group = harness.user().in_group()
    await group.send_text(f"/key {ALICE_KEY}")
    assert all(ALICE_KEY not in m.text for m in group.chat()), group.transcript()
    [answer] = [m for m in group.chat() if m.from_bot]
    assert "private chat" in answer.text and "I deleted your message" in answer.text


@pytest.mark.parametrize("picker", ["/buy", "/rent", "/prices", "/multi"])
async def test_a_key_sent_after_its_step_lapsed_is_not_searched_in_an_earlier_picker(
    harness: Harness, alice: FakeUser, picker: str
) -> None:
    """/key means the next text is a key, not a search of the picker shown before it: a key
    pasted once the step lapsed must not come back quoted in "nothing matches «…»"."""
    await alice.send_text(picker)
    await alice.send_text("/key")
    harness.sandbox.advance(11 * 60)
    secret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    await alice.send_text(secret)
    quoted = [m.text for m in alice.chat() if m.from_bot and secret in (m.text or "")]
    assert quoted == [], alice.transcript()


async def test_no_service_or_store_shows_a_key_in_its_repr(
    harness: Harness, alice: FakeUser
) -> None:
    # The services declared as dataclasses print their collaborators; after a key was saved and
    # a number bought with it (its client cached), none of them may print the key.
    await bought_number(harness, alice)
    shown = repr(harness.services) + "".join(
        repr(getattr(harness.services, name)) for name in dir(harness.services)
        if not name.startswith("_")
    )
    assert ALICE_KEY not in shown
