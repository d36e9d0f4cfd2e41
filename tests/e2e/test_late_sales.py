"""A crash while the provider is still selling: the number is found and shown, not forgotten.

The bot and the sandbox are subprocesses (the `e2e` fixture). The sandbox's ``slow`` fault
holds the purchase and sells only after its delay, as a provider still completing the sale.
"""

from __future__ import annotations

from tests.e2e.conftest import (
    ALICE_KEY,
    E2E,
    WAIT,
    count_text,
    has_text,
    set_key,
    walk_to_confirm,
)

SALE_DELAY = 12.0  # longer than a restart takes (a few seconds), so the bot asks before the sale


async def test_a_crash_one_second_after_buy_while_the_provider_sells_finds_the_number(
    e2e: E2E,
) -> None:
    """Finding 3 (b): after SIGKILL and a restart the user was told "did not go through:
    nothing was charged" while a live number existed."""
    alice = e2e.user()
    await set_key(alice)
    confirm = await walk_to_confirm(alice)
    await e2e.sandbox.fault("getNumberV2", "slow", delay=SALE_DELAY)
    query = await alice.press(confirm.buttons[0][0], confirm)
    await alice.wait_for_answer(query, WAIT)
    await e2e.wait_for_fault_spent("getNumberV2")  # the paid call reached the provider
    await e2e.bot.kill()

    await e2e.bot.start()
    await alice.wait_for(has_text("I am checking with the provider"), WAIT)
    chat = await alice.wait_for(
        has_text("The provider confirmed your earlier purchase"), WAIT + SALE_DELAY
    )
    activation = await e2e.sandbox.only_activation()
    assert any(activation["phone"] in m.text for m in chat), alice.transcript()
    assert count_text(alice, "did not go through") == 0, alice.transcript()
    assert count_text(alice, "nothing was charged") == 0, alice.transcript()
    # Watched, not orphaned: its code is pushed like any other.
    await e2e.sandbox.deliver_sms(activation["id"], "640215")
    await alice.wait_for(has_text("🔑 640215 —"), WAIT)
    assert await e2e.sandbox.paid_calls() == 1
    assert await e2e.sandbox.balance(ALICE_KEY) == "988.75"
