"""Failures a user or operator would notice: restarts, floods, blocked users, provider faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from storage.activations import ActivationState
from tests.bot.conftest import (
    BotWith,
    Harness,
    alice_keyed_under_debug_logs,
    assert_key_leaked_nowhere,
    bought_number,
    buy_first_offer,
    live_activations,
    restart_bot,
    sms_arrives,
    start_bot,
    stop_bot,
    with_key,
)


async def test_restart_restores_watching_and_pushes_the_code_once(
    harness: Harness, alice: FakeUser, tmp_path: Path
) -> None:
    activation = await bought_number(harness, alice)
    # The bot goes away (its in-memory state with it); the SMS arrives while it is down.
    await stop_bot(harness)
    harness.sandbox.deliver_sms(int(activation.activation_id), "Code 777999")  # type: ignore[arg-type]

    services = await start_bot(harness)
    await services.reconciler.reconcile(min_age=0)
    await harness.poll()
    await harness.poll()
    new_messages = [m for m in alice.chat() if m.from_bot and m.text.startswith("🔑 777999")]
    assert len(new_messages) == 1, alice.transcript()
    # The old activation message's buttons still work after the restart.
    await alice.press("✅ Finish")
    row = await services.activations.get(activation.ledger_id)
    assert row is not None and row.state is ActivationState.FINISHED


async def test_telegram_flood_limit_delays_a_code_but_never_drops_it(
    harness: Harness, alice: FakeUser
) -> None:
    activation = await bought_number(harness, alice)
    harness.telegram.flood.force(1, calls=3, methods=["sendMessage"])
    harness.sandbox.deliver_sms(int(activation.activation_id), "Code 424242")  # type: ignore[arg-type]
    await harness.poll()  # 429, a retry, 429: deferred
    assert not [m for m in alice.chat() if m.text.startswith("🔑 424242")]
    harness.sandbox.advance(5)
    await harness.services.notifier.drain()
    pushed = [m for m in alice.chat() if m.text.startswith("🔑 424242")]
    assert len(pushed) == 1, alice.transcript()


async def test_a_user_who_blocked_the_bot_does_not_stall_anyone_else(
    harness: Harness, alice: FakeUser, bob: FakeUser
) -> None:
    await buy_first_offer(harness, alice)
    await buy_first_offer(harness, bob)
    [a] = await live_activations(harness, 1001)
    [b] = await live_activations(harness, 2002)
    await alice.block_bot()
    harness.sandbox.deliver_sms(int(a.activation_id), "Code 111000")  # type: ignore[arg-type]
    await sms_arrives(harness, b, "Code 222000")
    assert [m for m in bob.chat() if m.text.startswith("🔑 222000")], bob.transcript()
    assert await harness.services.outbox.pending() == []  # alice's event set aside, not retried


@pytest.mark.parametrize("kind", ["http_500", "html", "garbage"])
async def test_provider_fault_during_purchase_is_reconciled_not_guessed(
    harness: Harness, alice: FakeUser, kind: str
) -> None:
    harness.sandbox.inject_fault("getNumberV2", kind, count=1)
    await buy_first_offer(harness, alice)
    purchases = [r for r in harness.sandbox.request_log if r.action in ("getNumber", "getNumberV2")]
    assert len(purchases) == 1, "a paid call is never retried"
    # The fault came before the provider acted: reconciliation finds nothing, says not bought.
    assert await live_activations(harness) == []
    assert "no number was bought" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]


async def test_reply_lost_after_the_provider_sold_the_number_is_found_again(
    harness: Harness, alice: FakeUser
) -> None:
    harness.sandbox.inject_fault("getNumberV2", "drop", count=1, after=True)
    await buy_first_offer(harness, alice)
    purchases = [r for r in harness.sandbox.request_log if r.action in ("getNumber", "getNumberV2")]
    assert len(purchases) == 1
    [activation] = await live_activations(harness)
    assert activation.phone
    assert "Waiting for the SMS" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]


async def test_provider_garbage_while_polling_loses_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    activation = await bought_number(harness, alice)
    harness.sandbox.deliver_sms(int(activation.activation_id), "Code 313131")  # type: ignore[arg-type]
    harness.sandbox.inject_fault("getActiveActivations", "garbage", count=1)
    await harness.poll()  # garbage: nothing recorded, nothing lost
    assert not [m for m in alice.chat() if m.text.startswith("🔑 313131")]
    harness.sandbox.advance(5)  # past the failing key's back-off
    await harness.poll()
    assert len([m for m in alice.chat() if m.text.startswith("🔑 313131")]) == 1


async def test_only_allowed_users_may_use_the_bot(bot_with: BotWith) -> None:
    async with bot_with(SMSBOT_ALLOWED_USERS="1001") as harness:
        stranger = harness.user(3003, "Eve")
        await stranger.send_text("/buy")
        assert "private" in stranger.last_bot_message().text  # type: ignore[union-attr]
        alice = harness.user(1001, "Alice")
        await alice.send_text("/start")
        assert "phone numbers" in alice.last_bot_message().text  # type: ignore[union-attr]


async def test_the_api_key_is_in_no_log_no_database_byte_and_nothing_telegram_got(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await alice_keyed_under_debug_logs(harness, caplog)
    await alice.send_text(f"/key {ALICE_KEY}")  # the inline form, too
    activation = await bought_number(harness, alice)
    await sms_arrives(harness, activation, "Code 909090")
    await alice.press("✅ Finish")
    await assert_key_leaked_nowhere(harness, caplog)
    assert all(ALICE_KEY not in m.text for m in alice.chat() if m.from_bot)


async def test_a_purchase_settled_later_is_reported_to_its_user(harness: Harness) -> None:
    from bot.lifecycle import reconcile_and_report

    alice = harness.user()
    await with_key(harness, alice)
    # Sold, the reply lost, and the immediate check garbled: the outcome stays open.
    harness.sandbox.inject_fault("getNumberV2", "drop", count=1, after=True)
    harness.sandbox.inject_fault("getActiveActivations", "garbage", count=1)
    await buy_first_offer(harness, alice)
    assert "did not answer clearly" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    await reconcile_and_report(harness.services, min_age=0)
    await harness.services.notifier.drain()
    last = alice.last_bot_message()
    assert last is not None and "confirmed your earlier purchase" in last.text, alice.transcript()
    [row] = await live_activations(harness)
    assert last.message_id == row.message_id  # pushes now update this message
    await reconcile_and_report(harness.services, min_age=0)  # nothing new: no second message
    await harness.services.notifier.drain()
    assert alice.last_bot_message().message_id == last.message_id  # type: ignore[union-attr]


async def test_after_a_restart_the_first_tick_reads_every_key_in_one_batch(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of keys are read at once when the watcher starts, not one query each; and
    from then on they are kept ready, so later ticks read none."""
    from storage.vault import KeyVault

    for user_id, key in ((1001, ALICE_KEY), (1002, BOB_KEY)):
        user = harness.user(user_id, f"user{user_id}")
        await with_key(harness, user, key)
        await buy_first_offer(harness, user)
    await restart_bot(harness)
    reads: list[str] = []
    original_get, original_many = KeyVault.get, KeyVault.get_many

    async def get(self: KeyVault, user_id: int, provider: str) -> object:
        reads.append("one")
        return await original_get(self, user_id, provider)

    async def get_many(self: KeyVault, pairs: object, **kwargs: object) -> object:
        reads.append("many")
        return await original_many(self, pairs, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KeyVault, "get", get)
    monkeypatch.setattr(KeyVault, "get_many", get_many)
    report = await harness.services.watcher.tick()
    assert report.keys == 2 and report.errors == 0
    assert reads == ["many"]
    await harness.services.watcher.tick()
    assert reads == ["many"]  # kept ready: the second tick reads no key
