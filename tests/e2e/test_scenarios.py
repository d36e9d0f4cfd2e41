"""End-to-end scenarios: the bot and the sandbox as subprocesses, people in the fake Telegram.

Each scenario starts from a fresh database, a fresh sandbox and a fresh bot process (the `e2e`
fixture). Time that matters to the provider (the two-minute cancel lock, the twenty-minute
expiry) is moved on the sandbox's clock; nothing here sleeps to let time pass.
"""

from __future__ import annotations

import time

from tests.e2e.conftest import (
    ALICE_KEY,
    BOB_KEY,
    E2E,
    POLL_INTERVAL,
    WAIT,
    buy,
    count_text,
    has_text,
    press_and_answer,
    press_and_wait,
    reply_to,
    set_key,
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
    found = await reply_to(alice, "legr")  # a search by part of the name
    assert found.buttons[0] == ["Telegram"], alice.transcript()
    countries = await press_and_wait(alice, "Telegram")
    cheapest = countries.buttons[0][0]
    assert cheapest.startswith("Indonesia"), alice.transcript()
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
