"""Issue 17 through the fake Bot API: /buy compares two or three sandbox providers, keys at
several providers, keep trying (auto-replace) runs with their live card, spending caps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from decimal import Decimal
from pathlib import Path

import pytest

from bot.app import build_application
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.fake_telegram.driver import VisibleMessage
from bot.fake_telegram.ptb import process_with
from bot.lifecycle import close_application
from bot.provider import resolve_endpoint
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import (
    ALICE_BALANCE,
    ALICE_KEY,
    BOB_BALANCE,
    BOB_KEY,
    default_test_accounts,
)
from storage.autoreplace import AutoReplaceStore, RunState
from tests.bot.conftest import Harness, bot_settings, start_bot, stop_bot, walk_to_confirm
from tests.bot.test_multi import walk_to_confirm as walk_to_multi_confirm
from tests.bot.test_rent import walk_to_rent_confirm
from tests.services.providers import priced_catalog
from tests.storage.ledger_seed import bought

PAID = ("getNumber", "getNumberV2")
FACTORS = ("1.0", "0.8", "1.3")  # sandbox 1 is the cheapest, sandbox 2 the dearest
WAIT = 180  # keep trying's default wait per number


class Providers:
    """The bot over three sandboxes (sandbox 0 is the user's current provider)."""

    def __init__(self, harness: Harness, servers: list[SandboxServer]) -> None:
        self.harness = harness
        self.servers = servers

    def key(self, index: int) -> str:
        return resolve_endpoint(self.servers[index].url).key

    def title(self, index: int) -> str:
        return self.servers[index].url.split("//")[1].split("/")[0]

    def sandbox(self, index: int) -> Sandbox:
        return self.servers[index].sandbox

    def price(self, index: int) -> Decimal:
        return self.sandbox(index).catalog.price(6, "tg")

    def paid(self, index: int | None = None) -> int:
        indexes = range(len(self.servers)) if index is None else [index]
        return sum(
            1 for i in indexes for r in self.sandbox(i).request_log if r.action in PAID
        )


@pytest.fixture
async def three(
    tmp_path: Path, sandbox_server: SandboxServer, telegram: FakeTelegramServer
) -> AsyncIterator[Providers]:
    clock = sandbox_server.sandbox.clock
    async with AsyncExitStack() as stack:
        servers = [sandbox_server]
        for factor in FACTORS[1:]:
            sandbox = Sandbox(
                clock=clock, accounts=default_test_accounts(), catalog=priced_catalog(factor)
            )
            servers.append(
                await stack.enter_async_context(SandboxServer(sandbox, host="127.0.0.1", port=0))
            )
        # The first sandbox sells at the shipped prices (factor 1.0) already.
        settings = bot_settings(
            tmp_path, sandbox_server.url,
            SMSBOT_CUSTOM_PROVIDERS="any", SMSBOT_CODE_RATE_MIN_SAMPLE="4",
        )
        application, services = await build_application(
            settings, bot_base_url=telegram.bot_base_url, clock=clock
        )
        await application.initialize()
        telegram.state.deliver_directly(process_with(application))
        harness = Harness(application, services, telegram, sandbox_server.sandbox, settings)
        try:
            yield Providers(harness, servers)
        finally:
            await harness.application.shutdown()
            await close_application(harness.services)


async def _keys(found: Providers, user: FakeUser, keys: dict[int, str]) -> None:
    """The user's keys, as a person sets them: /key for the current provider, /key <url> for
    the others."""
    for index, key in keys.items():
        await user.send_text("/key" if index == 0 else f"/key {found.servers[index].url}")
        await user.send_text(key)


def _confirm(found: Providers, user: FakeUser) -> VisibleMessage:
    message = user.last_bot_message()
    assert message is not None, user.transcript()
    return message


def _rows(found: Providers, text: str) -> dict[int, str]:
    """The comparison's line for each sandbox (by its host:port): its row, or its note."""
    rows = [
        line for line in text.splitlines() if not line.startswith(("Provider:", "Buying"))
    ]
    return {
        index: next((line for line in rows if found.title(index) in line), "")
        for index in range(len(found.servers))
    }


async def _confirmed(
    found: Providers,
    keys: dict[int, str],
    walk: Callable[[Harness, FakeUser], Awaitable[VisibleMessage]],
) -> tuple[FakeUser, VisibleMessage, dict[int, str], VisibleMessage]:
    """A user with these keys walks to a confirm screen and presses its first button (Buy or
    Rent): the user, the confirm screen, its rows by sandbox, and what the press showed."""
    user = found.harness.user()
    await _keys(found, user, keys)
    confirm = await walk(found.harness, user)
    rows = _rows(found, confirm.text)
    await user.press_button(confirm.keyboard[0][0])
    return user, confirm, rows, _confirm(found, user)


async def test_the_best_of_three_is_shown_first_and_bought_with_that_providers_key(
    three: Providers,
) -> None:
    keys = {0: ALICE_KEY, 1: BOB_KEY, 2: ALICE_KEY}
    user, confirm, rows, bought = await _confirmed(three, keys, walk_to_confirm)
    bob_after = three.sandbox(1).accounts.find("bob").balance

    assert rows[1].startswith("▶"), confirm.text  # the cheapest
    assert all(rows[i].startswith("•") for i in (0, 2)), confirm.text
    assert f"best offer: {three.title(1)}" in confirm.text
    assert f"{three.price(1):.2f}" in rows[1] and f"{three.price(2):.2f}" in rows[2]
    assert (three.paid(0), three.paid(1), three.paid(2)) == (0, 1, 0)
    assert bob_after == BOB_BALANCE - three.price(1)  # Bob's key, at sandbox 1
    assert f"balance now: {bob_after:.2f}" in bought.text, bought.text  # where it was paid
    row = (await three.harness.services.activations.active_for_user(user.id))[0]
    assert row.provider == three.key(1)


async def _pinned(
    found: Providers,
    keys: dict[int, str],
    walk: Callable[[Harness, FakeUser], Awaitable[VisibleMessage]],
    index: int,
) -> tuple[FakeUser, VisibleMessage]:
    """A user with these keys walks to a confirm screen, pins sandbox ``index`` and presses
    the first button of the screen that shows (Buy or Rent): the user, and that screen."""
    user = found.harness.user()
    await _keys(found, user, keys)
    await walk(found.harness, user)
    await user.press(f"📌 {found.title(index)}")
    pinned = _confirm(found, user)
    await user.press_button(pinned.keyboard[0][0])
    return user, pinned


async def _walk_to_multi_confirm(harness: Harness, user: FakeUser) -> VisibleMessage:
    return await walk_to_multi_confirm(harness, user, "Telegram", "WhatsApp")


async def test_a_pinned_provider_is_bought_from_though_dearer(three: Providers) -> None:
    _, pinned = await _pinned(three, {0: ALICE_KEY, 1: ALICE_KEY}, walk_to_confirm, 0)

    assert f"from {three.title(0)} (pinned)" in pinned.text
    assert (three.paid(0), three.paid(1)) == (1, 0)


async def test_one_provider_sees_todays_confirm_screen(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    confirm = await walk_to_confirm(three.harness, user)

    assert "At your providers" not in confirm.text
    assert not any("Any provider" in label for row in confirm.buttons for label in row)


async def _with_a_slow_provider(found: Providers, action: str) -> FakeUser:
    """A user with keys at the three; sandbox 1 answers ``action`` after 20 s, and the
    comparison waits 1.5 s for each provider."""
    user = found.harness.user()
    await _keys(found, user, {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY})
    offers = found.harness.services.offers
    assert offers is not None
    offers.deadline = 1.5
    found.sandbox(1).inject_fault(action, "slow", count=5, delay=20.0)
    return user


async def _timed(screen: Awaitable[VisibleMessage]) -> tuple[VisibleMessage, float]:
    """The screen a walk ends on, and the seconds it took."""
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    shown = await screen
    return shown, loop_time() - started


async def test_a_slow_provider_is_left_out_within_its_deadline_and_a_refused_key_shown(
    three: Providers,
) -> None:
    user = await _with_a_slow_provider(three, "getPrices")
    three.sandbox(2).inject_fault("getPrices", "reply", count=5, body="BAD_KEY")
    confirm, took = await _timed(walk_to_confirm(three.harness, user))
    rows = _rows(three, confirm.text)

    assert took < 15.0  # the slow one alone would take 20 s
    assert "no answer in time" in rows[1], confirm.text
    assert "refused your key" in rows[2], confirm.text
    assert rows[0].startswith("▶")
    await user.press(confirm.buttons[0][0])
    assert (three.paid(0), three.paid(1), three.paid(2)) == (1, 0, 0)


async def test_the_code_rate_is_shown_only_from_the_minimum_sample(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    db = three.harness.services.db
    for _ in range(4):  # sandbox 0: 4 numbers, 3 with a code after 40 s (the minimum is 4)
        await bought(db, provider=three.key(0), coded=True, seconds=40)
    await bought(db, provider=three.key(0), coded=False, seconds=10)
    for _ in range(3):  # sandbox 1: 3 numbers only, below the minimum
        await bought(db, provider=three.key(1), coded=True)
    confirm = await walk_to_confirm(three.harness, user)
    rows = _rows(three, confirm.text)

    assert "✅ 80 % · ~40 s" in rows[0], confirm.text
    assert "✅" not in rows[1], confirm.text


async def _start_run(found: Providers, user: FakeUser) -> VisibleMessage:
    """/buy to the confirm screen, then Keep trying with its defaults (3 numbers, 3 min)."""
    await walk_to_confirm(found.harness, user)
    await user.press("🔁 Keep trying until a code comes…")
    setup = _confirm(found, user)
    start = next(label for row in setup.buttons for label in row if label.startswith("▶ Start"))
    await user.press(start)
    card = _confirm(found, user)
    assert card.message_id == setup.message_id, user.transcript()
    return card


def _card(user: FakeUser, message_id: int) -> VisibleMessage:
    return next(m for m in user.chat() if m.message_id == message_id)


async def _run_state(found: Providers) -> RunState:
    runs = await AutoReplaceStore(found.harness.services.db).running()
    if runs:
        return runs[0].state
    row = await found.harness.services.db.fetchone("SELECT state FROM autoreplace_runs")
    assert row is not None
    return RunState(row["state"])


async def _wait_out(found: Providers) -> None:
    """One wait passes without a code, and the auto-replace loop ticks."""
    found.sandbox(0).clock.advance(WAIT + 1)  # type: ignore[attr-defined]
    assert found.harness.services.autoreplace is not None
    await found.harness.services.autoreplace.tick()


async def test_keep_trying_buys_exactly_n_numbers_when_no_code_comes(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    card = await _start_run(three, user)
    first = card.text
    for _ in range(5):
        await _wait_out(three)
    ended = _card(user, card.message_id)

    assert f"Try 1 of 3 · {three.title(1)}" in first, first  # the best row first
    assert three.paid() == 3
    assert three.paid(0) >= 1  # after the cheapest failed, the next-best provider
    assert await _run_state(three) is RunState.EXHAUSTED
    assert "No code in 3 numbers" in ended.text and not ended.keyboard, ended.text


async def test_a_code_ends_the_run(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    card = await _start_run(three, user)
    row = (await three.harness.services.activations.active_for_user(user.id))[0]
    assert row.activation_id is not None
    three.sandbox(1).deliver_sms(int(row.activation_id), "code 4242", code="4242")
    await three.harness.poll()
    for _ in range(3):
        await _wait_out(three)

    assert three.paid() == 1
    assert await _run_state(three) is RunState.SUCCEEDED
    assert "A code came" in _card(user, card.message_id).text
    assert any("4242 — Telegram" in m.text for m in user.chat()), user.transcript()


async def test_stop_ends_the_run_at_once(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    card = await _start_run(three, user)
    await user.press("⏹ Stop", card.message_id)
    stopped = _card(user, card.message_id)
    for _ in range(3):
        await _wait_out(three)

    assert "Stopped" in stopped.text and not stopped.keyboard, stopped.text
    assert await _run_state(three) is RunState.CANCELLED
    assert three.paid() == 1


async def test_another_user_cannot_stop_a_run(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    card = await _start_run(three, user)
    button = card.find_buttons("⏹ Stop")[0]
    assert button.callback_data is not None
    mallory = three.harness.user(2002, "Mallory")
    await mallory.send_text("/start")
    own = mallory.last_bot_message()
    assert own is not None
    query = await mallory.press_data(button.callback_data, own.message_id)  # the data, forged
    answer = mallory.answer_for(query)
    not_yours = three.harness.services.translator.t("en", "press-not-yours")

    assert answer is not None and answer.text == not_yours
    assert await _run_state(three) is RunState.RUNNING
    assert "⏹ Stop" in _card(user, card.message_id).buttons[0]


async def test_the_spending_cap_stops_a_run_and_refuses_a_purchase_with_what_is_left(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    await user.send_text("/settings")
    await user.press("💲 Daily cap…")
    await user.send_text("1")  # less than any number costs
    settings = _confirm(three, user)
    card = await _start_run(three, user)
    await walk_to_confirm(three.harness, user)
    confirm = _confirm(three, user)
    await user.press(confirm.buttons[0][0])
    refused = _confirm(three, user)

    assert "Daily cap: <b>1.00</b>" in settings.text or "Daily cap: 1.00" in settings.text, (
        settings.text
    )
    assert await _run_state(three) is RunState.CAPPED
    assert "cap" in card.text, card.text
    assert "Left today: 1.00" in refused.text, refused.text
    assert three.paid() == 0


async def test_a_run_resumes_after_a_restart_on_its_own_card_without_buying_twice(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    card = await _start_run(three, user)
    await stop_bot(three.harness)
    restarted = await start_bot(three.harness)
    assert restarted.autoreplace is not None
    await restarted.autoreplace.tick()  # within the wait: nothing to buy
    paid_after_restart = three.paid()
    await _wait_out(three)
    resumed = _card(user, card.message_id)

    assert paid_after_restart == 1
    assert three.paid() == 2
    assert "Try 2 of 3" in resumed.text, user.transcript()


async def test_a_key_for_another_provider_is_stored_there_and_its_message_deleted(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    await user.send_text(f"/key {three.servers[1].url}")
    await user.send_text(BOB_KEY)
    saved = _confirm(three, user)
    await user.send_text("/provider")
    menu = _confirm(three, user)
    accounts = three.harness.services.accounts

    assert "Key for" in saved.text and "saved" in saved.text, saved.text
    assert all(BOB_KEY not in m.text for m in user.chat())  # the key's message is gone
    assert (await accounts.endpoint_of(user.id)).key == three.key(0)  # current one stays
    assert set(await accounts.providers_with_keys(user.id)) == {three.key(0), three.key(1)}
    assert three.title(0) in menu.text and three.title(1) in menu.text, menu.text


async def test_a_rent_past_the_monthly_cap_is_refused_with_what_is_left(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    await user.send_text("/settings")
    await user.press("💲 Monthly cap…")
    await user.send_text("2,50")
    confirm = await walk_to_rent_confirm(three.harness, user)
    await user.press_button(confirm.keyboard[0][0])
    refused = _confirm(three, user)

    assert "monthly cap of 2.50" in refused.text and "Left this month: 2.50" in refused.text, (
        refused.text
    )
    assert sum(1 for r in three.sandbox(0).request_log if r.action == "getRentNumber") == 0


async def test_a_key_step_for_another_provider_survives_a_restart(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    await user.send_text(f"/key {three.servers[1].url}")
    await stop_bot(three.harness)
    restarted = await start_bot(three.harness)
    await user.send_text(BOB_KEY)

    providers = set(await restarted.accounts.providers_with_keys(user.id))
    assert providers == {three.key(0), three.key(1)}
    assert all(BOB_KEY not in m.text for m in user.chat())
    client = await restarted.accounts.client_for_provider(user.id, three.key(1))
    assert client is not None and await client.get_balance() == BOB_BALANCE


async def test_a_bare_key_with_several_providers_asks_which_one_first(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    await user.send_text("/key")
    which = _confirm(three, user)
    await user.press(three.title(1))  # not the current one
    asked = _confirm(three, user)
    await user.send_text(BOB_KEY)
    accounts = three.harness.services.accounts
    elsewhere = await accounts.client_for_provider(user.id, three.key(1))
    current = await accounts.client_for_provider(user.id, three.key(0))

    assert "Which provider" in which.text and which.buttons == [
        [f"✓ {three.title(0)}"], [three.title(1)]
    ], which.text
    assert three.title(1) in asked.text, asked.text
    assert all(BOB_KEY not in m.text for m in user.chat())
    assert elsewhere is not None and await elsewhere.get_balance() == BOB_BALANCE
    assert current is not None and await current.get_balance() != BOB_BALANCE  # Alice's stays


# --- /rent and /multi compare the providers too ------------------------------------------------


def _calls(found: Providers, index: int, action: str) -> int:
    return sum(1 for r in found.sandbox(index).request_log if r.action == action)


async def test_a_rent_is_compared_and_the_best_row_rented_there_and_polled_there(
    three: Providers,
) -> None:
    keys = {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY}
    user, confirm, rows, rented = await _confirmed(three, keys, walk_to_rent_confirm)
    price = three.sandbox(1).catalog.rent_price(0, "full", 4)
    [rent] = await three.harness.services.rents.active_for_user(user.id)
    assert rent.rent_id is not None
    three.sandbox(1).deliver_rent_sms(int(rent.rent_id), "Rented code 515151")
    await three.harness.services.rent_watcher.tick()
    await three.harness.services.notifier.drain()

    assert rows[1].startswith("▶") and f"{price:.2f}" in rows[1], confirm.text
    assert all(rows[i].startswith("•") for i in (0, 2)), confirm.text
    assert [_calls(three, i, "getRentNumber") for i in range(3)] == [0, 1, 0]
    assert three.sandbox(1).balance("alice") == ALICE_BALANCE - price
    # The balance shown is the one where the rent was paid.
    assert f"balance now: {ALICE_BALANCE - price:.2f}" in rented.text, rented.text
    assert rent.provider == three.key(1)
    assert any("515151" in m.text for m in user.chat()), user.transcript()


async def test_a_pinned_provider_rents_though_dearer(three: Providers) -> None:
    user, pinned = await _pinned(three, {0: ALICE_KEY, 1: ALICE_KEY}, walk_to_rent_confirm, 0)

    assert f"from {three.title(0)} (pinned)" in pinned.text, pinned.text
    assert [_calls(three, i, "getRentNumber") for i in range(2)] == [1, 0]
    [rent] = await three.harness.services.rents.active_for_user(user.id)
    assert rent.provider == three.key(0)


async def test_a_slow_provider_is_left_out_of_a_rent_comparison_within_its_deadline(
    three: Providers,
) -> None:
    user = await _with_a_slow_provider(three, "getRentServicesAndCountries")
    confirm, took = await _timed(walk_to_rent_confirm(three.harness, user))
    rows = _rows(three, confirm.text)
    await user.press_button(confirm.keyboard[0][0])

    assert took < 15.0  # the slow one alone would take 20 s
    assert "no answer in time" in rows[1], confirm.text
    assert rows[0].startswith("▶"), confirm.text  # sandbox 2 is dearer
    assert [_calls(three, i, "getRentNumber") for i in range(3)] == [1, 0, 0]


async def test_one_number_for_several_services_bought_at_the_best_provider_and_watched_there(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: BOB_KEY, 2: ALICE_KEY})
    confirm = await walk_to_multi_confirm(three.harness, user, "Telegram", "WhatsApp")
    rows = _rows(three, confirm.text)
    await user.press_button(confirm.keyboard[0][0])
    bought = await three.harness.services.activations.active_for_user(user.id)
    whatsapp = next(r for r in bought if r.service == "wa")
    assert whatsapp.activation_id is not None
    three.sandbox(1).deliver_sms(int(whatsapp.activation_id), "WhatsApp code 616161")
    await three.harness.poll()
    shown = {m.message_id: m.text for m in user.chat()}

    assert rows[1].startswith("▶"), confirm.text
    calls = [_calls(three, i, "getMultiServiceNumber") for i in range(3)]
    assert calls == [0, 1, 0]
    assert {r.provider for r in bought} == {three.key(1)} and len(bought) == 2
    assert three.sandbox(1).balance("bob") < BOB_BALANCE  # Bob's key, at sandbox 1
    assert "616161" in shown[whatsapp.message_id], user.transcript()  # type: ignore[index]


async def test_a_pinned_provider_sells_one_number_for_several_services(three: Providers) -> None:
    keys = {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY}
    user, pinned = await _pinned(three, keys, _walk_to_multi_confirm, 2)
    bought = await three.harness.services.activations.active_for_user(user.id)

    assert f"from {three.title(2)} (pinned)" in pinned.text, pinned.text
    calls = [_calls(three, i, "getMultiServiceNumber") for i in range(3)]
    assert calls == [0, 0, 1]
    assert {r.provider for r in bought} == {three.key(2)}


async def test_one_provider_sees_todays_rent_and_multi_confirm_screens(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    rent = await walk_to_rent_confirm(three.harness, user)
    await user.press("✖️ Cancel")
    multi = await walk_to_multi_confirm(three.harness, user, "Telegram", "WhatsApp")

    for screen in (rent, multi):
        assert "At your providers" not in screen.text, screen.text
        assert not screen.find_buttons("Any provider"), screen.buttons


async def test_prices_show_every_providers_price_and_stock_under_each_line_and_service(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY})
    three.sandbox(2).inject_fault("getPrices", "reply", count=5, body="BAD_KEY")
    await user.send_text("/prices")
    await user.press("Telegram")
    table = _confirm(three, user)
    lines = table.text.splitlines()
    indonesia = next(i for i, line in enumerate(lines) if "Indonesia" in line)
    under = lines[indonesia + 1]
    stock = three.sandbox(1).stock.count(6, "tg")

    assert under.lstrip().startswith("↳"), table.text
    assert f"▶ {three.title(1)} {three.price(1):.2f} ({stock})" in under, under  # the cheapest
    assert f"{three.title(0)} {three.price(0):.2f}" in under, under
    assert three.title(2) not in under
    assert any("refused your key" in line and three.title(2) in line for line in lines)
    # By country: each service's line, with every provider's price under it.
    await user.press("↩️ Back")
    await user.press("🌍 By country")
    await user.send_text("indonesia")  # the one match: its table at once
    by_country = _confirm(three, user)
    first, below = by_country.text.splitlines()[1:3]  # the cheapest service, its providers
    price = first.split(" · ")[1]  # at the current provider (sandbox 0)

    assert below.lstrip().startswith(f"↳ ▶ {three.title(1)} "), by_country.text  # cheaper
    assert f"· {three.title(0)} {price} (" in below, by_country.text
    assert three.paid() == 0  # read-only


async def test_keep_trying_helps_a_user_with_one_provider_too(three: Providers) -> None:
    """Decided: a new number from the same provider may get the code the last one did not,
    so one provider's users keep the button; each try buys there."""
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY})
    card = await _start_run(three, user)
    await _wait_out(three)
    second = _card(user, card.message_id)

    assert f"Try 1 of 3 · {three.title(0)}" in card.text, card.text
    assert "Try 2 of 3" in second.text, second.text
    assert (three.paid(0), three.paid(1), three.paid(2)) == (2, 0, 0)


async def test_a_provider_billing_in_another_currency_is_marked_and_not_ranked_against_others(
    three: Providers,
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    accounts = three.harness.services.accounts
    for index, numeric in ((0, 643), (1, 840)):  # what their replies told: roubles, dollars
        client = await accounts.client_for_provider(user.id, three.key(index))
        assert client is not None
        client.reported_currency = numeric
    confirm = await walk_to_confirm(three.harness, user)
    rows = _rows(three, confirm.text)

    assert rows[0].startswith("▶"), confirm.text  # dearer by its figure, but in the user's RUB
    assert f"{three.price(0):.2f} RUB" in rows[0], confirm.text
    assert f"{three.price(1):.2f} USD" in rows[1] and "another currency" in rows[1], confirm.text


async def test_a_lost_reply_to_a_rent_at_another_provider_is_reconciled_there(
    three: Providers,
) -> None:
    three.sandbox(1).inject_fault("getRentNumber", "drop", count=1, after=True)
    keys = {0: ALICE_KEY, 1: ALICE_KEY}
    user, _, rows, rented = await _confirmed(three, keys, walk_to_rent_confirm)
    [rent] = await three.harness.services.rents.active_for_user(user.id)

    assert rows[1].startswith("▶"), rows
    assert [_calls(three, i, "getRentNumber") for i in range(2)] == [0, 1]  # never retried
    assert _calls(three, 1, "getRentList") >= 1 and _calls(three, 0, "getRentList") == 0
    assert rent.provider == three.key(1) and rent.phone, rent
    assert "Rented until" in rented.text, rented.text


async def test_a_max_price_set_on_buy_goes_with_a_keep_trying_run(three: Providers) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    await walk_to_confirm(three.harness, user)
    await user.press("💲 Max price…")
    await user.send_text("500")
    await user.press("🔁 Keep trying until a code comes…")
    setup = _confirm(three, user)
    start = next(label for row in setup.buttons for label in row if label.startswith("▶ Start"))
    await user.press(start)
    runs = await AutoReplaceStore(three.harness.services.db).running()

    assert "Each number at most 500.00 (your max price)" in setup.text, setup.text
    assert [run.max_price for run in runs] == [Decimal("500")], user.transcript()


_PAID_BY_FLOW = {"buy": PAID, "rent": ("getRentNumber",), "multi": ("getMultiServiceNumber",)}


@pytest.mark.parametrize("flow", ["buy", "rent", "multi"])
async def test_a_pin_that_finds_nothing_to_buy_leaves_the_older_screens_button_buying_nothing(
    three: Providers, flow: str
) -> None:
    # The screen offers sandbox 1 (the cheapest); the user pins sandbox 2, sold out since, and
    # then taps the first screen's button (before its edit reached the app): that button's
    # price and provider are no longer on any screen, so it must buy nothing anywhere.
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY})
    walks = {"buy": walk_to_confirm, "rent": walk_to_rent_confirm, "multi": _walk_to_multi_confirm}
    first = await walks[flow](three.harness, user)
    assert f"best offer: {three.title(1)}" in first.text, first.text
    if flow == "rent":
        three.sandbox(2).set_rent_stock(0, "full", 0)
    else:
        flow_data = three.harness.application.user_data[user.id]["flow"]
        three.sandbox(2).set_stock(int(flow_data["country"]), "tg", 0)
    await user.press(f"📌 {three.title(2)}", first)
    dead_end = _confirm(three, user)
    pay = first.keyboard[0][0]
    assert all(b.callback_data != pay.callback_data for row in dead_end.keyboard for b in row)
    await user.press_button(pay)

    paid = _PAID_BY_FLOW[flow]
    calls = [sum(1 for r in three.sandbox(i).request_log if r.action in paid) for i in range(3)]
    assert calls == [0, 0, 0], user.transcript()
    assert await three.harness.services.activations.active_for_user(user.id) == []
    assert await three.harness.services.rents.active_for_user(user.id) == []


async def test_a_which_provider_button_goes_stale_when_the_current_provider_changes(
    three: Providers,
) -> None:
    """/key's "which provider" buttons name providers by their place in a list that a change
    of provider reorders: an older button must not open the step for another provider (whose
    key the next message would replace)."""
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    await user.send_text("/key")
    which = _confirm(three, user)
    await user.send_text("/provider")
    menu = _confirm(three, user)
    await user.press_button(menu.keyboard[4][0])  # the second custom provider: sandbox 1
    switched = await three.harness.services.accounts.endpoint_of(user.id)
    query = await user.press_button(which.keyboard[1][0])  # labelled with sandbox 1
    answer = user.answer_for(query)
    await user.send_text(BOB_KEY)
    accounts = three.harness.services.accounts
    first = await accounts.client_for_provider(user.id, three.key(0))

    assert which.buttons == [[f"✓ {three.title(0)}"], [three.title(1)]], which.text
    assert switched.key == three.key(1), user.transcript()
    assert answer is not None and "out of date" in (answer.text or ""), user.transcript()
    assert first is not None and await first.get_balance() == ALICE_BALANCE  # not replaced


async def test_a_key_pasted_after_the_which_provider_question_is_not_searched(
    three: Providers,
) -> None:
    """A bare /key with keys at several providers asks which one; a user who pastes the key
    straight away gives it for the current provider: it is deleted and saved, never searched
    (and echoed) by the /buy picker still open, nor left in the chat."""
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY})
    await user.send_text("/buy")
    await user.send_text("/key")
    which = _confirm(three, user)
    await user.send_text(BOB_KEY)
    accounts = three.harness.services.accounts
    current = await accounts.client_for_provider(user.id, three.key(0))
    other = await accounts.client_for_provider(user.id, three.key(1))

    assert "Which provider" in which.text and three.title(0) in which.text, which.text
    assert all(BOB_KEY not in m.text for m in user.chat()), user.transcript()
    assert current is not None and await current.get_balance() == BOB_BALANCE
    assert other is not None and await other.get_balance() == ALICE_BALANCE  # untouched


async def _prices_table(harness: Harness, user: FakeUser) -> VisibleMessage:
    await user.send_text("/prices")
    await user.press("Telegram")
    table = user.last_bot_message()
    assert table is not None, user.transcript()
    return table


@pytest.mark.parametrize("flow", ["rent", "multi", "prices"])
@pytest.mark.parametrize(
    "body", ['{"0": {"tg": {"cost": ', "<html>502</html>", '[{"x": 1}]', "BAD_KEY"]
)
async def test_a_provider_answering_garbage_is_left_out_of_each_comparison(
    three: Providers, flow: str, body: str
) -> None:
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY})
    three.sandbox(2).inject_fault("*", "reply", count=1000, body=body)
    walks = {
        "rent": walk_to_rent_confirm, "multi": _walk_to_multi_confirm, "prices": _prices_table
    }
    screen = await walks[flow](three.harness, user)

    assert "went wrong" not in screen.text, user.transcript()
    assert three.title(0) in screen.text and three.title(1) in screen.text, screen.text


async def test_a_pin_on_a_confirm_screen_sent_again_pins_what_it_names(three: Providers) -> None:
    """A typed max price sends the confirm screen again, its comparison drawn afresh (rows
    reordered when stock moved); the first screen's 📌 buttons must not pin another row than
    their label names (they are out of date, or pin that very provider)."""
    user = three.harness.user()
    await _keys(three, user, {0: ALICE_KEY, 1: ALICE_KEY, 2: ALICE_KEY})
    first = await walk_to_confirm(three.harness, user)
    [old_pin] = first.find_buttons(f"📌 {three.title(0)}")
    flow_data = three.harness.application.user_data[user.id]["flow"]
    three.sandbox(1).set_stock(int(flow_data["country"]), "tg", 0)  # the best row sells out
    three.sandbox(0).clock.advance(60)  # type: ignore[attr-defined]  # past the price cache
    await user.press("💲 Max price…", first)
    await user.send_text("500")
    query = await user.press_button(old_pin)
    answer = user.answer_for(query)
    shown = _card(user, first.message_id)
    pinned_elsewhere = [i for i in (1, 2) if f"from {three.title(i)} (pinned)" in shown.text]

    assert pinned_elsewhere == [], user.transcript()
    stale = "expired" in shown.text or "out of date" in (answer.text or "" if answer else "")
    assert stale or f"from {three.title(0)} (pinned)" in shown.text, user.transcript()
    assert three.title(2) not in shown.text  # no Buy of the dearer row left on the old screen
