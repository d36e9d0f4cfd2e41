"""Another activation on a used number (from its message and from /history), and /history pages."""

from __future__ import annotations

from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.provider.sandbox.testing import ALICE_KEY
from bot.telegram.buttons.activation import AdditionalOffer, CallStatus, ExtraOffer, OrderCall
from storage.activations import Activation, ActivationState
from tests.bot.conftest import (
    Harness,
    bought_number,
    bought_with,
    first_button_data,
    live_activations,
    provider_calls,
    sms_arrives,
)

AGAIN = "🔁 Use this number again"


async def finished_with_code(harness: Harness, user_id: int = 1001) -> Activation:
    """Buys through the chat, gets a code, finishes; returns the finished row."""
    user = harness.user(user_id)
    row = await bought_number(harness, user)
    await sms_arrives(harness, row, "Code 12345")
    await user.press("✅ Finish", row.message_id)
    done = await harness.services.activations.get(row.ledger_id)
    assert done is not None and done.state is ActivationState.FINISHED
    return done


async def another_activation_offer(
    harness: Harness, user: FakeUser
) -> tuple[Activation, VisibleMessage]:
    """``user`` finishes a number with its code and presses 🔁 on it: the finished number and
    the offer of another activation on it."""
    parent = await finished_with_code(harness, user.id)
    await user.press(AGAIN, parent.message_id)
    offer = user.last_bot_message()
    assert offer is not None and "Another activation" in offer.text, user.transcript()
    return parent, offer


async def test_the_same_number_again_from_the_finished_message(
    harness: Harness, alice: FakeUser
) -> None:
    parent, offer = await another_activation_offer(harness, alice)
    assert f"+{parent.phone}" in offer.text
    data = first_button_data(offer)
    first = await alice.press_data(data, offer.message_id)
    second = await alice.press_data(data, offer.message_id)  # a double tap
    assert provider_calls(harness, "getExtraActivation") == 1
    assert alice.answer_for(first) is not None and alice.answer_for(second) is not None
    [child] = await live_activations(harness)
    assert child.phone == parent.phone and child.ledger_id != parent.ledger_id
    assert child.options.get("parent") == parent.ledger_id
    assert child.cost is not None and child.cost > Decimal(0)
    card = alice.last_bot_message()
    assert card is not None and card.message_id == offer.message_id
    assert f"+{child.phone}" in card.text and "Waiting for the SMS" in card.text
    # A normal watched activation: its code reaches its own message.
    await sms_arrives(harness, child, "Code 67890")
    assert any("67890" in m.text for m in alice.chat() if m.message_id == offer.message_id)
    # The number is busy again: the provider refuses another, and the user is told why.
    query = await alice.press(AGAIN, parent.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "cannot give this number again" in (answer.text or "")
    assert provider_calls(harness, "getExtraActivation") == 1


async def test_another_users_offer_button_is_refused(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    parent = await finished_with_code(harness)
    await bob.send_text("/start")
    forged = ExtraOffer(parent.ledger_id).pack()
    query = await bob.press_data(forged, bob.last_bot_message().message_id)  # type: ignore[union-attr]
    answer = bob.answer_for(query)
    assert answer is not None and "not yours" in (answer.text or "")
    assert provider_calls(harness, "checkExtraActivation") == 0
    assert provider_calls(harness, "getExtraActivation") == 0


async def test_a_number_that_never_got_a_code_is_refused_by_the_provider(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_number(harness, alice)
    harness.sandbox.advance(125)
    await alice.press("❌ Cancel", row.message_id)
    # No button is shown for it; a forged one asks the provider, who says no.
    query = await alice.press_data(ExtraOffer(row.ledger_id).pack(), row.message_id)  # type: ignore[arg-type]
    answer = alice.answer_for(query)
    assert answer is not None and "cannot give this number again" in (answer.text or "")
    assert provider_calls(harness, "getExtraActivation") == 0


async def test_a_lost_answer_is_reconciled_not_retried(harness: Harness, alice: FakeUser) -> None:
    parent = await finished_with_code(harness)
    await alice.press(AGAIN, parent.message_id)
    harness.sandbox.inject_fault("getExtraActivation", "drop", after=True)
    await alice.press(alice.last_bot_message().buttons[0][0])  # type: ignore[union-attr]
    assert provider_calls(harness, "getExtraActivation") == 1
    [child] = await live_activations(harness)
    assert child.phone == parent.phone
    assert "Waiting for the SMS" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_a_paid_call_refused_for_the_numbers_state_says_it_cannot_come_again(
    harness: Harness, alice: FakeUser
) -> None:
    """The price was quoted, then the provider refuses the purchase itself for the number's
    state: the confirm says the number cannot come again, and nothing was bought."""
    _, offer = await another_activation_offer(harness, alice)
    assert offer.buttons
    harness.sandbox.inject_fault("getExtraActivation", "reply", body="BAD_STATUS")
    await alice.press(offer.buttons[0][0], offer.message_id)
    assert provider_calls(harness, "getExtraActivation") == 1
    shown = alice.last_bot_message()
    assert shown is not None and shown.message_id == offer.message_id
    assert "cannot give this number again" in shown.text, alice.transcript()
    assert await live_activations(harness) == []


async def test_history_pages_and_offers_the_number_again(harness: Harness, alice: FakeUser) -> None:
    ledger = harness.services.activations
    for n in range(12):
        intent = await ledger.record_intent(
            idempotency_key=f"k{n}",
            user_id=alice.id,
            chat_id=alice.id,
            provider="p",
            service="tg",
            country=0,
        )
        row = await ledger.confirm_intent(
            intent,
            activation_id=f"9{n}",
            phone=f"7900000{n:04d}",
            cost=Decimal("1.00"),
            deadline=None,
        )
        if n == 0:  # the oldest: used with a code, so it may be used again
            await ledger.record_sms(row.ledger_id, code="111", text=None)
        await ledger.end(
            row.ledger_id, ActivationState.FINISHED if n == 0 else ActivationState.CANCELLED
        )
    await alice.send_text("/history")
    first = alice.last_bot_message()
    assert first is not None
    assert first.text.count("+7900000") == 10
    assert not any(label.startswith("🔁") for row in first.buttons for label in row)
    await alice.press("▶️")
    second = alice.last_bot_message()
    assert second is not None and second.message_id == first.message_id
    assert second.text.count("+7900000") == 2 and "+79000000000" in second.text
    assert any("+79000000000" in label for row in second.buttons for label in row)
    await alice.press("◀️")
    assert alice.last_bot_message().text.count("+7900000") == 10  # type: ignore[union-attr]


async def test_call_verification_shows_the_call_and_orders_one_back(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_with(harness, verification=True)
    await alice.press("📞 Call status", row.message_id)
    card = alice.last_bot_message()
    assert card is not None and "Call: not yet" in card.text, alice.transcript()
    harness.sandbox.deliver_call(int(row.activation_id), "79001112233")  # type: ignore[arg-type]
    await alice.press("📞 Call status", row.message_id)
    card = alice.last_bot_message()
    assert card is not None and "Call from 79001112233" in card.text
    await alice.press("🔄 Refresh", row.message_id)  # a refresh asks about the call too
    assert "Call from 79001112233" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press("📞 Call status", row.message_id)
    await alice.press("📲 Call me from this number", row.message_id)
    await alice.send_text("not a phone")
    assert "not a phone number" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("+79005556677")
    assert "Call ordered" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert provider_calls(harness, "createTaskForCall") == 1


async def test_a_provider_without_outgoing_calls_hides_the_button(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_with(harness, verification=True)
    harness.sandbox.inject_fault("getOutgoingCalls", "reply", body="BAD_ACTION")
    await alice.press("📞 Call status", row.message_id)
    card = alice.last_bot_message()
    assert card is not None and "Call: not yet" in card.text
    assert not card.find_buttons("📲 Call me from this number")
    await alice.press("📞 Call status", row.message_id)  # remembered: not asked again
    assert provider_calls(harness, "getOutgoingCalls") == 1
    assert not alice.last_bot_message().find_buttons("📲 Call me from this number")  # type: ignore[union-attr]


async def test_call_status_of_a_provider_without_it_is_answered(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_with(harness, verification=True)
    harness.sandbox.inject_fault("getIncomingCallStatus", "reply", body="BAD_ACTION")
    query = await alice.press("📞 Call status", row.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "does not offer" in (answer.text or "")


async def test_an_added_service_on_a_forwarded_number(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    row = await bought_with(harness, service="av", forward=True)
    assert not alice.last_bot_message().find_buttons("➕ Add a service to this number")  # type: ignore[union-attr]
    await sms_arrives(harness, row, "Avito code 5555")
    # Bob cannot add to Alice's number.
    await bob.send_text("/start")
    forged = AdditionalOffer(row.ledger_id, "", 0).pack()
    query = await bob.press_data(forged, bob.last_bot_message().message_id)  # type: ignore[union-attr]
    assert "not yours" in (bob.answer_for(query).text or "")  # type: ignore[union-attr]
    await alice.press("➕ Add a service to this number", row.message_id)
    picker = alice.last_bot_message()
    assert picker is not None and "Yandex/Uber" in picker.buttons[0], alice.transcript()
    await alice.press("Yandex/Uber")
    confirm = alice.last_bot_message()
    assert confirm is not None and "Add Yandex/Uber" in confirm.text
    data = first_button_data(confirm)
    for _ in range(3):
        await alice.press_data(data, confirm.message_id)
    assert provider_calls(harness, "getAdditionalService") == 1
    added = [r for r in await live_activations(harness) if r.service == "ya"]
    assert len(added) == 1 and added[0].phone == row.phone
    assert "Waiting for the SMS" in alice.last_bot_message().text  # type: ignore[union-attr]
    # Again on the same number: the provider refuses, and the user hears it.
    await alice.press("➕ Add a service to this number", row.message_id)
    await alice.press("Yandex/Uber")
    await alice.press(alice.last_bot_message().buttons[0][0])  # type: ignore[union-attr]
    assert "Not bought" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert len([r for r in await live_activations(harness) if r.service == "ya"]) == 1


async def test_forged_call_buttons_on_another_users_number_are_refused(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    ledger_id = (await bought_with(harness, verification=True)).ledger_id
    await bob.send_text("/start")
    message_id = bob.last_bot_message().message_id  # type: ignore[union-attr]
    for data in (CallStatus(ledger_id).pack(), OrderCall(ledger_id).pack(), "xv:x", "xb:nope"):
        query = await bob.press_data(data, message_id)
        answer = bob.answer_for(query)
        assert answer is not None, data
        if data.endswith(f":{ledger_id}"):
            assert "not yours" in (answer.text or ""), data
        else:
            assert "out of date" in (answer.text or ""), data
    touched = ("getIncomingCallStatus", "getOutgoingCalls", "createTaskForCall")
    assert not any(r.action in touched for r in harness.sandbox.request_log)


async def test_a_short_balance_is_said_before_any_paid_call(
    harness: Harness, alice: FakeUser
) -> None:
    parent = await finished_with_code(harness)
    harness.sandbox.set_balance(ALICE_KEY, "0.50")
    query = await alice.press(AGAIN, parent.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "your balance is 0.50" in (answer.text or "")
    assert provider_calls(harness, "getExtraActivation") == 0
