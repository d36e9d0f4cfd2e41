"""/rent as a user meets it: Finish asks first, Cancel goes once an SMS came, durations in
days, prices in the country list (issue 16.10)."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from storage.rents import Rent, RentState
from tests.bot.conftest import Harness, keyed_user, labels_of
from tests.bot.test_rent import rent, rent_calls, rent_one

__all__ = ["rent"]  # a fixture: Alice's one rent


async def test_finish_asks_first_and_keep_it_changes_nothing(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    await alice.press("✅ Finish")
    question = alice.last_bot_message()
    assert question is not None and "Finish the rent" in question.text, alice.transcript()
    assert question.buttons == [["✅ Yes, finish", "↩️ Keep it"]]
    assert rent_calls(harness, "setRentStatus") == 0, "one tap ends nothing"
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.ACTIVE
    await alice.press("↩️ Keep it")
    card = alice.last_bot_message()
    assert card is not None and "Rented until" in card.text
    assert card.buttons == [["✅ Finish", "❌ Cancel"], ["➕ Extend"]]
    await alice.press("✅ Finish")
    await alice.press("✅ Yes, finish")
    assert rent_calls(harness, "setRentStatus") == 1
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.FINISHED
    assert "Finished" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_finish_question_in_russian_and_spanish(harness: Harness) -> None:
    t = harness.services.translator.t
    for locale, words in (("ru", "Завершить аренду"), ("es", "Terminar")):
        user = await keyed_user(harness, locale)
        await rent_one(harness, user, locale)
        await user.press(t(locale, "button-rent-finish"))
        question = user.last_bot_message()
        assert question is not None and words in question.text, user.transcript()
        assert question.buttons == [
            [t(locale, "button-rent-finish-yes"), t(locale, "button-rent-finish-no")]
        ]


async def test_cancel_leaves_the_rent_message_once_an_sms_came(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    card_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    harness.sandbox.deliver_rent_sms(int(rent.rent_id), "Code 4242")  # type: ignore[arg-type]
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    card = next(m for m in alice.chat() if m.message_id == card_id)
    assert card.buttons == [["✅ Finish"], ["➕ Extend"]], alice.transcript()
    await alice.send_text("/active")  # a fresh copy of the card knows it too
    assert "❌ Cancel" not in labels_of(alice.last_bot_message())


async def test_durations_read_in_days(harness: Harness) -> None:
    for locale, week, month in (
        ("en", "7 days", "30 days"),
        ("ru", "7 дней", "30 дней"),
        ("es", "7 días", "30 días"),
    ):
        user = await keyed_user(harness, locale)
        await user.send_text("/rent")
        await user.press(harness.services.translator.t(locale, "rent-service-full"))
        countries = user.last_bot_message()
        assert countries is not None
        await user.press_button(countries.keyboard[0][0])
        step = user.last_bot_message()
        any_operator = harness.services.translator.t(locale, "buy-operator-any")
        if step is not None and step.find_buttons(any_operator):
            await user.press(any_operator)
        hours = user.last_bot_message()
        assert hours is not None
        shown = labels_of(hours)
        assert week in shown and month in shown, user.transcript()
        assert not [text for text in shown if text.endswith(("168 h", "720 h", "168 ч"))]


async def test_the_rent_country_list_shows_prices(harness: Harness, alice: FakeUser) -> None:
    await alice.send_text("/rent")
    await alice.press("📱 Whole number (any service)")
    countries = alice.last_bot_message()
    assert countries is not None
    country_buttons = [
        b
        for row in countries.keyboard
        for b in row
        if (b.callback_data or "").startswith("rp:country:")
    ]
    assert country_buttons, alice.transcript()
    russia = next(b for b in country_buttons if b.callback_data == "rp:country:0")
    price = harness.sandbox.catalog.rent_price(0, "full", 4)
    assert russia.label.endswith(f" · {price:.2f}"), russia.label
