"""Buying a number through the chat, end to end in-process."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import Harness, live_activations, walk_to_confirm, with_key


async def test_new_user_sets_a_key_and_the_key_message_is_deleted(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/start")
    assert "/key" in alice.chat()[-1].text
    await with_key(harness, alice)
    texts = [m.text for m in alice.chat()]
    assert not any(ALICE_KEY in text for text in texts), alice.transcript()
    assert "Key saved" in texts[-1] and "1000.00" in texts[-1], alice.transcript()


async def test_buy_by_buttons_then_code_is_pushed(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/start")
    await with_key(harness, alice)
    await alice.send_text("/buy")
    await alice.press("Telegram")
    card = alice.last_bot_message()
    assert card is not None and "Telegram" in card.text
    first_country = card.buttons[0][0]
    await alice.press(first_country)
    step = alice.last_bot_message()
    assert step is not None
    if "pick an operator" in step.text:
        await alice.press("Any operator")
    confirm = alice.last_bot_message()
    assert confirm is not None and "Confirm" in confirm.text, alice.transcript()
    buy_label = confirm.buttons[0][0]
    await alice.press(buy_label)
    card = alice.last_bot_message()
    assert card is not None and "Waiting for the SMS" in card.text, alice.transcript()
    [activation] = await live_activations(harness)
    harness.sandbox.deliver_sms(int(activation.activation_id), "Your Telegram code: 54321")
    await harness.poll()
    last = alice.last_bot_message()
    assert last is not None and "54321" in last.text, alice.transcript()
    assert harness.sandbox.balance(ALICE_KEY) < Decimal("1000")


async def _to_confirm(harness: Harness) -> tuple[object, object]:
    alice = harness.user()
    await with_key(harness, alice)
    return alice, await walk_to_confirm(harness, alice)


async def test_a_max_price_below_the_price_buys_nothing_and_says_why(harness: Harness) -> None:
    alice, _ = await _to_confirm(harness)
    await alice.press("💲 Max price…")  # type: ignore[attr-defined]
    await alice.send_text("0.01")  # type: ignore[attr-defined]
    screen = alice.last_bot_message()  # type: ignore[attr-defined]
    # No Buy that must fail: the screen says why and asks for another limit (16.6).
    assert "Your max price 0.01 is below the price" in screen.text
    assert not any(label.startswith("✅ Buy") for row in screen.buttons for label in row)
    assert [r for r in harness.sandbox.request_log if r.action == "getNumberV2"] == []
    assert await live_activations(harness) == []


async def test_a_max_price_above_the_price_buys(harness: Harness) -> None:
    alice, _ = await _to_confirm(harness)
    await alice.press("💲 Max price…")  # type: ignore[attr-defined]
    await alice.send_text("abc")  # type: ignore[attr-defined]
    assert "not an amount" in alice.last_bot_message().text  # type: ignore[attr-defined]
    await alice.send_text("500")  # type: ignore[attr-defined]
    confirm = alice.last_bot_message()  # type: ignore[attr-defined]
    await alice.press(confirm.buttons[0][0], confirm)  # type: ignore[attr-defined]
    assert len(await live_activations(harness)) == 1


@pytest.mark.parametrize("text", ["0.001", "1e-7", "1e-999999999"])
async def test_a_max_price_below_a_cent_is_not_an_amount(harness: Harness, text: str) -> None:
    """A positive limit that reads as 0.00 (0 is "no limit") is refused, not kept as a cap
    no number can meet and written in exponent notation to the provider."""
    alice, _ = await _to_confirm(harness)
    await alice.press("💲 Max price…")  # type: ignore[attr-defined]
    await alice.send_text(text)  # type: ignore[attr-defined]
    answer = alice.last_bot_message()  # type: ignore[attr-defined]
    assert "not an amount" in answer.text, alice.transcript()  # type: ignore[attr-defined]


async def test_a_max_price_in_exponent_notation_reaches_the_provider_as_a_plain_number(
    harness: Harness,
) -> None:
    alice, _ = await _to_confirm(harness)
    await alice.press("💲 Max price…")  # type: ignore[attr-defined]
    await alice.send_text("5e2")  # type: ignore[attr-defined]
    confirm = alice.last_bot_message()  # type: ignore[attr-defined]
    await alice.press(confirm.buttons[0][0], confirm)  # type: ignore[attr-defined]
    [bought] = [r for r in harness.sandbox.request_log if r.action == "getNumberV2"]

    assert "Max price (Free Price): 500.00" in confirm.text, alice.transcript()  # type: ignore[attr-defined]
    assert bought.params.get("maxPrice") == "500", bought.params
