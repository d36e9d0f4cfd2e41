"""API keys in the chat: deleted, retried, and never swapped under a live number."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from tests.bot.conftest import (
    Harness,
    bought_number,
    buy_first_offer,
    live_activations,
    refused_key,
    sms_arrives,
    with_key,
)


async def test_a_refused_key_ends_the_key_step_and_the_next_one_needs_key_again(
    harness: Harness,
) -> None:
    alice = harness.user()
    refused = await refused_key(harness, alice, "not-a-real-key-123")
    assert "does not accept" in refused.text, alice.transcript()
    await alice.send_text("/key")  # a refused key ended the step: a new /key, a new try
    await alice.send_text(ALICE_KEY)
    assert all(ALICE_KEY not in m.text for m in alice.chat()), alice.transcript()
    assert "Key saved" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_the_key_cannot_change_or_go_while_a_number_bought_with_it_is_live(
    harness: Harness, alice: FakeUser
) -> None:
    await buy_first_offer(harness, alice)
    await alice.send_text(f"/key {BOB_KEY}")
    assert "live numbers" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    assert "live numbers" in alice.last_bot_message().text  # type: ignore[union-attr]
    await harness.poll()
    [row] = await live_activations(harness)  # still watched with the key that bought it
    assert row.activation_id is not None


async def test_a_code_then_the_deadline_tells_finished_not_refunded(
    harness: Harness, alice: FakeUser
) -> None:
    row = await bought_number(harness, alice)
    await sms_arrives(harness, row, "Code 565656")
    harness.sandbox.advance(21 * 60)  # the provider finishes it, the charge kept
    await harness.poll()
    last = alice.last_bot_message()
    assert last is not None and "is finished" in last.text, alice.transcript()
    assert "balance" not in last.text


async def test_refresh_of_a_live_number_says_when_it_asked(
    harness: Harness, alice: FakeUser
) -> None:
    await buy_first_offer(harness, alice)
    query = await alice.press("🔄 Refresh")
    assert alice.answer_for(query) is not None, "the press is answered"
    card = alice.last_bot_message()
    assert card is not None and "Checked with the provider at" in card.text, alice.transcript()
    assert not card.text.endswith("Done.")


async def test_a_replaced_key_is_the_one_used_from_then_on(
    harness: Harness, alice: FakeUser
) -> None:
    """Keys are kept ready in memory between ticks: replacing one must replace that too."""
    await alice.send_text("/balance")
    assert "1000.00" in alice.last_bot_message().text  # type: ignore[union-attr]
    await with_key(harness, alice, BOB_KEY)
    await alice.send_text("/balance")
    assert "100.00" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert "1000.00" not in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    await alice.press("🗑 Yes, delete it")
    await alice.send_text("/balance")
    assert "100.00" not in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_the_key_cannot_change_while_a_rent_made_with_it_is_live(harness: Harness) -> None:
    from tests.bot.test_rent import rent_one

    alice = harness.user()
    await with_key(harness, alice)
    await rent_one(harness, alice)
    await alice.send_text(f"/key {BOB_KEY}")
    assert "live numbers" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    assert "live numbers" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_forgetkey_asks_first_and_keep_it_keeps_the_key(alice: FakeUser) -> None:
    await alice.send_text("/forgetkey")
    question = alice.last_bot_message()
    assert question is not None and "Delete your key" in question.text, alice.transcript()
    assert question.buttons == [["🗑 Yes, delete it", "↩️ Keep it"]]
    await alice.press("↩️ Keep it")
    assert "is kept" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/balance")
    assert "1000.00" in alice.last_bot_message().text, "the key still works"  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    await alice.press("🗑 Yes, delete it")
    assert "is deleted" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/forgetkey")
    assert "no key" in alice.last_bot_message().text, "nothing left to ask about"  # type: ignore[union-attr]


async def test_forgetkey_asks_in_russian_and_spanish(harness: Harness) -> None:
    t = harness.services.translator.t
    for user_id, locale in ((3003, "ru"), (4004, "es")):
        user = harness.user(user_id, f"U{user_id}", language=locale)
        await with_key(harness, user)
        await user.send_text("/forgetkey")
        question = user.last_bot_message()
        assert question is not None
        assert question.buttons == [
            [t(locale, "button-forget-key-yes"), t(locale, "button-forget-key-no")]
        ]
        await user.press(t(locale, "button-forget-key-yes"))
        assert "🗑" in user.last_bot_message().text  # type: ignore[union-attr]


async def test_a_forgetkey_question_goes_stale_when_the_provider_changes(
    harness: Harness, alice: FakeUser
) -> None:
    accounts = harness.services.accounts
    before = set(await accounts.providers_with_keys(alice.id))
    await alice.send_text("/forgetkey")
    question = alice.last_bot_message()
    assert question is not None
    await alice.send_text("/provider")
    await alice.press_button(alice.last_bot_message().keyboard[0][1])  # type: ignore[union-attr]
    query = await alice.press("🗑 Yes, delete it", question)
    answer = alice.answer_for(query)
    assert answer is not None and "out of date" in (answer.text or ""), alice.transcript()
    assert set(await accounts.providers_with_keys(alice.id)) == before, "no key was deleted"
