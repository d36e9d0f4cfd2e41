"""What users of popular SMS bots expect (issue 16, "Features people expect"): the balance
after a purchase, a top-up hint, buying from /prices, a new number after one without a code…"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.fake_telegram import FakeUser
from bot.fake_telegram.driver import Button, VisibleMessage
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.sandbox.testing import ALICE_KEY
from bot.telegram.flows import SLOT
from bot.telegram.rendering import Renderer
from tests.bot.conftest import (
    Harness,
    bought_number,
    buy_first_offer,
    first_button_data,
    keyed_user,
    live_activations,
    prices_table,
    walk_to_confirm,
    with_key,
)
from tests.bot.test_rent import rent_one


async def test_a_bought_number_shows_the_new_balance(harness: Harness, alice: FakeUser) -> None:
    await buy_first_offer(harness, alice)
    card = alice.last_bot_message()
    balance = harness.sandbox.balance(ALICE_KEY)
    assert card is not None and f"Your balance now: {balance:.2f}" in card.text, alice.transcript()


async def test_a_rented_number_shows_the_new_balance_in_russian(harness: Harness) -> None:
    ivan = harness.user(3003, "Ivan", language="ru")
    await with_key(harness, ivan)
    await rent_one(harness, ivan, "ru")
    card = ivan.last_bot_message()
    balance = Renderer(harness.services.translator, "ru").money(harness.sandbox.balance(ALICE_KEY))
    assert card is not None and f"Ваш баланс теперь: {balance}" in card.text, ivan.transcript()


async def test_no_balance_at_the_provider_gets_a_top_up_hint(harness: Harness) -> None:
    for locale, words in (
        ("en", "Top up your account"),
        ("ru", "Пополните счёт"),
        ("es", "Recarga tu cuenta"),
    ):
        harness.sandbox.set_balance(ALICE_KEY, 1000)
        user = await keyed_user(harness, locale)
        confirm = await walk_to_confirm(harness, user, locale=locale)
        harness.sandbox.set_balance(ALICE_KEY, 0)  # spent elsewhere since the confirm screen
        await user.press(confirm.buttons[0][0])
        told = user.last_bot_message()
        assert told is not None and words in told.text, user.transcript()


def buy_rows(message: VisibleMessage | None) -> list[Button]:
    assert message is not None
    return [b for row in message.keyboard for b in row if b.label.startswith("🛒 ")]


async def test_a_prices_row_opens_the_buy_confirm_and_buys_once(
    harness: Harness, alice: FakeUser
) -> None:
    table = await prices_table(alice)
    rows = buy_rows(table)
    assert rows, alice.transcript()
    first_line = table.text.splitlines()[1]
    country, price = first_line.split(" · ")[:2]
    assert rows[0].label == f"🛒 {country} · {price}"
    await alice.press_button(rows[0])
    step = alice.last_bot_message()
    assert step is not None
    if step.find_buttons("Any operator"):
        await alice.press("Any operator")
    confirm = alice.last_bot_message()
    name = country.split(" ", 1)[1]  # after its flag
    assert confirm is not None and f"Country: {name}" in confirm.text, alice.transcript()
    assert "Service: Telegram" in confirm.text and price in confirm.text
    data = confirm.keyboard[0][0].callback_data
    assert data is not None and confirm.keyboard[0][0].label == f"✅ Buy for {price}"
    for _ in range(2):
        await alice.press_data(data, confirm.message_id)
    assert len(await live_activations(harness)) == 1
    assert len([r for r in harness.sandbox.request_log if r.action == "getNumberV2"]) == 1


async def test_a_prices_row_asks_the_provider_afresh(harness: Harness) -> None:
    ana = harness.user(4004, "Ana", language="es")
    await with_key(harness, ana)
    [first, *_] = buy_rows(await prices_table(ana))
    country = int((first.callback_data or "").split(":")[-1])  # pb:<service>:<country>
    harness.sandbox.set_stock(country, "tg", 0)  # sold out since the table was read
    await ana.press_button(first)
    step = ana.last_bot_message()
    assert step is not None
    any_operator = harness.services.translator.t("es", "buy-operator-any")
    if step.find_buttons(any_operator):
        await ana.press(any_operator)
    told = ana.last_bot_message()
    assert told is not None and told.text == harness.services.translator.t("es", "buy-sold-out")
    assert await live_activations(harness, ana.id) == []


async def test_the_default_operator_skips_the_operator_step_in_russian(harness: Harness) -> None:
    ivan = harness.user(3003, "Ivan", language="ru")
    t = harness.services.translator.t
    await with_key(harness, ivan)
    preferences = (await harness.services.users.ensure(ivan.id)).preferences
    await harness.services.users.set_preferences(
        ivan.id, preferences.toggled_default_operator("mts")
    )
    await ivan.send_text("/buy")
    await ivan.press("Telegram")
    await ivan.send_text("Россия")
    countries = ivan.last_bot_message()
    assert countries is not None
    if not countries.find_buttons(t("ru", "button-other-operator")):
        [russia] = [b for row in countries.keyboard for b in row if "Россия" in b.label]
        await ivan.press_button(russia)
    confirm = ivan.last_bot_message()
    assert confirm is not None and "mts" in confirm.text, ivan.transcript()
    assert confirm.find_buttons(t("ru", "button-other-operator"))
    await ivan.press(confirm.keyboard[0][0].label)
    [bought] = [r for r in harness.sandbox.request_log if r.action == "getNumberV2"]
    assert bought.params["operator"] == "mts"


async def test_a_search_with_one_match_picks_it(harness: Harness) -> None:
    for locale, country, word in (
        ("en", "Kazakhstan", "kazakh"),
        ("ru", "Казахстан", "казах"),
        ("es", "Kazajistán", "kazaj"),
    ):
        user = await keyed_user(harness, locale)
        await user.send_text("/buy")
        await user.send_text("telegra")  # Telegram only: its countries come next
        countries = user.last_bot_message()
        assert countries is not None and countries.text.startswith("Telegram"), user.transcript()
        assert any(" · " in label for row in countries.buttons for label in row)
        await user.send_text(word)
        step = user.last_bot_message()
        assert step is not None and country in step.text, user.transcript()
        assert not any(country in label for row in step.buttons for label in row)
        await user.send_text("/rent")
        await user.send_text("telegra")  # /rent: Telegram's countries come next
        rent_step = user.last_bot_message()
        assert rent_step is not None and rent_step.text.startswith("Telegram"), user.transcript()
        await user.send_text("/prices")
        await user.send_text("telegra")  # /prices: Telegram's table comes next
        table = user.last_bot_message()
        assert table is not None and "Telegram" in table.text
        assert any(label.startswith("🛒") for row in table.buttons for label in row)


async def ended_without_code(harness: Harness, user: FakeUser) -> VisibleMessage:
    """Buys Telegram in the cheapest country and lets it run out: cancelled for a refund."""
    await buy_first_offer(harness, user)
    assert len(await live_activations(harness, user.id)) == 1
    card_id = user.last_bot_message().message_id  # type: ignore[union-attr]
    harness.sandbox.advance(assumed_lifetime("tg") - 60)
    await harness.poll()
    assert await live_activations(harness, user.id) == []
    return next(m for m in user.chat() if m.message_id == card_id)


async def test_new_number_on_one_that_got_no_code_buys_the_same_again_once(
    harness: Harness, alice: FakeUser
) -> None:
    card = await ended_without_code(harness, alice)
    assert card.buttons == [["🔁 New number"]], alice.transcript()
    [first] = await harness.services.activations.history(alice.id)
    await alice.press("🔁 New number", card)
    confirm = alice.last_bot_message()
    assert confirm is not None and confirm.message_id != card.message_id, alice.transcript()
    assert "Confirm the purchase" in confirm.text or "Buy for" in str(confirm.buttons)
    price = harness.sandbox.catalog.price(first.country, "tg")  # type: ignore[arg-type]
    assert confirm.keyboard[0][0].label == f"✅ Buy for {price:.2f}", confirm.buttons
    data = first_button_data(confirm)
    for _ in range(3):
        await alice.press_data(data, confirm.message_id)
    [again] = await live_activations(harness)
    assert (again.service, again.country, again.operator) == (
        first.service,
        first.country,
        first.operator,
    )
    assert len([r for r in harness.sandbox.request_log if r.action == "getNumberV2"]) == 2


async def test_new_number_is_offered_in_russian_and_spanish_and_never_to_another_user(
    harness: Harness,
) -> None:
    t = harness.services.translator.t
    for locale in ("ru", "es"):
        user = await keyed_user(harness, locale)
        card = await ended_without_code(harness, user)
        assert card.buttons == [[t(locale, "button-new-number")]], user.transcript()
    bob = harness.user(2002, "Bob")
    await with_key(harness, bob)
    [ivans] = await harness.services.activations.history(3003)
    await bob.send_text("/start")
    query = await bob.press_data(
        f"nn:{ivans.ledger_id}", bob.last_bot_message().message_id  # type: ignore[union-attr]
    )
    answer = bob.answer_for(query)
    assert answer is not None and answer.show_alert, bob.transcript()
    assert SLOT not in (harness.application.user_data.get(bob.id) or {})  # no /buy draft


def local(unix: float, zone: str, pattern: str = "%H:%M") -> str:
    return datetime.fromtimestamp(unix, tz=ZoneInfo(zone)).strftime(pattern)


async def test_a_personal_time_zone_shows_times_as_the_user_reads_a_clock(
    harness: Harness, alice: FakeUser
) -> None:
    await alice.send_text("/settings")
    assert "Time zone: UTC" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.press("🕒 Time zone…")
    now = harness.services.clock.now()
    await alice.press(f"Madrid · {local(now, 'Europe/Madrid')}")
    assert "Time zone: Europe/Madrid" in alice.last_bot_message().text  # type: ignore[union-attr]
    row = await bought_number(harness, alice)
    assert row.deadline is not None
    card = alice.last_bot_message()
    minutes = round((row.deadline - harness.services.clock.now()) / 60)
    expected = f"in {minutes} min · ≈ {local(row.deadline, 'Europe/Madrid')}."
    assert card is not None and expected in card.text, card.text
    assert "UTC" not in card.text


async def test_a_typed_time_zone_in_russian_and_spanish_and_rent_dates_follow_it(
    harness: Harness,
) -> None:
    t = harness.services.translator.t
    ivan = harness.user(3003, "Ivan", language="ru")
    await with_key(harness, ivan)
    await ivan.send_text("/settings")
    await ivan.press(t("ru", "button-time-zone"))
    await ivan.send_text("Mars/Olympus")
    assert ivan.last_bot_message().text == t("ru", "time-zone-unknown")  # type: ignore[union-attr]
    await ivan.send_text("+3")
    assert "Часовой пояс: Etc/GMT-3" in ivan.last_bot_message().text  # type: ignore[union-attr]
    rent = await rent_one(harness, ivan, "ru")
    assert rent.end_date is not None
    card = ivan.last_bot_message()
    end = local(rent.end_date, "Etc/GMT-3", "%Y-%m-%d %H:%M")
    assert card is not None and f"Арендован до {end}" in card.text, card.text

    ana = harness.user(4004, "Ana", language="es")
    await with_key(harness, ana)
    await ana.send_text("/settings")
    await ana.press(t("es", "button-time-zone"))
    await ana.send_text("bogota")
    assert "Zona horaria: America/Bogota" in ana.last_bot_message().text  # type: ignore[union-attr]
    await buy_first_offer(harness, ana, locale="es")
    [row] = await live_activations(harness, ana.id)
    assert row.deadline is not None
    card = ana.last_bot_message()
    assert card is not None and f"≈ {local(row.deadline, 'America/Bogota')}" in card.text
    assert "termina en " in card.text, card.text


async def test_countries_show_their_flags_in_every_picker(harness: Harness) -> None:
    t = harness.services.translator.t
    for locale, indonesia in (
        ("en", "🇮🇩 Indonesia"),
        ("ru", "🇮🇩 Индонезия"),
        ("es", "🇮🇩 Indonesia"),
    ):
        user = await keyed_user(harness, locale)
        await user.send_text("/buy")
        await user.press("Telegram")
        labels = [label for row in user.last_bot_message().buttons for label in row]  # type: ignore[union-attr]
        assert any(label.startswith(f"{indonesia} · ") for label in labels), labels
        await user.send_text("/prices")
        await user.press(t(locale, "button-prices-by-country"))
        labels = [label for row in user.last_bot_message().buttons for label in row]  # type: ignore[union-attr]
        assert any(label.startswith("🇧🇷 ") for label in labels), labels  # Brazil (Brasil, Бразилия)
    alice = harness.user()
    await alice.send_text("/rent")
    await alice.press("📱 Whole number (any service)")
    rent_countries = [b.label for row in alice.last_bot_message().keyboard for b in row]  # type: ignore[union-attr]
    assert any(label.startswith("🇷🇺 Russia") for label in rent_countries), rent_countries


async def test_prices_carry_the_currency_the_provider_reports(harness: Harness) -> None:
    """The sandbox's classic replies name no currency (a custom URL has no preset's): amounts
    are bare; once a reply names one (ISO 4217 643), every amount shows RUB."""
    for locale in ("en", "ru", "es"):
        harness.sandbox.configure(getnumberv2_format="classic")
        user = await keyed_user(harness, locale)
        await user.send_text("/balance")
        assert "RUB" not in user.last_bot_message().text  # type: ignore[union-attr]
        harness.sandbox.configure(getnumberv2_format="new")  # replies carry "currency": 643
        await buy_first_offer(harness, user, locale=locale)
        await user.send_text("/balance")
        assert " RUB" in user.last_bot_message().text, user.transcript()  # type: ignore[union-attr]
        confirm = await walk_to_confirm(harness, user, locale=locale)
        assert confirm.buttons[0][0].endswith(" RUB"), confirm.buttons


def test_presets_name_their_currency() -> None:
    from bot.provider import PRESETS

    assert PRESETS["herosms"].currency == "USD" and PRESETS["sms-activate"].currency == "RUB"
    assert all(preset.currency for preset in PRESETS.values())
