"""RentWatcher and RentService against the sandbox over loopback, with the real SQLite ledger.

The bot's services are built by the composition root (``harness``), but no Telegram update is
involved: these tests call the services as the handlers and the background loop do.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

from bot.provider.sandbox.testing import ALICE_KEY, BOB_KEY
from bot.services.rents import ExtensionKind, RentRequest, RentStatusKind
from storage.rents import Rent, RentState
from tests.bot.conftest import Harness, harness, telegram

__all__ = ["harness", "telegram"]  # the fixtures, shared with the bot tests

USER = 1001


async def _rent(harness: Harness, key: str = "t1", hours: int = 4) -> Rent:
    await harness.services.accounts.set_key(USER, ALICE_KEY)
    request = RentRequest(
        service="full", hours=hours, country=0, operator=None, shown_price=Decimal("10")
    )
    result = await harness.services.renting.rent(USER, USER, request, key)
    assert result.status is RentStatusKind.RENTED and result.rent is not None
    return result.rent


def _calls(harness: Harness, action: str) -> int:
    return sum(1 for r in harness.sandbox.request_log if r.action == action)


async def _events(harness: Harness, kind: str) -> list[dict[str, object]]:
    rows = await harness.services.db.fetchall(
        "SELECT payload FROM events WHERE kind = ? ORDER BY id", (kind,)
    )
    return [json.loads(row[0]) for row in rows]


async def test_each_sms_is_recorded_once_however_many_ticks(harness: Harness) -> None:
    rent = await _rent(harness)
    watcher = harness.services.rent_watcher
    rent_id = int(rent.rent_id)  # type: ignore[arg-type]
    harness.sandbox.deliver_rent_sms(rent_id, "one", phone_from="A")
    harness.sandbox.advance(5)
    harness.sandbox.deliver_rent_sms(rent_id, "two", phone_from="B")
    first = await watcher.tick()
    assert (first.provider_calls, first.new_sms) == (1, 2)
    harness.sandbox.advance(5)
    harness.sandbox.deliver_rent_sms(rent_id, "one", phone_from="A")  # same text, later: new
    reports = [await watcher.tick() for _ in range(3)]
    assert [r.new_sms for r in reports] == [1, 0, 0]
    texts = [e["text"] for e in await _events(harness, "rent_sms")]
    assert texts == ["one", "two", "one"], "oldest first, each once"


async def test_the_provider_says_how_a_rent_ended(harness: Harness) -> None:
    early = await _rent(harness, "a")
    late = await _rent(harness, "b")
    harness.sandbox.rents.set_status(harness.sandbox.rent(int(early.rent_id)), "1")  # type: ignore[arg-type]
    report = await harness.services.rent_watcher.tick()
    assert report.ended == 1
    assert (await harness.services.rents.get(early.ledger_id)).state is RentState.FINISHED  # type: ignore[union-attr]
    harness.sandbox.advance(4 * 3600 + 1)
    await harness.services.rent_watcher.tick()
    assert (await harness.services.rents.get(late.ledger_id)).state is RentState.EXPIRED  # type: ignore[union-attr]
    assert [e["why"] for e in await _events(harness, "rent_ended")] == ["finished", "expired"]
    assert (await harness.services.rent_watcher.tick()).provider_calls == 0  # nothing live


async def test_a_failing_provider_is_backed_off_and_nothing_is_lost(harness: Harness) -> None:
    rent = await _rent(harness)
    harness.sandbox.deliver_rent_sms(int(rent.rent_id), "kept")  # type: ignore[arg-type]
    harness.sandbox.inject_fault("getRentStatus", "garbage", count=1)  # not retried
    watcher = harness.services.rent_watcher
    assert (await watcher.tick()).errors == 1
    assert (await watcher.tick()).provider_calls == 0  # backed off
    harness.sandbox.advance(3)
    report = await watcher.tick()
    assert (report.provider_calls, report.new_sms) == (1, 1)


async def test_extension_with_a_lost_answer_is_settled_by_the_provider_not_retried(
    harness: Harness,
) -> None:
    rent = await _rent(harness)
    renting = harness.services.renting
    harness.sandbox.inject_fault("continueRentNumber", "drop", count=1, after=True)
    result = await renting.extend(USER, rent.ledger_id, 12, Decimal("5"), "x1")
    assert result.status is ExtensionKind.UNRESOLVED
    # Another extension while this one is unsettled could pay twice: refused unasked.
    again = await renting.extend(USER, rent.ledger_id, 12, Decimal("5"), "x2")
    assert again.status is ExtensionKind.UNRESOLVED
    assert _calls(harness, "continueRentNumber") == 1
    harness.sandbox.advance(4 * 3600 + 120)  # past the old end: the provider still runs it
    await harness.services.rent_watcher.tick()
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.ACTIVE
    assert row.end_date == rent.end_date + 12 * 3600  # type: ignore[operator]
    assert await harness.services.rents.open_extensions(rent.ledger_id) == []
    assert _calls(harness, "continueRentNumber") == 1
    assert await _events(harness, "rent_extension_settled") == [
        {"ledger_id": rent.ledger_id, "extended": True}
    ]


async def test_extension_that_never_happened_is_failed_when_the_rent_ends(
    harness: Harness,
) -> None:
    rent = await _rent(harness)
    harness.sandbox.inject_fault("continueRentNumber", "http_500", count=1)
    result = await harness.services.renting.extend(USER, rent.ledger_id, 12, Decimal("5"), "x1")
    assert result.status is ExtensionKind.UNRESOLVED
    harness.sandbox.advance(4 * 3600 + 120)
    await harness.services.rent_watcher.tick()
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.EXPIRED
    [extension] = await harness.services.rents.extensions(rent.ledger_id)
    assert extension.state == "failed"
    assert await _events(harness, "rent_extension_settled") == [
        {"ledger_id": rent.ledger_id, "extended": False}
    ]


async def test_reminder_once_per_end_date(harness: Harness) -> None:
    rent = await _rent(harness)
    watcher = harness.services.rent_watcher
    assert (await watcher.tick()).reminders == 0  # hours left: too early
    harness.sandbox.advance(4 * 3600 - 20 * 60)
    assert [(await watcher.tick()).reminders for _ in range(3)] == [1, 0, 0]
    extended = await harness.services.renting.extend(USER, rent.ledger_id, 4, Decimal("5"), "e")
    assert extended.status is ExtensionKind.EXTENDED
    assert (await watcher.tick()).reminders == 0
    harness.sandbox.advance(4 * 3600)
    assert (await watcher.tick()).reminders == 1
    assert len(await _events(harness, "rent_reminder")) == 2


async def test_the_same_confirmation_rents_once(harness: Harness) -> None:
    await _rent(harness, "same")
    request = RentRequest(
        service="full", hours=4, country=0, operator=None, shown_price=Decimal("10")
    )
    again = await harness.services.renting.rent(USER, USER, request, "same")
    assert again.status is RentStatusKind.DUPLICATE
    assert _calls(harness, "getRentNumber") == 1


def _forget_rent_once(harness: Harness) -> None:
    """The next getRentStatus answers NO_ID_RENT, as a provider that dropped the rent would."""
    harness.sandbox.inject_fault(
        "getRentStatus",
        "reply",
        count=1,
        body='{"status":"error","message":"NO_ID_RENT"}',
        content_type="application/json",
    )


async def test_a_rent_the_provider_forgot_after_its_end_is_over_not_before(
    harness: Harness,
) -> None:
    rent = await _rent(harness)
    watcher = harness.services.rent_watcher
    _forget_rent_once(harness)
    assert (await watcher.tick()).ended == 0
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.ACTIVE
    harness.sandbox.advance(4 * 3600 + 600)
    _forget_rent_once(harness)
    assert (await watcher.tick()).ended == 1
    assert harness.sandbox.request_log[-1].fault is not None, "ended on NO_ID_RENT"
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state is RentState.EXPIRED


async def test_a_slow_rent_poll_is_carried_over_and_holds_no_other_rent_back(
    harness: Harness,
) -> None:
    """A tick moves on at its deadline: the slow poll runs on (never started twice), its key
    is rested and its owner told once, and another user's rent is polled meanwhile."""
    slow = await _rent(harness, "slow")
    await harness.services.accounts.set_key(2002, BOB_KEY)
    request = RentRequest(
        service="full", hours=4, country=0, operator=None, shown_price=Decimal("10")
    )
    other = await harness.services.renting.rent(2002, 2002, request, "other")
    assert other.rent is not None
    harness.sandbox.deliver_rent_sms(int(other.rent.rent_id), "meanwhile")  # type: ignore[arg-type]
    # Only the slow rent's poll is made slow: it goes first, its key polled alone.
    harness.sandbox.inject_fault("getRentStatus", "slow", count=1, delay=3.0)
    watcher = harness.services.rent_watcher
    loop = asyncio.get_running_loop()
    started = loop.time()
    first = await watcher.tick(deadline=0.6)
    assert loop.time() - started < 2.0  # not the 3 s of the slow poll
    assert first.slow == 1
    second = await watcher.tick(deadline=0.6)
    assert second.carried == 1  # the slow poll still runs; not started again
    assert [e["text"] for e in await _events(harness, "rent_sms")] == ["meanwhile"]
    notices = await harness.services.db.fetchall(
        "SELECT user_id, payload FROM events WHERE kind = 'provider_slow'"
    )
    assert [row[0] for row in notices] == [USER]
    assert slow.provider in notices[0][1]
    await asyncio.sleep(3.2)  # the slow poll ends
    statuses = [r for r in harness.sandbox.request_log if r.action == "getRentStatus"]
    assert [r.fault for r in statuses].count("slow") == 1  # the slow rent asked once
    assert len(statuses) == 3  # and the other one at each tick
