"""Favourite services and countries, and the default operator: set in /buy, removed in
/settings, and they change what the pickers show first."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import VisibleMessage
from tests.bot.conftest import Harness, live_activations


def first_label(message: VisibleMessage | None) -> str:
    assert message is not None
    return message.buttons[0][0]


async def countries_of(user: FakeUser, service_label: str, query: str) -> VisibleMessage:
    await user.send_text(f"/buy {query}")
    await user.press(service_label)
    countries = user.last_bot_message()
    assert countries is not None
    return countries


async def pick_russia(user: FakeUser) -> VisibleMessage:
    """From the country step: Russia, then its operator screen."""
    await user.send_text("Russia")  # the one country that matches: picked
    operators = user.last_bot_message()
    assert operators is not None
    return operators


async def test_starred_service_and_country_come_first_until_removed(alice: FakeUser) -> None:
    await alice.send_text("/buy")
    assert first_label(alice.last_bot_message()) == "Telegram"
    # ⭐ the service on the country step, the country on the confirm screen.
    countries = await countries_of(alice, "Avito", "avito")
    cheapest = first_label(countries)
    assert not cheapest.startswith("Russia")
    await alice.press("☆ Avito: add to favourites")
    assert "⭐ Avito: remove from favourites" in str(alice.last_bot_message().buttons)  # type: ignore[union-attr]
    await pick_russia(alice)
    await alice.press("Any operator")
    await alice.press("☆ Russia: add to favourites")
    confirm = alice.last_bot_message()
    assert confirm is not None and "⭐ Russia: remove from favourites" in str(confirm.buttons)

    await alice.send_text("/buy")
    assert first_label(alice.last_bot_message()) == "⭐ Avito"
    await alice.press("⭐ Avito")
    assert first_label(alice.last_bot_message()).startswith("⭐ 🇷🇺 Russia")

    await alice.send_text("/settings")
    settings = alice.last_bot_message()
    assert settings is not None
    assert "Favourite services: Avito" in settings.text
    assert "Favourite countries: Russia" in settings.text
    await alice.press("✖️ Avito")
    assert "Favourite services: none" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press("✖️ Russia")
    assert "Favourite countries: none" in alice.last_bot_message().text  # type: ignore[union-attr]

    await alice.send_text("/buy")
    assert first_label(alice.last_bot_message()) == "Telegram"
    await alice.send_text("/buy avito")
    await alice.press("Avito")
    assert first_label(alice.last_bot_message()) == cheapest


async def test_default_operator_is_listed_first_and_bought_with(
    harness: Harness, alice: FakeUser
) -> None:
    await countries_of(alice, "Telegram", "telegram")
    operators = await pick_russia(alice)
    assert first_label(operators) == "Any operator"
    await alice.press("mts")
    await alice.press("📌 Make mts my default operator")
    assert "📌 mts is my default: unset" in str(alice.last_bot_message().buttons)  # type: ignore[union-attr]

    await countries_of(alice, "Telegram", "telegram")
    confirm = await pick_russia(alice)  # the 📌 default skips the operator step
    assert "Operator: mts" in confirm.text, alice.transcript()
    await alice.press("📶 Another operator")
    operators = alice.last_bot_message()
    assert operators is not None and first_label(operators) == "📌 mts"
    await alice.press("📌 mts")
    confirm = alice.last_bot_message()
    assert confirm is not None and "Operator: mts" in confirm.text
    await alice.press(first_label(confirm))
    [bought] = [r for r in harness.sandbox.request_log if r.action == "getNumberV2"]
    assert bought.params["operator"] == "mts"
    [row] = await live_activations(harness)
    assert row.operator == "mts"

    await alice.send_text("/settings")
    assert "Default operator: mts" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press("✖️ Default operator mts")
    assert "Default operator: none" in alice.last_bot_message().text  # type: ignore[union-attr]
    await countries_of(alice, "Telegram", "telegram")
    assert first_label(await pick_russia(alice)) == "Any operator"


async def test_an_old_remove_button_removes_nothing_else(harness: Harness, alice: FakeUser) -> None:
    for query, label in (("avito", "Avito"), ("telegram", "Telegram")):
        await countries_of(alice, label, query)
        await alice.press(f"☆ {label}: add to favourites")
    await alice.send_text("/settings")
    old = alice.last_bot_message()
    assert old is not None
    await alice.press("✖️ Avito", old)
    # The old screen's second button named Telegram at index 1: now it is stale.
    stale = next(b for row in old.keyboard for b in row if b.label == "✖️ Telegram")
    query = await alice.press_data(stale.callback_data or "", old.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "out of date" in (answer.text or "")
    user = await harness.services.users.ensure(1001)
    assert user.preferences.favourite_services == ("tg",)
