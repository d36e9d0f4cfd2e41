"""Issue 16.6: no screen leaves the user without a way on (a Buy that must fail, an error
with no buttons, a prompt with no Cancel, a Back that loops to the same error)."""

from __future__ import annotations

from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import (
    Harness,
    first_button_data,
    labels_of,
    provider_calls,
    walk_to_confirm,
)
from tests.bot.test_buy_options import VERIFICATION_ON, walk_to_avito_in_russia
from tests.bot.test_extras import AGAIN, finished_with_code
from tests.bot.test_rent import rent_calls, rent_one


def labels(harness: Harness, user_id: int = 1001) -> list[str]:
    """The labels of the buttons under the user's newest message from the bot."""
    return labels_of(harness.telegram.user(user_id, "Alice").last_bot_message())


async def test_a_max_price_below_the_price_offers_no_buy_that_must_fail(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_confirm(harness, alice)
    price = Decimal(confirm.buttons[0][0].removeprefix("✅ Buy for "))
    await alice.press("💲 Max price…")
    await alice.send_text(str(price - Decimal("1")))
    screen = alice.last_bot_message()
    assert screen is not None and "below the price" in screen.text, alice.transcript()
    assert not any(label.startswith("✅ Buy") for label in labels(harness))
    assert "💲 Max price…" in labels(harness) and "↩️ Back" in labels(harness)
    await alice.press("💲 Max price…")
    await alice.send_text(str(price + Decimal("1")))
    assert labels(harness)[0].startswith("✅ Buy"), alice.transcript()


async def test_the_max_price_prompt_can_go_back_or_cancel(
    harness: Harness, alice: FakeUser
) -> None:
    await walk_to_confirm(harness, alice)
    await alice.press("💲 Max price…")
    assert {"↩️ Back", "✖️ Cancel"} <= set(labels(harness)), alice.transcript()
    await alice.press("↩️ Back")
    assert labels(harness)[0].startswith("✅ Buy"), alice.transcript()
    await alice.send_text("12")  # the prompt was left: not taken as a max price
    assert "Max price (Free Price)" not in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_an_unreadable_reply_to_a_purchase_says_it_was_checked_and_offers_a_way_on(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_confirm(harness, alice)
    harness.sandbox.inject_fault("getNumberV2", "http_500")
    harness.sandbox.inject_fault("getNumber", "http_500")
    await alice.press(confirm.buttons[0][0])
    refused = alice.last_bot_message()
    assert refused is not None and "cannot read" not in refused.text, alice.transcript()
    assert "checked" in refused.text and "nothing was charged" in refused.text
    assert "🔁 Try again" in labels(harness) and "↩️ Back" in labels(harness)
    paid = provider_calls(harness, "getNumber", "getNumberV2")
    await alice.press("🔁 Try again")
    again = alice.last_bot_message()
    assert again is not None and labels(harness)[0].startswith("✅ Buy"), alice.transcript()
    assert provider_calls(harness, "getNumber", "getNumberV2") == paid, "a retry asks first"


async def test_call_verification_with_a_short_balance_offers_the_plain_number(
    harness: Harness, alice: FakeUser
) -> None:
    plain = await walk_to_avito_in_russia(alice)
    plain_price = Decimal(plain.buttons[0][0].removeprefix("✅ Buy for "))
    harness.sandbox.set_balance(ALICE_KEY, plain_price)  # enough for a plain number only
    await alice.press(VERIFICATION_ON)
    short = alice.last_bot_message()
    assert short is not None and "your balance is" in short.text, alice.transcript()
    await alice.press("📞 Call verification: on (turn off)")
    confirm = alice.last_bot_message()
    assert confirm is not None and labels(harness)[0] == f"✅ Buy for {plain_price:.2f}", (
        alice.transcript()
    )


async def test_the_extend_menus_can_be_cancelled_and_then_pay_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    await rent_one(harness, alice)
    await alice.press("➕ Extend")
    assert "✖️ Cancel" in labels(harness), alice.transcript()
    await alice.press("✖️ Cancel")
    assert "Not extended" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press("➕ Extend")
    await alice.press("12 h")
    offer = alice.last_bot_message()
    assert offer is not None and "✖️ Cancel" in labels(harness), alice.transcript()
    pay = first_button_data(offer)
    await alice.press("✖️ Cancel")
    assert "Not extended" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press_data(pay, offer.message_id)  # the pay button of the cancelled offer
    assert rent_calls(harness, "continueRentNumber") == 0


async def test_another_activation_offer_can_be_cancelled_and_then_buys_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    parent = await finished_with_code(harness)
    await alice.press(AGAIN, parent.message_id)
    offer = alice.last_bot_message()
    assert offer is not None and "✖️ Cancel" in labels(harness), alice.transcript()
    buy = first_button_data(offer)
    await alice.press("✖️ Cancel")
    assert "Not bought" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press_data(buy, offer.message_id)
    assert provider_calls(harness, "getExtraActivation") == 0
