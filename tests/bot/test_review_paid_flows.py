"""Hostile review of the paid flows: presses that must not buy anything."""

from __future__ import annotations

from tests.bot.conftest import Harness, live_activations, provider_calls, with_key
from tests.bot.test_extras import AGAIN, finished_with_code


async def test_an_extra_offer_confirmed_after_cancel_buys_nothing(harness: Harness) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    parent = await finished_with_code(harness)
    await alice.press(AGAIN, parent.message_id)
    offer = alice.last_bot_message()
    assert offer is not None and "Another activation" in offer.text, alice.transcript()
    data = offer.keyboard[0][0].callback_data
    assert data is not None
    await alice.send_text("/cancel")
    query = await alice.press_data(data, offer.message_id)
    assert alice.answer_for(query) is not None
    assert provider_calls(harness, "getExtraActivation") == 0
    assert await live_activations(harness) == []
