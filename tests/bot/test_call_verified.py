"""A call-verification number: its card speaks of a call, and the call ends it (issue 16.2).

The provider refuses every status change once the call came (PROTOCOL.md §3.9): the number
must not be left "live" with buttons that can only answer "Not possible now".
"""

from __future__ import annotations

from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY
from bot.telegram.buttons.activation import ActivationButton
from storage.activations import Activation, ActivationState
from tests.bot.conftest import Harness, bought_with, live_activations


async def bought_by_call(harness: Harness) -> Activation:
    """A call-verification number bought for Alice and shown by /active: its row."""
    return await bought_with(harness, shown_price="80", service_name="Telegram", verification=True)


async def test_the_waiting_card_speaks_of_a_call_not_an_sms(
    harness: Harness, alice: FakeUser
) -> None:
    await bought_by_call(harness)
    card = alice.last_bot_message()
    assert card is not None
    assert "Waiting for the call" in card.text and "Waiting for the SMS" not in card.text
    assert not card.find_buttons("✉️ SMS sent"), card.buttons
    assert card.find_buttons("❌ Cancel") and card.find_buttons("📞 Call status")


async def test_the_call_ends_the_number_and_the_key_can_be_forgotten(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_by_call(harness)
    assert row.activation_id is not None
    harness.sandbox.deliver_call(int(row.activation_id), "79001112233", code="4321")
    await harness.poll()
    card = next(m for m in reversed(alice.chat()) if m.message_id == row.message_id)
    assert "4321" in card.text and "The call came" in card.text, alice.transcript()
    # Nothing the provider would refuse is offered any more.
    for label in ("🔁 Another code", "✅ Finish", "✉️ SMS sent", "❌ Cancel"):
        assert not card.find_buttons(label), (label, card.buttons)
    done = await harness.services.activations.get(row.ledger_id)
    assert done is not None and done.state is ActivationState.FINISHED
    assert await live_activations(harness) == []
    # An old card's Finish button: the answer is that it ended, not "Not possible now".
    finish = ActivationButton("finish", row.ledger_id).pack()
    await alice.press_data(finish, row.message_id)  # type: ignore[arg-type]
    assert "Not possible now" not in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    await alice.press("🗑 Yes, delete it")
    assert "deleted" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    assert harness.sandbox.balance(ALICE_KEY) < Decimal("1000"), "the call is paid for"


async def test_a_press_on_a_number_whose_call_came_unseen_ends_it(
    harness: Harness, alice: FakeUser
) -> None:
    """The call came but no poll saw it yet: Finish is refused by the provider (BAD_STATUS),
    and the bot learns the call ended the number instead of answering "Not possible now"."""
    row = await bought_by_call(harness)
    assert row.activation_id is not None
    harness.sandbox.deliver_call(int(row.activation_id), "79001112233", code="8765")
    await alice.press("❌ Cancel", row.message_id)
    card = alice.last_bot_message()
    assert card is not None and "8765" in card.text, alice.transcript()
    assert "Not possible now" not in card.text
    assert await live_activations(harness) == []
