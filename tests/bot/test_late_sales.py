"""A number the provider sells after the bot stopped waiting is found, shown and watched, never
forgotten; one it sells after the user was told "not bought" is cancelled for the refund.

The sandbox's ``slow`` fault holds a getNumberV2 and sells only after its delay, as a provider
still completing a purchase when the bot's timeout gave up on it (or while its call is still
in flight). The bot's clock is the sandbox's ManualClock, so the horizons are crossed by
advancing it; the sale itself comes in real time, and the tests wait for it by its effect.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from bot.app import SALE_MARGIN
from bot.fake_telegram import FakeUser
from bot.lifecycle import reconcile_and_report
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import (
    BotWith,
    Harness,
    live_activations,
    provider_calls,
    sms_arrives,
    walk_to_confirm,
    with_key,
)

PAID = ("getNumber", "getNumberV2")
START_BALANCE = Decimal(1000)
BotAndAlice = tuple[Harness, FakeUser]
BOUND = 30.0  # generous: two shared cores; a passing run waits for the sale's delay only


@asynccontextmanager
async def _alice_on(bot_with: BotWith, provider_timeout: float) -> AsyncIterator[BotAndAlice]:
    """A bot that gives up on a provider call after ``provider_timeout`` s, and Alice on it with
    her key set."""
    async with bot_with(SMSBOT_PROVIDER_TIMEOUT=str(provider_timeout)) as harness:
        alice = harness.user()
        await with_key(harness, alice)
        yield harness, alice


async def _until(probe: Any, what: str) -> None:
    """Waits for another party's doing (the sandbox's delayed sale) by asking every 20 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BOUND
    while not probe():
        assert loop.time() < deadline, f"{what} did not happen in {BOUND} s"
        await asyncio.sleep(0.02)


async def _sold(harness: Harness) -> None:
    await _until(lambda: harness.sandbox.balance(ALICE_KEY) < START_BALANCE, "the sale")


def _texts(user: FakeUser) -> list[str]:
    return [m.text for m in user.chat() if m.from_bot]


async def _report(harness: Harness) -> None:
    """One run of the periodic reconciliation, then everything it told is delivered."""
    await reconcile_and_report(harness.services)
    await harness.services.notifier.drain()


async def test_a_sale_completed_after_the_timeout_is_checking_then_shown_and_watched(
    bot_with: BotWith,
) -> None:
    """Finding 3 (a): the user saw "❌ Not bought" while the provider sold and charged."""
    async with _alice_on(bot_with, 1.0) as (harness, alice):
        confirm = await walk_to_confirm(harness, alice)
        harness.sandbox.inject_fault("getNumberV2", "slow", delay=3.0)  # sells after 3 s
        await alice.press(confirm.buttons[0][0])  # the bot gives up after 1 s
        told = alice.last_bot_message()
        assert told is not None and "Not bought" not in told.text, alice.transcript()
        assert "still checking" in told.text, alice.transcript()

        await _sold(harness)
        await _report(harness)
        [row] = await live_activations(harness)
        assert any(
            "The provider confirmed your earlier purchase" in t and str(row.phone) in t
            for t in _texts(alice)
        ), alice.transcript()
        # Watched like any number: its code is pushed.
        await sms_arrives(harness, row, "Your code 918273")
        assert any(t.startswith("🔑 918273") for t in _texts(alice)), alice.transcript()
        assert provider_calls(harness, *PAID) == 1
        assert not any("did not go through" in t for t in _texts(alice)), alice.transcript()


async def test_a_sale_found_after_not_bought_was_said_is_shown_and_cancelled_for_the_refund(
    bot_with: BotWith,
) -> None:
    """Finding 3 (a), later still: the sale comes after the bot concluded "not bought"."""
    timeout = 1.0
    async with _alice_on(bot_with, timeout) as (harness, alice):
        confirm = await walk_to_confirm(harness, alice)
        harness.sandbox.inject_fault("getNumberV2", "slow", delay=6.0)
        await alice.press(confirm.buttons[0][0])
        # Past the longest a sale can take, with nothing listed: "not bought", but no claim
        # that nothing was charged (a list cannot prove it).
        harness.sandbox.advance(timeout + SALE_MARGIN + 1)
        await _report(harness)
        assert harness.sandbox.balance(ALICE_KEY) == START_BALANCE, "sold too early for the test"
        said = [t for t in _texts(alice) if "did not go through" in t]
        assert len(said) == 1 and "nothing was charged" not in said[0], alice.transcript()

        await _sold(harness)  # the provider sells after all, and charges
        await _report(harness)
        [row] = await live_activations(harness)
        assert any(
            "sold a number" in t and "cancelling it for a refund" in t and str(row.phone) in t
            for t in _texts(alice)
        ), alice.transcript()
        harness.sandbox.advance(121)  # the provider's early-cancel lock
        await harness.poll()
        assert await live_activations(harness) == []
        assert harness.sandbox.activation(int(row.activation_id)).state.name == "CANCELLED"  # type: ignore[arg-type]
        assert harness.sandbox.balance(ALICE_KEY) == START_BALANCE, "refunded"
        assert provider_calls(harness, *PAID) == 1


async def test_a_purchase_in_flight_longer_than_the_old_fixed_age_is_not_judged_under_it(
    bot_with: BotWith,
) -> None:
    """Finding 3 (c): with a 200 s timeout the periodic pass judged the intent at 120 s, the
    sale came back later, confirm_intent raised, and the number was never watched."""
    async with _alice_on(bot_with, 200.0) as (harness, alice):
        confirm = await walk_to_confirm(harness, alice)
        harness.sandbox.inject_fault("getNumberV2", "slow", delay=2.0)
        press = asyncio.create_task(alice.press(confirm.buttons[0][0]))
        ledger = harness.services.activations
        await _until(lambda: harness.sandbox.faults.pending() == {}, "the paid call")
        assert len(await ledger.pending_intents()) == 1
        # 130 s into the call (the bot's clock), the periodic pass runs as it used to.
        harness.sandbox.advance(130)
        await reconcile_and_report(harness.services, min_age=120)
        await press
        [row] = await live_activations(harness)
        card = alice.last_bot_message()
        assert card is not None and "Waiting for the SMS" in card.text, alice.transcript()
        assert str(row.phone) in card.text
        assert not any("did not go through" in t for t in _texts(alice)), alice.transcript()
        assert provider_calls(harness, *PAID) == 1


async def test_a_rent_made_after_not_rented_was_said_is_cancelled_for_the_refund(
    bot_with: BotWith,
) -> None:
    """The same for getRentNumber: checking, then "not rented", then the late rent is
    cancelled at once (setRentStatus) and the user told."""
    from tests.bot.test_rent import live_rents, rent_calls, walk_to_rent_confirm

    timeout = 1.0
    async with _alice_on(bot_with, timeout) as (harness, alice):
        confirm = await walk_to_rent_confirm(harness, alice)
        harness.sandbox.inject_fault("getRentNumber", "slow", delay=6.0)
        await alice.press_button(confirm.keyboard[0][0])
        told = alice.last_bot_message()
        assert told is not None and "Not rented" not in told.text, alice.transcript()
        harness.sandbox.advance(timeout + SALE_MARGIN + 1)
        await _report(harness)
        assert harness.sandbox.balance(ALICE_KEY) == START_BALANCE, "rented too early for the test"
        said = [t for t in _texts(alice) if "did not go through" in t]
        assert len(said) == 1 and "nothing was charged" not in said[0], alice.transcript()

        await _sold(harness)
        await _report(harness)
        assert await live_rents(harness) == []
        assert any(
            "rented" in t and "cancelled it for a refund" in t for t in _texts(alice)
        ), alice.transcript()
        assert harness.sandbox.balance(ALICE_KEY) == START_BALANCE, "refunded"
        assert rent_calls(harness) == 1
