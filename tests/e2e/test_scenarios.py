"""End-to-end scenarios: the bot and the sandbox as subprocesses, people in the fake Telegram.

Each scenario starts from a fresh database, a fresh sandbox and a fresh bot process (the `e2e`
fixture). Time that matters to the provider (the two-minute cancel lock, the twenty-minute
expiry) is moved on the sandbox's clock; nothing here sleeps to let time pass.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.i18n import Translator
from tests.e2e.conftest import (
    ALICE_KEY,
    BOB_KEY,
    E2E,
    POLL_INTERVAL,
    PROVIDER_TIMEOUT,
    WAIT,
    buy,
    count_text,
    eventually,
    has_text,
    press_and_answer,
    press_and_wait,
    reply_to,
    set_key,
    walk_to_confirm,
)

# Two watcher ticks, plus room for a subprocess on two shared cores to be scheduled.
PUSH_BOUND = 2 * POLL_INTERVAL + 1.0


async def test_a_new_user_starts_sets_a_key_and_sees_the_balance(e2e: E2E) -> None:
    alice = e2e.user()
    start = await reply_to(alice, "/start")
    assert "/key" in start.text
    await reply_to(alice, "/key")
    await alice.send_text(ALICE_KEY)
    await alice.wait_for(has_text("Key saved"), WAIT)
    assert not any(ALICE_KEY in m.text for m in alice.chat()), "the key message is deleted"
    balance = await reply_to(alice, "/balance")
    assert "1000.00" in balance.text


async def test_buy_by_search_and_buttons_two_codes_pushed_charged_once(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await reply_to(alice, "/buy")
    # A search by part of the name: its only match, Telegram, is picked at once.
    countries = await reply_to(alice, "legr")
    assert countries.text.startswith("Telegram: pick a country"), alice.transcript()
    cheapest = countries.buttons[0][0]
    assert cheapest.startswith("🇮🇩 Indonesia"), alice.transcript()
    confirm = await press_and_wait(alice, cheapest)
    if confirm.find_buttons("Any operator"):
        confirm = await press_and_wait(alice, "Any operator")
    await press_and_wait(alice, "✅ Buy for 11.25", confirm)
    await alice.wait_for(has_text("Waiting for the SMS"), WAIT)
    activation = await e2e.sandbox.only_activation()
    phone = activation["phone"]

    await e2e.sandbox.deliver_sms(activation["id"], "435139")
    started = time.monotonic()
    await alice.wait_for(has_text("🔑 435139 —", phone), WAIT)
    assert time.monotonic() - started < PUSH_BOUND, "the code is pushed within two ticks"
    await alice.wait_for(has_text("Code: 435139"), WAIT)  # the activation message too

    await press_and_wait(alice, "🔁 Another code")
    await alice.wait_for(has_text("Waiting for another code"), WAIT)
    await e2e.sandbox.deliver_sms(activation["id"], "771942")
    started = time.monotonic()
    await alice.wait_for(has_text("🔑 771942 —"), WAIT)
    assert time.monotonic() - started < PUSH_BOUND

    await press_and_wait(alice, "✅ Finish")
    await alice.wait_for(has_text("Finished"), WAIT)
    assert (await e2e.sandbox.only_activation())["state"] == "FINISHED"
    assert count_text(alice, "🔑 435139 —") == 1 and count_text(alice, "🔑 771942 —") == 1
    assert await e2e.sandbox.paid_calls() == 1
    assert await e2e.sandbox.balance(ALICE_KEY) == "988.75"
    assert "988.75" in (await reply_to(alice, "/balance")).text


async def test_cancel_is_refused_for_two_minutes_then_refunds(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await buy(alice)
    # The press is answered at once; what the provider said is written on the card.
    await press_and_answer(alice, "❌ Cancel")
    await alice.wait_for(has_text("allows cancelling from"), WAIT)
    assert (await e2e.sandbox.only_activation())["state"] == "WAIT_CODE"

    await e2e.sandbox.advance(121)  # the provider's clock, not ours: the bot must ask it
    await press_and_answer(alice, "❌ Cancel")
    # Said once, by the card's state (16.9: no "Cancelled; the money is back." under it).
    await alice.wait_for(has_text("Cancelled; 11.25 refunded"), WAIT)
    assert (await e2e.sandbox.only_activation())["state"] == "CANCELLED"
    assert "1000.00" in (await reply_to(alice, "/balance")).text


async def test_rent_three_sms_three_pushes_then_extend_and_finish(e2e: E2E) -> None:
    t = Translator().t
    alice = e2e.user()
    await set_key(alice)
    await reply_to(alice, "/rent")
    await press_and_wait(alice, t("en", "rent-service-full"))
    countries = alice.last_bot_message()
    assert countries is not None and countries.buttons, alice.transcript()
    step = await press_and_wait(alice, countries.buttons[0][0])
    if step.find_buttons(t("en", "buy-operator-any")):
        await press_and_wait(alice, t("en", "buy-operator-any"))
    confirm = await press_and_wait(alice, t("en", "duration-hours", hours=4))
    assert "Confirm the rent" in confirm.text, alice.transcript()
    card = await press_and_wait(alice, confirm.buttons[0][0])
    await alice.wait_for(has_text("Rented until"), WAIT)
    [rent] = await e2e.sandbox.control("GET", "rents")

    async def status_reads() -> int:
        return sum(1 for r in await e2e.sandbox.requests() if r["action"] == "getRentStatus")

    for text in ("Bank: 1111 is your code", "Shop: order 2222 shipped", "Bank: 3333 again"):
        await e2e.sandbox.control(
            "POST", "rent-sms", {"rent_id": rent["id"], "text": text, "phone_from": "Sender"}
        )
        await alice.wait_for(has_text(text), WAIT)
    reads = await status_reads()
    await eventually(lambda: _at_least(status_reads, reads + 3), WAIT)  # three more polls
    pushes = [m for m in alice.chat() if m.from_bot and m.text.startswith("📩")]
    assert len(pushes) == 3, alice.transcript()

    await press_and_wait(alice, "➕ Extend", card)
    offer = await press_and_wait(alice, "4 h")
    assert "Price:" in offer.text, alice.transcript()
    await press_and_wait(alice, offer.buttons[0][0])
    await alice.wait_for(has_text("now rented until"), WAIT)
    extended = await e2e.sandbox.control("GET", f"rents/{rent['id']}")
    assert extended["end_at"] > rent["end_at"]

    await press_and_wait(alice, "✅ Finish", card)
    await alice.wait_for(has_text("Finish the rent of"), WAIT)  # asked first
    await press_and_wait(alice, "✅ Yes, finish", card)
    await alice.wait_for(has_text("Finished"), WAIT)
    finished = await e2e.sandbox.control("GET", f"rents/{rent['id']}")
    assert finished["state"] != rent["state"], finished
    paid = [r["action"] for r in await e2e.sandbox.requests()]
    assert paid.count("getRentNumber") == 1 and paid.count("continueRentNumber") == 1
    assert len([m for m in alice.chat() if m.from_bot and m.text.startswith("📩")]) == 3


async def _at_least(probe: Callable[[], Awaitable[int]], target: int) -> bool:
    return await probe() >= target


async def test_expiry_without_a_code_refunds_and_tells_the_user(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    activation_message = await buy(alice)
    await e2e.sandbox.advance(20 * 60 + 1)  # past the provider's deadline: it ends it
    await alice.wait_for(
        has_text("No code came for", "the provider ended it", "11.25 is back on your balance"),
        WAIT,
    )
    await alice.wait_for(has_text("Expired without a code; 11.25 refunded"), WAIT)
    card = next(m for m in alice.chat() if m.message_id == activation_message.message_id)
    assert card.buttons == [["🔁 New number"]], "an ended activation offers a new one only"
    assert await e2e.sandbox.balance(ALICE_KEY) == "1000.00"
    assert "1000.00" in (await reply_to(alice, "/balance")).text
    assert count_text(alice, "No code came for") == 1


async def test_a_code_that_came_while_the_bot_was_killed_is_pushed_once(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await buy(alice)
    activation = await e2e.sandbox.only_activation()
    await e2e.bot.kill()
    await e2e.sandbox.deliver_sms(activation["id"], "580213")
    await e2e.bot.start()
    await alice.wait_for(has_text("🔑 580213 —"), WAIT)
    await e2e.wait_ticks(3)  # later ticks must not push it again
    assert count_text(alice, "🔑 580213 —") == 1, alice.transcript()


async def test_a_crash_after_the_sale_is_reconciled_at_start_up(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    confirm = await walk_to_confirm(alice)
    # The provider sells, then holds its answer: the bot dies before it learns the outcome.
    await e2e.sandbox.fault("getNumberV2", "slow", delay=60, after=True)
    await alice.press(confirm.buttons[0][0], confirm)
    await e2e.sandbox.wait_for_activation()
    await e2e.bot.kill()
    await e2e.sandbox.control("DELETE", "faults")

    await e2e.bot.start()
    chat = await alice.wait_for(has_text("The provider confirmed your earlier purchase"), WAIT)
    activation = await e2e.sandbox.only_activation()
    assert any(activation["phone"] in m.text for m in chat), alice.transcript()
    # Watched, not orphaned: its code is pushed like any other.
    await e2e.sandbox.deliver_sms(activation["id"], "902144")
    await alice.wait_for(has_text("🔑 902144 —"), WAIT)
    assert await e2e.sandbox.paid_calls() == 1


async def test_a_double_tap_on_confirm_buys_one_number(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    confirm = await walk_to_confirm(alice)
    data = confirm.keyboard[0][0].callback_data
    assert data is not None
    queries = await asyncio.gather(*(alice.press_data(data, confirm.message_id) for _ in range(3)))
    answers = [await alice.wait_for_answer(query, WAIT) for query in queries]
    await alice.wait_for(has_text("Waiting for the SMS"), WAIT)
    assert await e2e.sandbox.paid_calls() == 1
    assert len(await e2e.sandbox.activations()) == 1
    assert sum("already used" in (a.text or "") for a in answers) >= 1, answers
    assert await e2e.sandbox.balance(ALICE_KEY) == "988.75"


async def test_a_forged_press_on_another_users_number_is_refused(e2e: E2E) -> None:
    alice, bob = e2e.user(1001, "Alice"), e2e.user(2002, "Bob")
    await set_key(alice)
    await set_key(bob, BOB_KEY)
    card = await buy(alice)
    alice_before = alice.chat()
    requests_before = len(await e2e.sandbox.requests())
    bob_message = (await reply_to(bob, "/start")).message_id
    for button in (b for row in card.keyboard for b in row):
        assert button.callback_data is not None
        query = await bob.press_data(button.callback_data, bob_message)
        answer = await bob.wait_for_answer(query, WAIT)
        assert answer.text == "This button is not yours.", button
    assert alice.chat() == alice_before
    assert (await e2e.sandbox.only_activation())["state"] == "WAIT_CODE"
    later = (await e2e.sandbox.requests())[requests_before:]
    assert not any(r["action"] in ("setStatus", "getStatus") for r in later), later


async def test_provider_faults_during_a_purchase_get_clear_answers_and_buy_once(
    e2e: E2E,
) -> None:
    alice = e2e.user()
    await set_key(alice)
    # Not performed: 5xx, a proxy's HTML page, garbage. The bot cannot know, so it asks.
    for kind in ("http_500", "html", "garbage"):
        confirm = await walk_to_confirm(alice)
        await e2e.sandbox.fault("getNumberV2", kind)
        await press_and_wait(alice, confirm.buttons[0][0], confirm)
        chat = await alice.wait_for(
            lambda chat, mid=confirm.message_id: any(
                m.message_id == mid and "Buying" not in m.text for m in chat
            ),
            WAIT,
        )
        shown = next(m for m in chat if m.message_id == confirm.message_id)
        # Checked with the provider's list at once: said so, not "an answer I cannot read".
        assert "no number was bought" in shown.text, (kind, alice.transcript())
        assert await e2e.sandbox.activations() == [], kind
    # A timeout after the sale: the number exists, and the bot finds it instead of guessing.
    confirm = await walk_to_confirm(alice)
    await e2e.sandbox.fault("getNumberV2", "slow", delay=PROVIDER_TIMEOUT + 2, after=True)
    await press_and_wait(alice, confirm.buttons[0][0], confirm)
    await alice.wait_for(has_text("Waiting for the SMS"), WAIT + PROVIDER_TIMEOUT)
    activation = await e2e.sandbox.only_activation()
    assert activation["phone"] in alice.transcript()
    assert await e2e.sandbox.paid_calls() == 4, "each tap made one paid call, none retried"
    assert await e2e.sandbox.balance(ALICE_KEY) == "988.75"


async def test_provider_faults_while_polling_lose_no_code(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await buy(alice)
    activation = await e2e.sandbox.only_activation()
    for kind in ("http_500", "html", "garbage"):
        await e2e.sandbox.fault("getActiveActivations", kind)
        await e2e.wait_for_fault_spent("getActiveActivations")
    await e2e.sandbox.fault("getActiveActivations", "slow", delay=PROVIDER_TIMEOUT + 1)
    # The SMS comes while the provider is failing: it must still reach the user, once.
    await e2e.sandbox.deliver_sms(activation["id"], "316024")
    await alice.wait_for(has_text("🔑 316024 —"), WAIT + 2 * PROVIDER_TIMEOUT)
    await e2e.wait_ticks(2)
    assert count_text(alice, "🔑 316024 —") == 1
    assert not any("❌" in m.text for m in alice.chat() if m.from_bot), alice.transcript()


async def test_telegram_flood_limits_delay_codes_but_lose_and_repeat_none(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await buy(alice)
    await buy(alice)
    first, second = await e2e.sandbox.activations()
    mark = e2e.telegram.state.call_mark()
    # Telegram throttles every message and edit for three seconds (retry_after: 1).
    e2e.telegram.flood.force(1, seconds=3, methods=["sendMessage", "editMessageText"])
    await e2e.sandbox.deliver_sms(first["id"], "111222")
    await e2e.sandbox.deliver_sms(second["id"], "333444")
    await alice.wait_for(has_text("🔑 111222 —"), WAIT)
    await alice.wait_for(has_text("🔑 333444 —"), WAIT)
    throttled = [c for c in e2e.telegram.state.calls[mark:] if c.status == 429]
    assert throttled, "the flood control did answer 429"
    await e2e.wait_ticks(3)
    assert count_text(alice, "🔑 111222 —") == 1 and count_text(alice, "🔑 333444 —") == 1
    pushes = [
        c
        for c in e2e.telegram.state.calls[mark:]
        if c.ok and c.method == "sendMessage" and "🔑" in str(c.params.get("text"))
    ]
    assert len(pushes) == 2, [c.params for c in pushes]


async def test_the_api_key_is_nowhere_but_with_the_provider(e2e: E2E) -> None:
    alice = e2e.user()
    await set_key(alice)
    await buy(alice)
    activation = await e2e.sandbox.only_activation()
    await e2e.sandbox.deliver_sms(activation["id"], "246810")
    await alice.wait_for(has_text("🔑 246810 —"), WAIT)
    await reply_to(alice, "/balance")
    await reply_to(alice, "/key")  # asked again, and the bot must not echo the old one
    await reply_to(alice, "/cancel")
    assert await e2e.bot.stop() == 0
    key = ALICE_KEY.encode()

    log = e2e.bot.log_path.read_bytes()
    assert b" DEBUG " in log and b"getNumberV2" in log, "the bot logged all it could"
    assert key not in log
    files = sorted(e2e.database.parent.glob(e2e.database.name + "*"))
    assert files, "the database exists"
    for path in files:  # the database, its WAL and shared-memory files
        assert key not in path.read_bytes(), path
    # Everything the bot sent to Telegram: every parameter of every call.
    for call in e2e.telegram.state.calls:
        assert ALICE_KEY not in repr(call.params), call
    # And what the user sees: the key's message was deleted, nothing shows it.
    assert ALICE_KEY not in alice.transcript()
