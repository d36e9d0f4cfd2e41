"""A button press on an activation is answered before the provider is asked, so a slow
provider cannot make Telegram drop the answer; the outcome then shows on the message."""

from __future__ import annotations

from storage.activations import ActivationState
from tests.bot.conftest import Harness, buy_first_offer, live_activations, with_key

CALLBACK_TIMEOUT = 0.5  # how long the fake Bot API takes answers after a press (seconds)
SLOW = 1.5  # how long the provider takes over setStatus


async def test_a_slow_provider_still_gets_the_press_answered_and_the_outcome_shown(
    harness: Harness,
) -> None:
    harness.telegram.state.callback_timeout = CALLBACK_TIMEOUT
    alice = harness.user()
    await with_key(harness, alice)
    await buy_first_offer(harness, alice)
    [activation] = await live_activations(harness)
    harness.sandbox.advance(125)  # past the provider's early-cancel lock
    harness.sandbox.inject_fault("setStatus", "slow", delay=SLOW)
    query = await alice.press("❌ Cancel")
    answer = alice.answer_for(query)
    assert answer is not None, "Telegram took the answer: it came before the provider's reply"
    card = alice.last_bot_message()
    assert card is not None and "Cancelled; the money is back." in card.text, alice.transcript()
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.CANCELLED
    assert any(r.action == "setStatus" and r.fault == "slow" for r in harness.sandbox.request_log)


async def test_a_provider_error_after_the_answer_is_shown_on_the_card(harness: Harness) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    await buy_first_offer(harness, alice)
    [activation] = await live_activations(harness)
    harness.sandbox.advance(125)
    harness.sandbox.inject_fault("setStatus", "reply", body="ERROR_SQL")
    query = await alice.press("❌ Cancel")
    assert alice.answer_for(query) is not None
    card = alice.last_bot_message()
    assert card is not None and "could not answer" in card.text, alice.transcript()
    assert "❌ Cancel" in str(card.buttons), "the buttons stay, to try again"
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.WAITING
