"""Translations a reader notices (issue 16.8): Spanish country names, found by typing them;
prices written as the locale writes numbers; Spanish and Russian wording of rents."""

from __future__ import annotations

import re

from tests.bot.conftest import Harness, with_key
from tests.bot.test_rent import rent_one


async def test_spanish_shows_and_finds_country_names_in_spanish(harness: Harness) -> None:
    ana = harness.user(language="es")
    await with_key(harness, ana)
    await ana.send_text("/buy")
    await ana.press("Telegram")
    countries = ana.last_bot_message()
    assert countries is not None
    labels = [label for row in countries.buttons for label in row]
    assert any(label.startswith("🇰🇪 Kenia ·") for label in labels), labels
    assert not any("Kenya" in label for label in labels), labels
    # Prices are written with a decimal comma, as Spanish writes numbers.
    prices = [re.search(r"· (\d+[.,]\d{2}) ·", label) for label in labels]
    assert any(p for p in prices) and all("," in p.group(1) for p in prices if p), labels
    # A search finds the Spanish name; its only match is picked, and the next step names it.
    await ana.send_text("rusia")
    assert "Rusia" in ana.last_bot_message().text, ana.transcript()  # type: ignore[union-attr]
    await ana.press(harness.services.translator.t("es", "button-back"))
    await ana.send_text("filipinas")
    assert "Filipinas" in ana.last_bot_message().text, ana.transcript()  # type: ignore[union-attr]


async def test_prices_have_a_decimal_comma_in_russian(harness: Harness) -> None:
    ivan = harness.user(language="ru")
    await with_key(harness, ivan)
    await ivan.send_text("/balance")
    text = ivan.last_bot_message().text  # type: ignore[union-attr]
    assert "1\xa0000,00" in text and "1000.00" not in text, text


async def test_spanish_extension_says_for_how_long(harness: Harness) -> None:
    ana = harness.user(language="es")
    await with_key(harness, ana)
    await rent_one(harness, ana, "es")
    t = harness.services.translator.t
    await ana.press(t("es", "button-rent-extend"))
    await ana.press(t("es", "duration-hours", hours=12))
    offer = ana.last_bot_message()
    assert offer is not None and "por 12 h" in offer.text, offer.text


async def test_a_finished_rent_is_feminine_in_russian(harness: Harness) -> None:
    ivan = harness.user(language="ru")
    await with_key(harness, ivan)
    rent = await rent_one(harness, ivan, "ru")
    await ivan.press(harness.services.translator.t("ru", "button-rent-finish"))
    await ivan.press(harness.services.translator.t("ru", "button-rent-finish-yes"))
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state.value == "finished"
    await ivan.send_text("/history")
    text = ivan.last_bot_message().text  # type: ignore[union-attr]
    rent_line = next(line for line in text.splitlines() if f"+{rent.phone}" in line)
    assert rent_line.endswith("завершена"), rent_line
