"""/rent end to end: the flow, the rent message's buttons, extensions, pushes, restarts."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.lifecycle import reconcile_and_report
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from bot.telegram.buttons.rent import RentButton
from bot.telegram.rendering import Renderer
from bot.telegram.screens.rent import when
from storage.rents import Rent, RentState
from tests.bot.conftest import (
    BotWith,
    Harness,
    alice_keyed_under_debug_logs,
    assert_key_leaked_nowhere,
    first_button_data,
    provider_calls,
    restart_bot,
    start_bot,
    stop_bot,
    with_key,
)
from tests.bot.test_webhooks import SECRET, hooked

# Fixtures other modules use: the bot with its webhook receiver and background tasks, and
# Alice's one rent.
__all__ = ["hooked", "rent"]


def rent_calls(harness: Harness, action: str = "getRentNumber") -> int:
    return provider_calls(harness, action)


async def live_rents(harness: Harness, user_id: int = 1001) -> list[Rent]:
    return await harness.services.rents.active_for_user(user_id)


async def walk_to_rent_confirm(
    harness: Harness, user: FakeUser, locale: str = "en", hours: int = 4
) -> VisibleMessage:
    """/rent, the whole number, the first country, any operator, a duration: the confirm."""
    t = harness.services.translator.t
    await user.send_text("/rent")
    await user.press(t(locale, "rent-service-full"))
    countries = user.last_bot_message()
    assert countries is not None and countries.buttons, user.transcript()
    russia = [b for row in countries.keyboard for b in row if b.callback_data == "rp:country:0"]
    await user.press_button(russia[0] if russia else countries.keyboard[0][0])
    step = user.last_bot_message()
    assert step is not None
    any_operator = t(locale, "buy-operator-any")
    if step.find_buttons(any_operator):
        await user.press(any_operator)
    await user.press(Renderer(harness.services.translator, locale).duration(hours))
    confirm = user.last_bot_message()
    assert confirm is not None and confirm.buttons, user.transcript()
    return confirm


async def rent_one(harness: Harness, user: FakeUser, locale: str = "en", hours: int = 4) -> Rent:
    confirm = await walk_to_rent_confirm(harness, user, locale, hours)
    await user.press_button(confirm.keyboard[0][0])
    [rent] = await live_rents(harness, user.id)
    return rent


@pytest.fixture
async def rent(harness: Harness, alice: FakeUser) -> Rent:
    """Alice's one rent: the whole number for 4 hours, through /rent."""
    return await rent_one(harness, alice)


async def alice_with_a_rent(harness: Harness) -> tuple[FakeUser, Rent]:
    """Alice, her key set, with one rent made through /rent."""
    alice = harness.user()
    await with_key(harness, alice)
    return alice, await rent_one(harness, alice)


def rent_push(rent: Rent, text: str) -> dict[str, object]:
    """A provider's push of an SMS ``text`` to ``rent``'s number."""
    return {
        "rentId": int(rent.rent_id),  # type: ignore[arg-type]
        "number": rent.phone,
        "text": text,
        "service": "tg",
        "phoneFrom": "Bank",
        "date": "2026-01-01 00:00:00",
    }


async def rent_sms_pushes(user: FakeUser) -> list[VisibleMessage]:
    return [m for m in user.chat() if m.from_bot and m.text.startswith("📩")]


async def test_rent_flow_in_english_shows_the_number_and_its_buttons(
    harness: Harness, alice: FakeUser
) -> None:
    balance_before = harness.sandbox.balance(ALICE_KEY)
    confirm = await walk_to_rent_confirm(harness, alice, hours=12)
    assert "Confirm the rent" in confirm.text and "12 h" in confirm.text
    assert "Available:" in confirm.text
    await alice.press_button(confirm.keyboard[0][0])
    [rent] = await live_rents(harness)
    assert rent.hours == 12 and rent.service == "full"
    card = alice.last_bot_message()
    assert card is not None
    assert f"+{rent.phone}" in card.text and "Rented until" in card.text, alice.transcript()
    assert any(e.get("type") == "code" for e in card.entities), "the number is tap-to-copy"
    assert card.buttons == [["✅ Finish", "❌ Cancel"], ["➕ Extend"]]
    assert harness.sandbox.balance(ALICE_KEY) < balance_before
    sandbox_rent = harness.sandbox.rent(int(rent.rent_id))  # type: ignore[arg-type]
    assert sandbox_rent.hours == 12


async def test_rent_flow_in_russian(harness: Harness) -> None:
    ivan = harness.user(3003, "Ivan", language="ru")
    await with_key(harness, ivan)
    confirm = await walk_to_rent_confirm(harness, ivan, locale="ru", hours=24)
    assert "Подтвердите аренду" in confirm.text and "1 день" in confirm.text
    await ivan.press_button(confirm.keyboard[0][0])
    [rent] = await live_rents(harness, ivan.id)
    card = ivan.last_bot_message()
    assert card is not None and "Арендован до" in card.text, ivan.transcript()
    assert card.buttons == [["✅ Завершить", "❌ Отменить"], ["➕ Продлить"]]
    assert rent.hours == 24


async def test_double_tap_on_confirm_rents_one_number(harness: Harness, alice: FakeUser) -> None:
    confirm = await walk_to_rent_confirm(harness, alice)
    data = first_button_data(confirm)
    queries = [await alice.press_data(data, confirm.message_id) for _ in range(3)]
    assert rent_calls(harness) == 1
    assert len(await live_rents(harness)) == 1
    answers = [alice.answer_for(q) for q in queries]
    assert all(a is not None for a in answers), "every press is answered"
    assert "already used" in (answers[1].text or "")  # type: ignore[union-attr]


async def test_three_sms_are_pushed_three_times_never_more_even_across_a_restart(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    rent_id = int(rent.rent_id)  # type: ignore[arg-type]
    harness.sandbox.deliver_rent_sms(rent_id, "First 111", phone_from="BankA")
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    harness.sandbox.advance(30)
    harness.sandbox.deliver_rent_sms(rent_id, "Second 222", phone_from="ShopB")
    for _ in range(3):
        await harness.services.rent_watcher.tick()
        await harness.services.notifier.drain()
    # The bot restarts; the third SMS comes while it is down.
    await stop_bot(harness)
    harness.sandbox.advance(30)
    harness.sandbox.deliver_rent_sms(rent_id, "Third 333", phone_from="BankA")
    services = await start_bot(harness)
    for _ in range(3):
        await services.rent_watcher.tick()
        await services.notifier.drain()
    pushes = await rent_sms_pushes(alice)
    assert [p.text.splitlines()[-1] for p in pushes] == ["First 111", "Second 222", "Third 333"]
    assert "From: BankA" in pushes[0].text and "UTC" in pushes[0].text


async def test_cancel_is_refused_after_twenty_minutes_with_the_reason(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    card = alice.last_bot_message()
    assert card is not None
    harness.sandbox.advance(21 * 60)
    query = await alice.press("❌ Cancel", card)
    answer = alice.answer_for(query)
    assert answer is not None and "first 20 minutes" in (answer.text or ""), alice.transcript()
    assert rent_calls(harness, "setRentStatus") == 1, "the provider was asked, not our clock"
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.ACTIVE
    redrawn = alice.last_bot_message()
    assert redrawn is not None and redrawn.buttons == [["✅ Finish"], ["➕ Extend"]]


async def test_cancel_within_twenty_minutes_refunds(harness: Harness, alice: FakeUser) -> None:
    balance_before = harness.sandbox.balance(ALICE_KEY)
    rent = await rent_one(harness, alice)
    query = await alice.press("❌ Cancel")
    answer = alice.answer_for(query)
    assert answer is not None and "money is back" in (answer.text or "")
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.CANCELLED
    assert harness.sandbox.balance(ALICE_KEY) == balance_before
    assert "Cancelled" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert alice.last_bot_message().buttons == []  # type: ignore[union-attr]


async def test_extend_shows_the_price_and_moves_the_end(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    card_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    await alice.press("➕ Extend")
    await alice.press("12 h")
    offer = alice.last_bot_message()
    assert offer is not None and "Price:" in offer.text, alice.transcript()
    balance_before = harness.sandbox.balance(ALICE_KEY)
    data = first_button_data(offer)
    await alice.press_data(data, offer.message_id)
    await alice.press_data(data, offer.message_id)  # a double tap pays once
    assert rent_calls(harness, "continueRentNumber") == 1
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and rent.end_date is not None and row.end_date is not None
    assert row.end_date == rent.end_date + 12 * 3600
    assert harness.sandbox.balance(ALICE_KEY) < balance_before
    assert "now rented until" in alice.last_bot_message().text  # type: ignore[union-attr]
    card = next(m for m in alice.chat() if m.message_id == card_id)
    assert when(row.end_date) in card.text, card.text  # the rent message shows the new end
    assert when(rent.end_date) not in card.text


async def test_extend_after_expiry_is_refused_with_a_clear_message(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    await alice.press("➕ Extend")
    hours_menu = alice.last_bot_message()
    harness.sandbox.advance(4 * 3600 + 60)  # the rent runs out; no poll has seen it yet
    await alice.press("4 h", hours_menu)
    text = alice.last_bot_message().text  # type: ignore[union-attr]
    assert "already ended" in text and "can no longer be extended" in text, alice.transcript()
    assert rent_calls(harness, "continueRentNumber") == 0
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.EXPIRED


async def test_extend_past_the_maximum_is_refused_with_the_limit(
    harness: Harness, alice: FakeUser
) -> None:
    harness.sandbox.configure(max_rent_hours=20)
    await rent_one(harness, alice, hours=12)
    await alice.press("➕ Extend")
    await alice.press("12 h")
    text = alice.last_bot_message().text  # type: ignore[union-attr]
    assert "longer than the provider allows" in text and "8 more hours" in text, text


async def test_buttons_work_after_a_restart(harness: Harness, alice: FakeUser, rent: Rent) -> None:
    services = await restart_bot(harness)
    await alice.press("✅ Finish")
    await alice.press("✅ Yes, finish")
    row = await services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.FINISHED
    assert "Finished" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_another_users_forged_rent_button_is_refused_and_changes_nothing(
    harness: Harness, alice: FakeUser, bob: FakeUser, rent: Rent
) -> None:
    await bob.send_text("/start")
    message_id = bob.last_bot_message().message_id  # type: ignore[union-attr]
    for action in ("cancel", "finish", "extend"):
        query = await bob.press_data(RentButton(action, rent.ledger_id).pack(), message_id)
        answer = bob.answer_for(query)
        assert answer is not None and "not yours" in (answer.text or ""), action
    query = await bob.press_data(f"rh:{rent.ledger_id}:12", message_id)
    assert "not yours" in (bob.answer_for(query).text or "")  # type: ignore[union-attr]
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.ACTIVE
    assert rent_calls(harness, "setRentStatus") == 0
    assert rent_calls(harness, "getContinueRentPriceNumber") == 0


async def test_garbage_and_stale_rent_buttons_get_an_answer(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/start")
    message_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    garbage = ("ra:finish:x", "ra:explode:1", "rp:service:full", "rc:deadbeef", "rx:abc")
    stale = ("rh:1:5", "rg:country:1", "rn:abort", "rc:a:b", "rx:")
    for data in (*garbage, *stale):
        query = await alice.press_data(data, message_id)
        assert alice.answer_for(query) is not None, data


async def test_reminder_before_the_end_once_per_end_date(harness: Harness, alice: FakeUser) -> None:
    await rent_one(harness, alice)
    harness.sandbox.advance(3 * 3600 + 35 * 60)  # 25 minutes left
    for _ in range(3):
        await harness.services.rent_watcher.tick()
        await harness.services.notifier.drain()
    reminders = [m for m in alice.chat() if m.from_bot and m.text.startswith("⏰")]
    assert len(reminders) == 1 and reminders[0].buttons == [["➕ Extend"]]
    await alice.press("➕ Extend", reminders[0])
    await alice.press("4 h")
    offer = alice.last_bot_message()
    await alice.press_button(offer.keyboard[0][0])  # type: ignore[union-attr]
    harness.sandbox.advance(4 * 3600)  # 25 minutes left of the extended rent
    for _ in range(2):
        await harness.services.rent_watcher.tick()
        await harness.services.notifier.drain()
    reminders = [m for m in alice.chat() if m.from_bot and m.text.startswith("⏰")]
    assert len(reminders) == 2


async def test_rent_running_out_is_told_and_active_lists_rents(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    await alice.send_text("/active")
    listed = alice.last_bot_message()
    assert listed is not None and f"+{rent.phone}" in listed.text
    assert listed.buttons[-1] == ["➕ Extend"]
    harness.sandbox.advance(4 * 3600 + 1)
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    assert "has ended" in alice.last_bot_message().text  # type: ignore[union-attr]
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.EXPIRED
    await alice.send_text("/active")
    assert "no live numbers" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_lost_reply_to_a_rent_is_reconciled_not_retried(
    harness: Harness, alice: FakeUser
) -> None:
    harness.sandbox.inject_fault("getRentNumber", "drop", count=1, after=True)
    confirm = await walk_to_rent_confirm(harness, alice)
    await alice.press_button(confirm.keyboard[0][0])
    assert rent_calls(harness) == 1
    [rent] = await live_rents(harness)
    assert rent.phone and "Rented until" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_fault_before_the_provider_rents_says_not_rented(
    harness: Harness, alice: FakeUser
) -> None:
    harness.sandbox.inject_fault("getRentNumber", "http_500", count=1)
    confirm = await walk_to_rent_confirm(harness, alice)
    await alice.press_button(confirm.keyboard[0][0])
    assert rent_calls(harness) == 1
    assert await live_rents(harness) == []
    assert "Not rented" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]


async def test_rent_without_a_key_asks_for_one(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/rent")
    assert "/key" in alice.last_bot_message().text  # type: ignore[union-attr]


FORGED = "Forged 9999"


def push_url(hooked: Harness, rent: Rent) -> str:
    """Where the provider pushes ``rent``'s SMS: the bot's receiver, on the rent's own path."""
    assert hooked.services.webhooks is not None
    return hooked.services.webhooks.rent_url_for(rent)


async def _assert_no_forged_sms_shown(hooked: Harness, alice: FakeUser) -> None:
    await hooked.services.notifier.drain()
    assert not [m for m in await rent_sms_pushes(alice) if FORGED in m.text], alice.transcript()


async def test_rent_sms_pushed_by_webhook_once_and_polling_adds_nothing(hooked: Harness) -> None:
    assert hooked.services.webhooks is not None
    alice, rent = await alice_with_a_rent(hooked)
    [call] = [r for r in hooked.sandbox.request_log if r.action == "getRentNumber"]
    assert call.params.get("url") == hooked.services.webhooks.rent_url_for(rent)
    polls_before = rent_calls(hooked, "getRentStatus")
    hooked.sandbox.deliver_rent_sms(int(rent.rent_id), "Pushed 4242", phone_from="Bank")  # type: ignore[arg-type]
    await alice.wait_for(lambda chat: any("Pushed 4242" in m.text for m in chat), 5)
    # It came by webhook: no poll ran, only the one status read that checks the push.
    assert rent_calls(hooked, "getRentStatus") == polls_before + 1
    await hooked.services.rent_watcher.tick()  # the poll sees the same SMS: no second push
    await hooked.services.notifier.drain()
    assert len([m for m in await rent_sms_pushes(alice) if "Pushed 4242" in m.text]) == 1


async def test_a_forged_rent_push_is_checked_with_the_provider_and_pushes_nothing(
    hooked: Harness,
) -> None:
    alice, rent = await alice_with_a_rent(hooked)
    async with httpx.AsyncClient() as client:
        answer = await client.post(push_url(hooked, rent), json=rent_push(rent, FORGED))
    assert answer.status_code == 200
    await _assert_no_forged_sms_shown(hooked, alice)


async def test_a_rent_push_url_opens_its_own_rent_only_and_holds_no_secret(
    hooked: Harness,
) -> None:
    """The ``url`` of getRentNumber goes to whatever provider the user chose: it must not
    carry the webhook secret, and what it opens must be that one rent."""
    assert hooked.services.webhooks is not None
    webhooks = hooked.services.webhooks
    alice, bob = hooked.user(), hooked.user(2002, "Bob")
    await with_key(hooked, alice)
    await with_key(hooked, bob, BOB_KEY)
    rent_a, rent_b = await rent_one(hooked, alice), await rent_one(hooked, bob)
    log = hooked.sandbox.request_log
    sent = [r.params.get("url", "") for r in log if r.action == "getRentNumber"]
    assert sent == [webhooks.rent_url_for(rent_a), webhooks.rent_url_for(rent_b)]
    assert not any(SECRET in url for url in sent)

    token_a = webhooks.rent_url_for(rent_a).rsplit("/", 1)[1]
    b_with_a_token = webhooks.rent_url_for(rent_b).rsplit("/", 1)[0] + "/" + token_a
    before = rent_calls(hooked, "getRentStatus")
    async with httpx.AsyncClient() as client:
        wrong_token = await client.post(b_with_a_token, json=rent_push(rent_b, "x"))
        other_rent = await client.post(webhooks.rent_url_for(rent_a), json=rent_push(rent_b, "x"))
        shared_secret_url = webhooks.url.replace("/activation", "/rent")
        old_form = await client.post(shared_secret_url, json=rent_push(rent_b, "x"))
    answers = (wrong_token.status_code, other_rent.status_code, old_form.status_code)
    assert answers == (404, 200, 404)
    assert rent_calls(hooked, "getRentStatus") == before, "rent B was never checked"
    async with httpx.AsyncClient() as client:
        own = await client.post(webhooks.rent_url_for(rent_b), json=rent_push(rent_b, "x"))
    assert own.status_code == 200 and rent_calls(hooked, "getRentStatus") == before + 1


async def test_200_forged_pushes_for_one_rent_make_a_handful_of_status_calls(
    hooked: Harness,
) -> None:
    alice, rent = await alice_with_a_rent(hooked)
    url, forged = push_url(hooked, rent), rent_push(rent, FORGED)
    before = rent_calls(hooked, "getRentStatus")
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200), timeout=30) as client:
        answers = await asyncio.gather(*(client.post(url, json=forged) for _ in range(200)))
    assert {answer.status_code for answer in answers} == {200}
    assert rent_calls(hooked, "getRentStatus") - before <= 3
    await _assert_no_forged_sms_shown(hooked, alice)


async def test_a_rent_settled_later_is_reported_to_its_user(
    harness: Harness, alice: FakeUser
) -> None:
    # The reply is lost after the provider rented, and getRentList fails too: unresolved.
    harness.sandbox.inject_fault("getRentNumber", "drop", count=1, after=True)
    harness.sandbox.inject_fault("getRentList", "garbage", count=1)
    confirm = await walk_to_rent_confirm(harness, alice)
    await alice.press_button(confirm.keyboard[0][0])
    assert "did not answer clearly" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    assert await live_rents(harness) == []
    await reconcile_and_report(harness.services, min_age=0)
    await harness.services.notifier.drain()
    [rent] = await live_rents(harness)
    told = alice.last_bot_message()
    assert told is not None and "confirmed your earlier rent" in told.text
    assert f"+{rent.phone}" in told.text and told.buttons[-1] == ["➕ Extend"]
    assert rent_calls(harness) == 1
    await alice.press("✅ Finish", told)  # the new message is the rent's message now
    await alice.press("✅ Yes, finish", told)
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.FINISHED


async def test_cancel_command_leaves_the_rent_menu_and_its_buttons_go_stale(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_rent_confirm(harness, alice)
    await alice.send_text("/cancel")
    assert "Cancelled." in alice.last_bot_message().text  # type: ignore[union-attr]
    query = await alice.press_button(confirm.keyboard[0][0])
    answer = alice.answer_for(query)
    assert answer is not None and "expired" in (answer.text or "")
    assert rent_calls(harness) == 0


async def test_typed_text_searches_the_rent_services(alice: FakeUser) -> None:
    await alice.send_text("/rent")
    await alice.send_text("telegr")  # Telegram alone matches: its countries at once
    countries = alice.last_bot_message()
    assert countries is not None and countries.text.startswith("Telegram:"), alice.transcript()
    await alice.send_text("/rent whatsapp")
    assert alice.last_bot_message().buttons[0] == ["WhatsApp"], alice.transcript()  # type: ignore[union-attr]


async def test_renting_puts_the_api_key_in_no_log_database_or_telegram_call(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await alice_keyed_under_debug_logs(harness, caplog)
    harness.sandbox.inject_fault("getRentStatus", "garbage", count=1)  # a failing poll logs
    rent = await rent_one(harness, alice)
    harness.sandbox.deliver_rent_sms(int(rent.rent_id), "Code 5150")  # type: ignore[arg-type]
    for _ in range(2):
        harness.sandbox.advance(5)
        await harness.services.rent_watcher.tick()
        await harness.services.notifier.drain()
    await alice.press("➕ Extend")
    await alice.press("4 h")
    await alice.press_button(alice.last_bot_message().keyboard[0][0])  # type: ignore[union-attr]
    await alice.press("✅ Finish")
    await alice.press("✅ Yes, finish")
    assert [m for m in await rent_sms_pushes(alice) if "Code 5150" in m.text]
    await assert_key_leaked_nowhere(harness, caplog)


async def test_an_extension_whose_answer_was_lost_is_told_once_settled(
    harness: Harness, alice: FakeUser, rent: Rent
) -> None:
    card_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    harness.sandbox.inject_fault("continueRentNumber", "drop", count=1, after=True)
    await alice.press("➕ Extend")
    await alice.press("12 h")
    await alice.press_button(alice.last_bot_message().keyboard[0][0])  # type: ignore[union-attr]
    assert "did not answer clearly" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    harness.sandbox.advance(4 * 3600 + 120)
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    assert rent_calls(harness, "continueRentNumber") == 1
    told = alice.last_bot_message()
    assert told is not None and "confirms your extension" in told.text, alice.transcript()
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.end_date == rent.end_date + 12 * 3600  # type: ignore[operator]
    card = next(m for m in alice.chat() if m.message_id == card_id)
    assert when(row.end_date) in card.text


async def test_behind_a_reverse_proxy_a_rent_passes_the_public_webhook_url(
    bot_with: BotWith,
) -> None:
    """The provider cannot reach the address the receiver binds (127.0.0.1 here); the
    operator's public URL is what goes out as ``url`` on getRentNumber."""
    async with bot_with(
        background=True,
        SMSBOT_WEBHOOK_SECRET=SECRET,
        SMSBOT_WEBHOOK_LISTEN="127.0.0.1:0",
        SMSBOT_WEBHOOK_PUBLIC_URL="https://bot.example.test/smsbot/",
    ) as harness:
        alice = harness.user()
        await with_key(harness, alice)
        rent = await rent_one(harness, alice)
        [call] = [r for r in harness.sandbox.request_log if r.action == "getRentNumber"]
        assert call.params.get("url", "").startswith(
            f"https://bot.example.test/smsbot/webhooks/rent/{rent.ledger_id}/"
        )
        assert SECRET not in call.params.get("url", "")


async def test_history_lists_rents_under_the_activations_with_their_cost(
    alice: FakeUser, rent: Rent
) -> None:
    await alice.press("✅ Finish")
    await alice.press("✅ Yes, finish")
    await alice.send_text("/history")
    page = alice.last_bot_message()
    assert page is not None and "No past numbers yet" not in page.text, alice.transcript()
    assert "Rents" in page.text and f"+{rent.phone}" in page.text and "4 h" in page.text
    assert rent.cost is not None and f"1 rent, spent in all: {rent.cost:.2f}" in page.text
    assert "finished" in page.text
