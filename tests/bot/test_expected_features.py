"""What users of popular SMS bots expect (issue 16, "Features people expect"): the balance
after a purchase, a top-up hint, buying from /prices, a new number after one without a code…"""

from __future__ import annotations

from bot.provider.sandbox.testing import ALICE_KEY
from bot.telegram.rendering import Renderer
from tests.bot.conftest import Harness, buy_first_offer, walk_to_confirm, with_key
from tests.bot.test_rent import rent_one


async def test_a_bought_number_shows_the_new_balance(harness: Harness) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    await buy_first_offer(harness, alice)
    card = alice.last_bot_message()
    balance = harness.sandbox.balance(ALICE_KEY)
    assert card is not None and f"Your balance now: {balance:.2f}" in card.text, alice.transcript()


async def test_a_rented_number_shows_the_new_balance_in_russian(harness: Harness) -> None:
    ivan = harness.user(3003, "Ivan", language="ru")
    await with_key(harness, ivan)
    await rent_one(harness, ivan, "ru")
    card = ivan.last_bot_message()
    balance = Renderer(harness.services.translator, "ru").money(harness.sandbox.balance(ALICE_KEY))
    assert card is not None and f"Ваш баланс теперь: {balance}" in card.text, ivan.transcript()


async def test_no_balance_at_the_provider_gets_a_top_up_hint(harness: Harness) -> None:
    for user_id, locale, words in (
        (1001, "en", "Top up your account"),
        (3003, "ru", "Пополните счёт"),
        (4004, "es", "Recarga tu cuenta"),
    ):
        user = harness.user(user_id, f"U{user_id}", language=locale)
        harness.sandbox.set_balance(ALICE_KEY, 1000)
        await with_key(harness, user)
        confirm = await walk_to_confirm(harness, user, locale=locale)
        harness.sandbox.set_balance(ALICE_KEY, 0)  # spent elsewhere since the confirm screen
        await user.press(confirm.buttons[0][0])
        told = user.last_bot_message()
        assert told is not None and words in told.text, user.transcript()
