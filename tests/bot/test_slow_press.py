"""A button press on an activation is answered before the provider is asked, so a slow
provider cannot make Telegram drop the answer; the outcome then shows on the message."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from storage.activations import ActivationState
from tests.bot.conftest import Harness, bought_number, press_offered, with_key

CALLBACK_TIMEOUT = 0.5  # how long the fake Bot API takes answers after a press (seconds)
SLOW = 1.5  # how long the provider takes over setStatus


async def test_a_slow_provider_still_gets_the_press_answered_and_the_outcome_shown(
    harness: Harness,
) -> None:
    harness.telegram.state.callback_timeout = CALLBACK_TIMEOUT
    alice = harness.user()
    await with_key(harness, alice)
    activation = await bought_number(harness, alice)
    harness.sandbox.advance(125)  # past the provider's early-cancel lock
    harness.sandbox.inject_fault("setStatus", "slow", delay=SLOW)
    query = await alice.press("❌ Cancel")
    answer = alice.answer_for(query)
    assert answer is not None, "Telegram took the answer: it came before the provider's reply"
    card = alice.last_bot_message()
    assert card is not None and "Cancelled;" in card.text, alice.transcript()
    assert "refunded" in card.text
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.CANCELLED
    assert any(r.action == "setStatus" and r.fault == "slow" for r in harness.sandbox.request_log)


async def test_a_provider_error_after_the_answer_is_shown_on_the_card(
    harness: Harness, alice: FakeUser
) -> None:
    activation = await bought_number(harness, alice)
    harness.sandbox.advance(125)
    harness.sandbox.inject_fault("setStatus", "reply", body="ERROR_SQL")
    query = await alice.press("❌ Cancel")
    assert alice.answer_for(query) is not None
    card = alice.last_bot_message()
    assert card is not None and "could not answer" in card.text, alice.transcript()
    assert "❌ Cancel" in str(card.buttons), "the buttons stay, to try again"
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.WAITING


def _versions(harness: Harness, chat_id: int, message_id: int) -> list[str]:
    """Every text a message showed, oldest first."""
    message = harness.telegram.state.chats[chat_id].messages[message_id]
    return [version.content.text for version in message.history]


async def _progress_first(
    harness: Harness, user: FakeUser, command: str, *, slow: str
) -> VisibleMessage:
    """``command`` while the provider is slow on ``slow`` (an action, or * for all): the
    answer, which showed ⏳ before anything else."""
    harness.sandbox.inject_fault(slow, "slow", delay=2.5)
    await user.send_text(command)
    message = user.last_bot_message()
    assert message is not None, user.transcript()
    shown = _versions(harness, user.id, message.message_id)
    assert shown[0].startswith("⏳"), shown
    return message


async def test_a_slow_price_list_answers_the_press_at_once_and_shows_progress(
    harness: Harness,
) -> None:
    harness.telegram.state.callback_timeout = 2.5  # Telegram's ~15 s, shortened
    alice = harness.user()
    await with_key(harness, alice)
    await alice.send_text("/buy")
    menu = alice.last_bot_message()
    assert menu is not None
    harness.sandbox.inject_fault("getPrices", "slow", delay=5.0)
    query = await alice.press("Telegram")
    assert alice.answer_for(query) is not None, "the press went unanswered past the deadline"
    shown = _versions(harness, alice.id, menu.message_id)
    assert any(text.startswith("⏳") for text in shown), shown
    countries = alice.last_bot_message()
    assert countries is not None and countries.message_id == menu.message_id
    assert not countries.text.startswith("⏳") and countries.buttons, alice.transcript()


async def test_a_failed_price_list_says_why_and_offers_try_again(
    harness: Harness, alice: FakeUser
) -> None:
    await alice.send_text("/buy")
    harness.sandbox.inject_fault("getPrices", "reply", body="ERROR_SQL")
    await alice.press("Telegram")
    refused = alice.last_bot_message()
    assert refused is not None and refused.text.startswith("❌"), alice.transcript()
    assert refused.find_buttons("🔁 Try again"), alice.transcript()
    assert refused.find_buttons("Telegram"), "the menu stays under the reason"
    await alice.press("🔁 Try again")
    countries = alice.last_bot_message()
    assert countries is not None and "❌" not in countries.text, alice.transcript()
    assert not countries.find_buttons("🔁 Try again") and countries.buttons


async def test_balance_with_a_slow_provider_shows_progress_then_the_balance(
    harness: Harness, alice: FakeUser
) -> None:
    answer = await _progress_first(harness, alice, "/balance", slow="getBalance")
    assert "⏳" not in answer.text and "alance" in answer.text, alice.transcript()


async def test_a_failed_balance_offers_try_again(harness: Harness, alice: FakeUser) -> None:
    harness.sandbox.inject_fault("getBalance", "reply", body="ERROR_SQL")
    await alice.send_text("/balance")
    again = await press_offered(alice, "🔁 Try again")
    assert "alance" in again.text, alice.transcript()


async def test_a_command_whose_menu_needs_a_slow_provider_shows_progress_first(
    harness: Harness, alice: FakeUser
) -> None:
    menu = await _progress_first(harness, alice, "/buy", slow="*")
    assert menu.find_buttons("Telegram"), alice.transcript()
