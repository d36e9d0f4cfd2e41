"""Call verification and forwarding on the confirm screen: offered only where the provider
offers them, sent as the right request parameters, recorded, and shown on the card."""

from __future__ import annotations

from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import (
    Harness,
    first_button_data,
    labels_of,
    live_activations,
    walk_to_confirm,
)

VERIFICATION_ON = "📞 Call verification: off (turn on)"
VERIFICATION_OFF = "📞 Call verification: on (turn off)"
FORWARD_ON = "↪️ Call forwarding: off (turn on)"
FORWARD_OFF = "↪️ Call forwarding: on (turn off)"


async def walk_to_avito_in_russia(user: FakeUser) -> VisibleMessage:
    """Avito is sold with forwarding, and Russia sells call-verification numbers."""
    await user.send_text("/buy avito")
    await user.press("Avito")
    await user.send_text("Russia")  # the one country that matches: picked
    await user.press("Any operator")
    confirm = user.last_bot_message()
    assert confirm is not None and confirm.buttons[0][0].startswith("✅ Buy"), user.transcript()
    return confirm


def purchases(harness: Harness) -> list[dict[str, str]]:
    return [
        dict(r.params)
        for r in harness.sandbox.request_log
        if r.action in ("getNumber", "getNumberV2")
    ]


async def buy_from(harness: Harness, user: FakeUser, confirm: VisibleMessage) -> dict[str, str]:
    """The user presses Buy on the confirm screen: what the one paid call sent."""
    await user.press(confirm.buttons[0][0])
    [params] = purchases(harness)
    return params


async def test_options_are_off_by_default_and_not_sent(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_avito_in_russia(alice)
    assert VERIFICATION_ON in labels_of(confirm) and FORWARD_ON in labels_of(confirm)
    params = await buy_from(harness, alice, confirm)
    assert "verification" not in params and "forward" not in params
    card = alice.last_bot_message()
    assert card is not None and "Call verification" not in card.text
    assert "Forwarded" not in card.text


async def test_call_verification_reaches_the_provider_and_shows_on_the_card(
    harness: Harness, alice: FakeUser
) -> None:
    plain = await walk_to_avito_in_russia(alice)
    await alice.press(VERIFICATION_ON)
    confirm = alice.last_bot_message()
    assert confirm is not None and VERIFICATION_OFF in labels_of(confirm), alice.transcript()
    assert "the code comes as a phone call" in confirm.text
    # A call-verification number has its own (dearer) price, and it is the one offered.
    price = harness.sandbox.catalog.verification_price(0, "av")
    assert confirm.buttons[0][0] == f"✅ Buy for {price:.2f}"
    assert confirm.buttons[0][0] != plain.buttons[0][0]
    data = first_button_data(confirm)
    await alice.press_data(data, confirm.message_id)
    await alice.press_data(data, confirm.message_id)  # a double tap still buys once
    [params] = purchases(harness)
    assert params["verification"] == "true" and "forward" not in params
    assert "maxPrice" not in params
    [row] = await live_activations(harness)
    assert row.options["verification"] is True and row.options["forward"] is False
    card = alice.last_bot_message()
    assert card is not None and "📞 Call verification" in card.text, alice.transcript()
    assert harness.sandbox.balance(ALICE_KEY) == Decimal("1000") - price


async def test_verification_can_be_turned_off_again(harness: Harness, alice: FakeUser) -> None:
    await walk_to_avito_in_russia(alice)
    await alice.press(VERIFICATION_ON)
    await alice.press(VERIFICATION_OFF)
    confirm = alice.last_bot_message()
    assert confirm is not None and VERIFICATION_ON in labels_of(confirm)
    params = await buy_from(harness, alice, confirm)
    assert "verification" not in params


async def test_forwarding_asks_a_valid_number_sends_forward_and_shows_it(
    harness: Harness, alice: FakeUser
) -> None:
    await walk_to_avito_in_russia(alice)
    await alice.press(FORWARD_ON)
    assert "forwarded to" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("call me maybe")
    assert "not a phone number" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("123")
    assert "not a phone number" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("+44 7700 900-123")
    confirm = alice.last_bot_message()
    assert confirm is not None and FORWARD_OFF in labels_of(confirm), alice.transcript()
    assert "+447700900123" in confirm.text
    params = await buy_from(harness, alice, confirm)
    assert params["forward"] == "1" and "verification" not in params
    [row] = await live_activations(harness)
    assert row.options["forward"] is True and row.options["forward_number"] == "447700900123"
    card = alice.last_bot_message()
    assert card is not None and "Forwarded to +447700900123" in card.text, alice.transcript()
    # The protocol wants the forwarding number on setStatus of a forwarded number.
    await alice.press("✉️ SMS sent")
    [status] = [r for r in harness.sandbox.request_log if r.action == "setStatus"]
    assert status.params["forward"] == "447700900123"


async def test_forwarding_turned_off_is_not_sent(harness: Harness, alice: FakeUser) -> None:
    await walk_to_avito_in_russia(alice)
    await alice.press(FORWARD_ON)
    await alice.send_text("+7 912 345 67 89")
    await alice.press(FORWARD_OFF)
    confirm = alice.last_bot_message()
    assert confirm is not None and FORWARD_ON in labels_of(confirm)
    assert "forwarded" not in confirm.text
    params = await buy_from(harness, alice, confirm)
    assert "forward" not in params
    [row] = await live_activations(harness)
    assert row.options["forward"] is False and row.options["forward_number"] is None


async def test_back_from_the_forwarding_question_buys_without_forwarding(
    harness: Harness, alice: FakeUser
) -> None:
    await walk_to_avito_in_russia(alice)
    await alice.press(FORWARD_ON)
    await alice.press("↩️ Back")
    confirm = alice.last_bot_message()
    assert confirm is not None and FORWARD_ON in labels_of(confirm), alice.transcript()
    await alice.send_text("+44 7700 900123")  # no longer asked for: not taken as a number
    params = await buy_from(harness, alice, confirm)
    assert "forward" not in params


async def test_options_the_provider_does_not_offer_are_not_shown(
    harness: Harness, alice: FakeUser
) -> None:
    # Telegram has no forwarding, and its cheapest country sells no call verification.
    confirm = await walk_to_confirm(harness, alice)
    assert not any("Call verification" in label for label in labels_of(confirm))
    assert not any("Call forwarding" in label for label in labels_of(confirm))
    await alice.press("↩️ Back")
    # A provider without getPricesVerification: forwarding only.
    harness.sandbox.inject_fault("getPricesVerification", "reply", count=5, body="BAD_ACTION")
    confirm = await walk_to_avito_in_russia(alice)
    assert FORWARD_ON in labels_of(confirm)
    assert not any("Call verification" in label for label in labels_of(confirm))


async def test_a_stale_option_button_changes_nothing(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_avito_in_russia(alice)
    await alice.press("✖️ Cancel")
    query = await alice.press_data("ot:verification", confirm.message_id)
    assert alice.answer_for(query) is not None
    assert purchases(harness) == []


async def test_the_refund_cancel_of_a_forwarded_number_carries_the_forwarding_number(
    harness: Harness, alice: FakeUser
) -> None:
    """The watcher's own cancel before the deadline (the refund) is a setStatus too: a
    provider that wants ``forward`` on it must get it, or the money would not come back."""
    await walk_to_avito_in_russia(alice)
    await alice.press(FORWARD_ON)
    await alice.send_text("+44 7700 900-123")
    confirm = alice.last_bot_message()
    assert confirm is not None
    await alice.press(confirm.buttons[0][0])
    harness.sandbox.advance(20 * 60 - 60)  # inside the watcher's margin before the deadline
    await harness.poll()
    [cancel] = [r for r in harness.sandbox.request_log if r.action == "setStatus"]
    assert cancel.params["status"] == "8" and cancel.params["forward"] == "447700900123"
    assert await live_activations(harness) == []
