"""/cancel ends whatever flow is under way, whichever it is, and then says there is nothing."""

from __future__ import annotations

import pytest

from tests.bot.conftest import Harness, with_key


@pytest.mark.parametrize("command", ["/buy", "/rent", "/prices", "/multi"])
async def test_cancel_ends_the_flow_and_typed_text_no_longer_searches_it(
    harness: Harness, command: str
) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    await alice.send_text(command)
    await alice.send_text("/cancel")
    assert "step left" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("telegr")
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/cancel")
    assert "nothing to leave" in alice.last_bot_message().text  # type: ignore[union-attr]
