"""/prices: a service across countries and a country across services, sorted, paged, searched."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.telegram.handlers.prices import TABLE_ROWS
from tests.bot.conftest import Harness, prices_table

_LINE = re.compile(r"^(?P<name>.+) · (?P<price>\d+\.\d\d) · (?P<count>[\d,]+) numbers?$")


def price_lines(text: str) -> list[tuple[str, Decimal, int]]:
    lines = []
    for line in text.splitlines()[1:]:
        found = _LINE.match(line)
        assert found is not None, line
        lines.append((found["name"], Decimal(found["price"]), int(found["count"].replace(",", ""))))
    return lines


def in_stock_sorted(lines: list[tuple[str, Decimal, int]]) -> bool:
    in_stock = [price for _, price, count in lines if count > 0]
    return in_stock == sorted(in_stock)


async def test_a_service_across_countries_cheapest_first_with_pages(
    harness: Harness, alice: FakeUser
) -> None:
    first = await prices_table(alice)
    assert "Telegram" in first.text and "by country" in first.text
    lines = price_lines(first.text)
    assert len(lines) == TABLE_ROWS
    assert in_stock_sorted(lines)
    await alice.press("▶️")
    second = alice.last_bot_message()
    assert second is not None and second.message_id == first.message_id  # edited in place
    more = price_lines(second.text)
    assert more and (more[0][1] >= lines[-1][1] or more[0][2] == 0)
    await alice.press("◀️")
    assert price_lines(alice.last_bot_message().text) == lines  # type: ignore[union-attr]
    assert not any(r.action in ("getNumber", "getNumberV2") for r in harness.sandbox.request_log)


async def test_a_country_across_services_found_by_typing(alice: FakeUser) -> None:
    await alice.send_text("/prices")
    await alice.press("🌍 By country")
    await alice.send_text("kazakh")  # the one country that matches: its table at once
    table = alice.last_bot_message()
    assert table is not None and "Kazakhstan" in table.text and "by service" in table.text
    lines = price_lines(table.text)
    assert lines and in_stock_sorted(lines)
    names = {name for name, *_ in lines}
    assert "Discord" in names  # the cheapest service in the sandbox's catalogue
    # The same price the sandbox charges: Kazakhstan scales Russia's prices by 0.70.
    discord = next(price for name, price, _ in lines if name == "Discord")
    assert discord == Decimal("2.80")


async def test_typed_search_filters_services_and_a_miss_is_said(alice: FakeUser) -> None:
    await alice.send_text("/prices")
    await alice.send_text("whats")  # WhatsApp alone matches: its table at once
    table = alice.last_bot_message()
    assert table is not None and "WhatsApp" in table.text and "by country" in table.text
    await alice.press("↩️ Back")
    await alice.send_text("o")  # many match: the picker, filtered
    listed = [label for row in alice.last_bot_message().buttons for label in row]  # type: ignore[union-attr]
    assert "Google, YouTube, Gmail" in listed and not any("🛒" in label for label in listed)
    await alice.send_text("no-such-thing-xyz")
    assert "Nothing matches" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_prices_without_a_key_and_a_stale_button_are_answered(harness: Harness) -> None:
    bob = harness.user(2002, "Bob")
    await bob.send_text("/prices")
    assert "/key" in bob.last_bot_message().text  # type: ignore[union-attr]
    message_id = bob.last_bot_message().message_id  # type: ignore[union-attr]
    query = await bob.press_data("xp:s:tg:0", message_id)
    answer = bob.answer_for(query)
    assert answer is not None and "closed" in (answer.text or "")


async def test_a_provider_failure_is_answered_and_the_next_try_works(
    harness: Harness, alice: FakeUser
) -> None:
    await alice.send_text("/prices")
    harness.sandbox.inject_fault("getPrices", "http_500", count=3)  # every retry
    await alice.press("Telegram")
    assert "Could not get the prices" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert price_lines((await prices_table(alice)).text)
