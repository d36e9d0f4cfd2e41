"""What a user is shown they paid: /multi cards, /history totals, extended rents (issue 16.4)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import Harness, live_activations
from tests.bot.test_multi import walk_to_confirm as walk_to_multi_confirm
from tests.bot.test_rent import rent_one


def shown_costs(text: str) -> list[Decimal]:
    return [Decimal(m) for m in re.findall(r"Cost: ([0-9.]+)", text)]


async def test_multi_cards_and_history_show_what_each_number_cost(
    harness: Harness, alice: FakeUser
) -> None:
    balance = harness.sandbox.balance(ALICE_KEY)
    confirm = await walk_to_multi_confirm(harness, alice, "Telegram", "WhatsApp")
    total = Decimal(re.findall(r"([0-9]+\.[0-9]{2})", confirm.buttons[0][0])[0])
    await alice.press(confirm.buttons[0][0], confirm)
    assert harness.sandbox.balance(ALICE_KEY) == balance - total
    rows = await live_activations(harness)
    assert sum((r.cost for r in rows), Decimal(0)) == total
    cards = {m.message_id: m.text for m in alice.chat()}
    costs = [c for r in rows for c in shown_costs(cards[r.message_id])]  # type: ignore[index]
    assert len(costs) == 2 and all(costs) and sum(costs) == total, costs
    await alice.send_text("/history")
    history = alice.last_bot_message()
    assert history is not None and " · 0.00 · " not in history.text, history.text
    # Both numbers are live without a code: held, and said so (a refund if no code comes).
    assert f"held for live numbers: {total:.2f}" in history.text, history.text
    for row in rows:
        harness.sandbox.deliver_sms(int(row.activation_id), "Code 1234")  # type: ignore[arg-type]
    await harness.poll()
    await alice.send_text("/history")
    assert f"spent in all: {total:.2f}" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_an_extended_rent_counts_all_its_hours_and_money(
    harness: Harness, alice: FakeUser
) -> None:
    balance = harness.sandbox.balance(ALICE_KEY)
    await rent_one(harness, alice, hours=4)
    await alice.press("➕ Extend")
    await alice.press("12 h")
    offer = alice.last_bot_message()
    assert offer is not None
    await alice.press(offer.buttons[0][0], offer)
    paid = balance - harness.sandbox.balance(ALICE_KEY)
    await alice.send_text("/history")
    text = alice.last_bot_message().text  # type: ignore[union-attr]
    assert f"16 h · {paid:.2f}" in text, text
    assert f"spent in all: {paid:.2f}" in text
