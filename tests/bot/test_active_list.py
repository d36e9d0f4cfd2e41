"""/active (16.9): one message with a row per number, each opening its card; no number keeps
two live copies; "cancel all" for the numbers without a code."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from storage.activations import ActivationState
from tests.bot.conftest import Harness, buy_first_offer, live_activations, sms_arrives, with_key


def bot_messages(user: FakeUser) -> int:
    return sum(1 for m in user.chat() if m.from_bot)


async def two_numbers(harness: Harness, alice: FakeUser) -> list[int]:
    await with_key(harness, alice)
    await buy_first_offer(harness, alice)
    await buy_first_offer(harness, alice, service="WhatsApp")
    rows = await live_activations(harness)
    assert len(rows) == 2
    return [row.ledger_id for row in rows]


async def test_active_is_one_message_whose_rows_open_the_cards(harness: Harness) -> None:
    alice = harness.user()
    await two_numbers(harness, alice)
    before = bot_messages(alice)
    await alice.send_text("/active")
    assert bot_messages(alice) == before + 1, alice.transcript()
    listing = alice.last_bot_message()
    assert listing is not None and "2 live numbers" in listing.text
    rows = await live_activations(harness)
    old_card = rows[0].message_id
    [row_label] = [b for r in listing.buttons for b in r if rows[0].phone and rows[0].phone in b]
    await alice.press(row_label, listing)
    card = alice.last_bot_message()
    assert card is not None and "❌ Cancel" in str(card.buttons), alice.transcript()
    moved = await harness.services.activations.get(rows[0].ledger_id)
    assert moved is not None and moved.message_id == card.message_id
    old = next(m for m in alice.chat() if m.message_id == old_card)
    assert old.buttons == [] and "further down" in old.text, "no stale second copy to press"


async def test_cancel_all_cancels_only_the_numbers_without_a_code(harness: Harness) -> None:
    alice = harness.user()
    await two_numbers(harness, alice)
    coded, codeless = await live_activations(harness)
    await sms_arrives(harness, coded, "Code 4242")
    harness.sandbox.advance(125)  # past the provider's early-cancel lock
    await alice.send_text("/active")
    await alice.press("❌ Cancel all without a code (1)")
    ask = alice.last_bot_message()
    assert ask is not None and codeless.phone and codeless.phone in ask.text, alice.transcript()
    await alice.press("❌ Yes, cancel 1")
    listing = alice.last_bot_message()
    assert listing is not None and "Cancelled: 1" in listing.text, alice.transcript()
    gone = await harness.services.activations.get(codeless.ledger_id)
    kept = await harness.services.activations.get(coded.ledger_id)
    assert gone is not None and gone.state is ActivationState.CANCELLED
    assert kept is not None and kept.state is ActivationState.CODE_RECEIVED
    card = next(m for m in alice.chat() if m.message_id == gone.message_id)
    assert "Cancelled" in card.text, "its card shows it at once"
    assert not card.find_buttons("❌ Cancel"), card.buttons
