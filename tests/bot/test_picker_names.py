"""A provider's operator name or service code that cannot ride in a button (unsafe characters,
too long for 64 bytes of callback data) is still offered, and the purchase asks for exactly
that name."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from bot.fake_telegram import FakeUser
from bot.provider.sandbox import Sandbox, SandboxServer, load_catalog
from bot.provider.sandbox.fixtures import Service
from bot.provider.sandbox.testing import default_test_accounts
from tests.bot.conftest import Harness, live_activations, with_key

UNSAFE = "MTS Plus (virtual) Москва"
UNSAFE_SERVICE = "ok ru/2"
LONG = "operator-with-a-name-far-too-long-for-telegram-callback-data-" + "x" * 20


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    """The test sandbox, but Russia's operators include two names no button can carry, and
    one service code is no button's either."""
    catalog = load_catalog()
    operators = {**catalog.operators, 0: (*catalog.operators[0], UNSAFE, LONG)}
    odd = Service(UNSAFE_SERVICE, "Odd Service", Decimal("9.00"), forward=False, rent_only=False)
    sandbox = Sandbox(
        clock=ManualClock(),
        accounts=default_test_accounts(),
        catalog=dataclasses.replace(
            catalog, operators=operators, services={**catalog.services, UNSAFE_SERVICE: odd}
        ),
    )
    async with SandboxServer(sandbox, host="127.0.0.1", port=0) as server:
        yield server


async def operators_in_russia(harness: Harness) -> None:
    alice = harness.user()
    await with_key(harness, alice)
    await alice.send_text("/buy telegram")
    await alice.press("Telegram")
    await alice.send_text("Russia")  # the one country that matches: picked


@pytest.mark.parametrize("name", [UNSAFE, LONG])
async def test_an_operator_name_no_button_can_carry_is_picked_and_bought(
    harness: Harness, name: str
) -> None:
    await operators_in_russia(harness)
    alice = harness.user()
    operators = alice.last_bot_message()
    assert operators is not None
    [button] = [
        b for row in operators.keyboard for b in row if name.startswith(b.label.rstrip("…"))
    ]
    assert button.callback_data is not None and len(button.callback_data.encode()) <= 64
    await alice.press_button(button)
    confirm = alice.last_bot_message()
    assert confirm is not None and f"Operator: {name}" in confirm.text, alice.transcript()
    await alice.press(confirm.buttons[0][0])
    [bought] = [r for r in harness.sandbox.request_log if r.action == "getNumberV2"]
    assert bought.params["operator"] == name
    [row] = await live_activations(harness)
    assert row.operator == name


async def test_a_position_button_from_an_older_screen_picks_nothing(harness: Harness) -> None:
    await operators_in_russia(harness)
    alice = harness.user()
    old = alice.last_bot_message()
    assert old is not None
    [listed] = [b for row in old.keyboard for b in row if b.label == UNSAFE and b.callback_data]
    await alice.press("↩️ Back")  # the countries again: a new operator screen gets new positions
    countries = alice.last_bot_message()
    assert countries is not None
    [russia] = [label for row in countries.buttons for label in row if "Russia" in label]
    await alice.press(russia)
    query = await alice.press_data(listed.callback_data or "", old.message_id)
    assert alice.answer_for(query) is not None
    assert "expired" in alice.last_bot_message().text  # type: ignore[union-attr]
    assert not any(r.action == "getNumberV2" for r in harness.sandbox.request_log)


async def test_a_service_code_no_button_can_carry_is_picked_and_bought(
    harness: Harness, alice: FakeUser
) -> None:
    await alice.send_text("/buy odd")
    results = alice.last_bot_message()
    assert results is not None and results.buttons[0] == ["Odd Service"], alice.transcript()
    await alice.press("Odd Service")
    countries = alice.last_bot_message()
    assert countries is not None and "Odd Service" in countries.text, alice.transcript()
    await alice.press(countries.buttons[0][0])
    if alice.last_bot_message().find_buttons("Any operator"):  # type: ignore[union-attr]
        await alice.press("Any operator")
    await alice.press(alice.last_bot_message().buttons[0][0])  # type: ignore[union-attr]
    [bought] = [r for r in harness.sandbox.request_log if r.action == "getNumberV2"]
    assert bought.params["service"] == UNSAFE_SERVICE
    [row] = await live_activations(harness)
    assert row.service == UNSAFE_SERVICE
