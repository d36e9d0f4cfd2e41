"""/cancel ends whatever flow is under way, whichever it is, and then says there is nothing."""

from __future__ import annotations

import pytest

from bot.fake_telegram import FakeUser


@pytest.mark.parametrize("command", ["/buy", "/rent", "/prices", "/multi"])
async def test_cancel_ends_the_flow_and_typed_text_no_longer_searches_it(
    alice: FakeUser, command: str
) -> None:
    await alice.send_text(command)
    await alice.send_text("/cancel")
    assert "Cancelled." in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("telegr")
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/cancel")
    assert "Nothing to cancel" in alice.last_bot_message().text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("first", "then", "prefix"),
    [
        ("/rent", "/prices", "xp:"),
        ("/rent", "/multi", "mt:"),
        ("/prices", "/rent", "rp:"),
        ("/multi", "/rent", "rp:"),
        ("/buy", "/rent", "rp:"),
        ("/rent", "/buy", "ps:"),
    ],
)
async def test_starting_a_picker_ends_the_one_before_so_typed_text_searches_the_new_one(
    alice: FakeUser, first: str, then: str, prefix: str
) -> None:
    await alice.send_text(first)
    await alice.send_text(then)
    await alice.send_text("telegr")
    results = alice.last_bot_message()
    assert results is not None
    # A search's only match is picked: Telegram's next step comes, from the new flow.
    if then in ("/buy", "/rent"):
        assert results.text.startswith("Telegram: pick a country"), alice.transcript()
        data = [b.callback_data or "" for row in results.keyboard for b in row]
        assert then == "/buy" or any(d.startswith("rp:country:") for d in data), data
        return
    if then == "/prices":
        assert "Telegram" in results.text and "by country" in results.text, alice.transcript()
        return
    buttons = [button for row in results.keyboard for button in row]
    picks = [b.callback_data or "" for b in buttons if "Telegram" in b.label]
    assert picks and all(data.startswith(prefix) for data in picks), alice.transcript()


@pytest.mark.parametrize("command", ["/buy", "/rent", "/prices", "/multi"])
async def test_a_typed_search_leaves_one_menu_to_press(alice: FakeUser, command: str) -> None:
    """The search's menu is the flow's menu: the older one (whose pages would read the new
    filter) loses its buttons."""
    await alice.send_text(command)
    first = alice.last_bot_message()
    assert first is not None and first.buttons, alice.transcript()
    await alice.send_text("tele")
    searched = alice.last_bot_message()
    assert searched is not None and searched.message_id != first.message_id
    assert searched.buttons, alice.transcript()
    menus = [m for m in alice.chat() if m.from_bot and m.buttons]
    assert [m.message_id for m in menus] == [searched.message_id], alice.transcript()


async def test_a_new_picker_takes_the_buttons_off_the_older_menu(alice: FakeUser) -> None:
    """An older menu's Cancel or pages would act on the newer flow: only one menu is live."""
    await alice.send_text("/buy")
    await alice.send_text("/prices")
    menus = [m for m in alice.chat() if m.from_bot and m.buttons]
    assert len(menus) == 1 and menus[0] == alice.last_bot_message(), alice.transcript()
