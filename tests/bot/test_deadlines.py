"""Deadlines: the provider's word wins, an assumed one is shown as such and never cancels a
number early (issue 16.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.fake_telegram import FakeUser
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.sandbox.testing import ALICE_KEY
from bot.services.purchases import PurchaseRequest, PurchaseStatus
from storage.activations import ActivationState
from tests.bot.conftest import Harness, live_activations, provider_calls, with_key


async def bought(harness: Harness, service: str, name: str) -> int:
    """A number for ``service`` in Russia bought for Alice and shown by /active; its ledger id."""
    alice = harness.user()
    result = await harness.services.purchases.buy(
        alice.id, alice.id, PurchaseRequest(service, 0, None, Decimal("50"), service_name=name),
        f"deadline-{service}",
    )
    assert result.status is PurchaseStatus.BOUGHT and result.activation is not None
    await alice.send_text("/active")
    return result.activation.ledger_id


def hhmm(unix: float) -> str:
    return datetime.fromtimestamp(unix, tz=UTC).strftime("%H:%M")


async def test_an_instagram_number_lives_its_hour_and_is_cancelled_only_near_its_end(
    harness: Harness, alice: FakeUser
) -> None:
    """getNumberV2 without an end time (the classic reply): the bot assumes the service's
    lifetime, which for Instagram is an hour at the sandbox as at the providers, not 20 min."""
    balance = harness.sandbox.balance(ALICE_KEY)
    ledger_id = await bought(harness, "ig", "Instagram")
    row = await harness.services.activations.get(ledger_id)
    assert row is not None and row.activation_id is not None
    provider_end = harness.sandbox.activation(int(row.activation_id)).deadline
    card = alice.last_bot_message()
    assert card is not None and f"≈ {hhmm(provider_end)}" in card.text, card.text
    harness.sandbox.advance(41 * 60)  # the old 20-minute assumption is long past
    await harness.poll()
    assert provider_calls(harness, "setStatus") == 0, "cancelled 19 minutes early"
    assert len(await live_activations(harness)) == 1
    harness.sandbox.advance(assumed_lifetime("ig") - 41 * 60 - 60)  # a minute before its end
    await harness.poll()
    assert await live_activations(harness) == []
    assert harness.sandbox.balance(ALICE_KEY) == balance
    assert "cancelled it before it expired" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_the_providers_end_time_is_shown_exactly(harness: Harness) -> None:
    harness.sandbox.configure(getnumberv2_format="new")  # the reply carries activationEndTime
    alice = harness.user()
    await with_key(harness, alice)
    ledger_id = await bought(harness, "tg", "Telegram")
    row = await harness.services.activations.get(ledger_id)
    assert row is not None and row.activation_id is not None and not row.deadline_assumed
    provider_end = harness.sandbox.activation(int(row.activation_id)).deadline
    assert row.deadline is not None and abs(row.deadline - provider_end) < 1  # whole seconds
    card = alice.last_bot_message()
    assert card is not None and hhmm(provider_end) in card.text and "≈" not in card.text


async def test_an_assumed_deadline_alone_never_cancels(harness: Harness, alice: FakeUser) -> None:
    """Where the provider's list cannot be read, the local clock alone cancels nothing: the
    provider ends the number at its own deadline, with the refund, and the user is told."""
    balance = harness.sandbox.balance(ALICE_KEY)
    ledger_id = await bought(harness, "tg", "Telegram")
    harness.sandbox.inject_fault("getActiveActivations", "reply", body="BAD_ACTION")
    harness.sandbox.advance(assumed_lifetime("tg") - 60)
    await harness.poll()
    assert provider_calls(harness, "setStatus") == 0
    assert len(await live_activations(harness)) == 1
    harness.sandbox.advance(120)  # past the provider's own deadline
    await harness.poll()
    row = await harness.services.activations.get(ledger_id)
    assert row is not None and row.state is ActivationState.EXPIRED
    assert harness.sandbox.balance(ALICE_KEY) == balance
