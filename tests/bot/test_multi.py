"""/multi: several services, a country, one confirmation, one number with one message each."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from tests.bot.conftest import (
    Harness,
    first_button_data,
    live_activations,
    provider_calls,
    sms_arrives,
)


def multi_calls(harness: Harness) -> int:
    return provider_calls(harness, "getMultiServiceNumber")


async def walk_to_confirm(harness: Harness, user: FakeUser, *names: str) -> VisibleMessage:
    await user.send_text("/multi")
    for name in names:
        await user.send_text(name)  # search, then toggle the first match
        await user.press(user.last_bot_message().buttons[0][0])  # type: ignore[union-attr]
    await user.press("➡️ Next: country")
    countries = user.last_bot_message()
    assert countries is not None and "Pick a country" in countries.text, user.transcript()
    await user.press(countries.buttons[0][0])
    confirm = user.last_bot_message()
    assert confirm is not None and "Confirm" in confirm.text, user.transcript()
    return confirm


async def test_one_number_for_two_services_each_watched(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_confirm(harness, alice, "Telegram", "WhatsApp")
    assert "Telegram, WhatsApp" in confirm.text
    data = first_button_data(confirm)
    taps = [await alice.press_data(data, confirm.message_id) for _ in range(3)]
    assert multi_calls(harness) == 1
    assert all(alice.answer_for(t) is not None for t in taps)
    rows = await live_activations(harness)
    assert sorted(r.service for r in rows) == ["tg", "wa"]
    assert len({r.phone for r in rows}) == 1 and len({r.message_id for r in rows}) == 2
    assert "One number" in alice.chat()[-3].text
    # Each activation is watched: a code for WhatsApp reaches WhatsApp's message only.
    whatsapp = next(r for r in rows if r.service == "wa")
    await sms_arrives(harness, whatsapp, "WhatsApp code 424242")
    shown = {m.message_id: m.text for m in alice.chat()}
    assert "424242" in shown[whatsapp.message_id]  # type: ignore[index]
    telegram = next(r for r in rows if r.service == "tg")
    assert "424242" not in shown[telegram.message_id]  # type: ignore[index]


async def test_one_service_is_not_enough(alice: FakeUser) -> None:
    await alice.send_text("/multi")
    await alice.press("Telegram")
    assert alice.last_bot_message().buttons[0][0].startswith("✅")  # type: ignore[union-attr]
    query = await alice.press("➡️ Next: country")
    answer = alice.answer_for(query)
    assert answer is not None and "at least two" in (answer.text or "")


async def test_forwarding_for_one_service_where_offered(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_confirm(harness, alice, "Avito", "Telegram")
    assert "📞 Forwarding: Avito" in confirm.buttons[1]
    assert not confirm.find_buttons("📞 Forwarding: Telegram")  # Telegram has no forwarding
    await alice.press("📞 Forwarding: Avito")
    confirm = alice.last_bot_message()  # type: ignore[assignment]
    assert confirm is not None and "Call forwarding: Avito" in confirm.text
    await alice.press(confirm.buttons[0][0], confirm)
    rows = {r.service: r for r in await live_activations(harness)}
    assert rows["av"].options.get("forward") is True
    assert rows["tg"].options.get("forward") is False
    sold = harness.sandbox.activation(int(rows["av"].activation_id))  # type: ignore[arg-type]
    assert sold.forward


async def test_a_provider_without_multi_service_is_answered_clearly(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_confirm(harness, alice, "Telegram", "WhatsApp")
    harness.sandbox.inject_fault("getMultiServiceNumber", "reply", body="BAD_ACTION")
    await alice.press(confirm.buttons[0][0], confirm)
    assert "does not sell one number" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert await live_activations(harness) == []
    failed = await harness.services.activations.history(alice.id, include_failed=True)
    assert [r.state.value for r in failed] == ["failed", "failed"]


async def test_a_lost_answer_is_reconciled_into_both_activations(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_confirm(harness, alice, "Telegram", "WhatsApp")
    harness.sandbox.inject_fault("getMultiServiceNumber", "drop", after=True)
    await alice.press(confirm.buttons[0][0], confirm)
    assert multi_calls(harness) == 1
    rows = await live_activations(harness)
    assert sorted(r.service for r in rows) == ["tg", "wa"]
    assert all(r.message_id is not None for r in rows)


async def test_stale_and_forged_buy_buttons_buy_nothing(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_confirm(harness, alice, "Telegram", "WhatsApp")
    for data in ("mk:deadbeef", "mk", "mt:tg", "ms:forward:99", "mc:notanumber"):
        query = await alice.press_data(data, confirm.message_id)
        assert alice.answer_for(query) is not None, data
    assert multi_calls(harness) == 0
    # The confirm screen shown is still the one that buys.
    await alice.press(confirm.buttons[0][0], confirm)
    assert multi_calls(harness) == 1
    assert len(await live_activations(harness)) == 2


async def test_cancel_ends_the_selection_and_text_is_no_longer_a_search(alice: FakeUser) -> None:
    await alice.send_text("/multi")
    await alice.press("Telegram")
    await alice.send_text("/cancel")
    assert "Cancelled." in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("whatsapp")
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]
