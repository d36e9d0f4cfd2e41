"""The activation message's buttons, and what only the provider may decide."""

from __future__ import annotations

from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY
from bot.telegram.buttons.activation import ActivationButton
from storage.activations import ActivationState
from tests.bot.conftest import (
    Harness,
    bought_number,
    buy_first_offer,
    first_button_data,
    live_activations,
    provider_calls,
    sms_arrives,
    walk_to_confirm,
    with_key,
)


def paid_calls(harness: Harness) -> int:
    return provider_calls(harness, "getNumber", "getNumberV2")


async def test_double_tap_on_confirm_buys_one_number(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_confirm(harness, alice)
    data = first_button_data(confirm)
    first = await alice.press_data(data, confirm.message_id)
    second = await alice.press_data(data, confirm.message_id)
    third = await alice.press_data(data, confirm.message_id)
    assert paid_calls(harness) == 1
    assert len(await live_activations(harness)) == 1
    answers = [alice.answer_for(q) for q in (first, second, third)]
    assert all(a is not None for a in answers), "every press is answered"
    assert "already used" in (answers[1].text or "")  # type: ignore[union-attr]


async def test_another_users_forged_button_is_refused_and_changes_nothing(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    activation = await bought_number(harness, alice)
    await bob.send_text("/start")
    forged = ActivationButton("cancel", activation.ledger_id).pack()
    query = await bob.press_data(forged, bob.last_bot_message().message_id)  # type: ignore[union-attr]
    answer = bob.answer_for(query)
    assert answer is not None and "not yours" in (answer.text or "")
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.WAITING
    assert not any(r.action == "setStatus" for r in harness.sandbox.request_log)


async def test_garbage_and_stale_buttons_get_an_answer(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/start")
    message_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    for data in ("ac:cancel:notanumber", "zz:1", "ps:tg", "cb:deadbeef"):
        query = await alice.press_data(data, message_id)
        assert alice.answer_for(query) is not None, data


async def test_early_cancel_is_refused_then_cancelled_automatically(
    harness: Harness, alice: FakeUser
) -> None:
    balance_before = harness.sandbox.balance(ALICE_KEY)
    activation = await bought_number(harness, alice)
    query = await alice.press("❌ Cancel")
    assert alice.answer_for(query) is not None, "the press is answered"
    # The refusal is written on the activation message, under the card.
    assert "allows cancelling from" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert (await harness.services.activations.get(activation.ledger_id)).state is (  # type: ignore[union-attr]
        ActivationState.WAITING
    )
    await alice.press("⏰ Cancel automatically")
    assert "cancelled automatically" in alice.last_bot_message().text  # type: ignore[union-attr]
    await harness.poll()  # too early: nothing happens
    assert (await harness.services.activations.get(activation.ledger_id)).state is (  # type: ignore[union-attr]
        ActivationState.WAITING
    )
    harness.sandbox.advance(125)
    await harness.poll()
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.CANCELLED
    assert harness.sandbox.balance(ALICE_KEY) == balance_before
    assert "back on your balance" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_no_code_before_deadline_is_cancelled_and_refunded_and_the_user_told(
    harness: Harness, alice: FakeUser
) -> None:
    balance_before = harness.sandbox.balance(ALICE_KEY)
    await buy_first_offer(harness, alice)
    assert harness.sandbox.balance(ALICE_KEY) < balance_before
    harness.sandbox.advance(20 * 60 - 60)  # inside the watcher's margin before the deadline
    await harness.poll()
    assert harness.sandbox.balance(ALICE_KEY) == balance_before
    assert await live_activations(harness) == []
    assert "cancelled it before it expired" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_code_another_code_finish(harness: Harness, alice: FakeUser) -> None:
    activation = await bought_number(harness, alice)
    provider_id = int(activation.activation_id)  # type: ignore[arg-type]
    harness.sandbox.deliver_sms(provider_id, "Code 11111")
    await harness.poll()
    await harness.poll()  # a second poll sees the same code: no second push
    pushes = [m for m in alice.chat() if m.from_bot and "11111" in m.text]
    assert len(pushes) == 2  # the new message, and the activation message showing the code
    await alice.press("🔁 Another code")
    await harness.poll()  # the list still shows 11111 while waiting: not pushed again
    assert len([m for m in alice.chat() if m.from_bot and "11111" in m.text]) <= 2
    harness.sandbox.deliver_sms(provider_id, "Code 22222")
    await harness.poll()
    assert "22222" in alice.chat()[-1].text, alice.transcript()
    await alice.press("✅ Finish")
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.FINISHED
    assert row.cost is not None and row.cost > Decimal(0)


async def test_auto_cancel_off_keeps_a_codeless_number_to_its_end(
    harness: Harness, alice: FakeUser
) -> None:
    await alice.send_text("/settings")
    await alice.press("Turn auto-cancel off")
    assert "<b>off</b>" in alice.last_bot_message().text or "off" in (  # type: ignore[union-attr]
        alice.last_bot_message().text  # type: ignore[union-attr]
    )
    await buy_first_offer(harness, alice)
    harness.sandbox.advance(20 * 60 - 60)
    await harness.poll()
    assert not any(r.action == "setStatus" for r in harness.sandbox.request_log)
    assert len(await live_activations(harness)) == 1


async def test_a_used_number_the_provider_finished_leaves_active_where_status_says_ok(
    harness: Harness,
) -> None:
    """Providers that answer STATUS_OK:<code> for a finished activation: the number used and
    left to expire is still ended (it is gone from the key's active list), and the user told."""
    harness.sandbox.configure(finished_status_token="STATUS_OK")
    alice = harness.user()
    await with_key(harness, alice)
    activation = await bought_number(harness, alice)
    await sms_arrives(harness, activation, "Code 33333")
    harness.sandbox.advance(21 * 60)  # past the deadline: the provider finishes it
    await harness.poll()
    assert len(await live_activations(harness)) == 1  # one absence from the list is not enough
    await harness.poll()
    assert await live_activations(harness) == []
    row = await harness.services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.FINISHED
    assert "finished" in alice.last_bot_message().text  # type: ignore[union-attr]
    await harness.poll()
    sent = harness.telegram.state.calls_to("sendMessage")
    assert sum(1 for call in sent if "33333" in str(call.params.get("text"))) == 1


async def test_a_press_does_not_repeat_what_the_card_says(
    harness: Harness, alice: FakeUser
) -> None:
    """ "✔️ Finished." with "Finished." under it, "Waiting for another code" twice: once."""
    activation = await bought_number(harness, alice)
    await sms_arrives(harness, activation, "Code 11111")
    card_id = next(m.message_id for m in alice.chat() if m.find_buttons("🔁 Another code"))

    def card() -> str:
        return next(m.text for m in alice.chat() if m.message_id == card_id)

    await alice.press("🔁 Another code")
    assert card().count("another code") == 1, card()
    await sms_arrives(harness, activation, "Code 22222")
    await alice.press("✅ Finish")
    assert card().count("Finished") == 1, card()
