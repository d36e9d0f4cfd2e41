"""EventOutbox: stored once, delivered once, deferred for flood limits, atomic with its fact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from storage.activations import ActivationLedger
from storage.db import Database
from storage.events import EventOutbox


async def _add(outbox: EventOutbox, key: str, chat_id: int = 10) -> int | None:
    return await outbox.add(
        kind="sms", user_id=1, chat_id=chat_id, payload={"code": key, "n": [1, 2]}, dedup_key=key
    )


async def test_an_event_is_stored_once_per_dedup_key(db: Database) -> None:
    outbox = EventOutbox(db)
    first = await _add(outbox, "sms:1:1:1234")
    assert first is not None
    assert await _add(outbox, "sms:1:1:1234") is None
    [event] = await outbox.pending()
    assert (event.event_id, event.payload) == (first, {"code": "sms:1:1:1234", "n": [1, 2]})
    # Even once delivered, the same fact does not come back as a new event.
    await outbox.mark_delivered(first)
    assert await _add(outbox, "sms:1:1:1234") is None


async def test_delivery_is_marked_exactly_once(db: Database) -> None:
    outbox = EventOutbox(db)
    first, second = await _add(outbox, "a"), await _add(outbox, "b")
    assert first is not None and second is not None
    assert [e.event_id for e in await outbox.pending()] == [first, second]
    assert await outbox.mark_delivered(first) is True
    assert await outbox.mark_delivered(first) is False  # a second notifier cannot count it too
    assert [e.event_id for e in await outbox.pending()] == [second]
    assert await outbox.defer(first, 0) is False  # settled events stay settled


async def test_a_deferred_event_waits_for_its_time(db: Database, clock: ManualClock) -> None:
    outbox = EventOutbox(db)
    event_id = await _add(outbox, "a")
    assert event_id is not None
    assert await outbox.defer(event_id, clock.now() + 30, error="429 retry after 30")
    assert await outbox.pending() == []
    clock.advance(30)
    [event] = await outbox.pending()
    assert (event.attempts, event.last_error) == (1, "429 retry after 30")
    assert await outbox.pending(now=clock.now() - 1) == []


async def test_an_abandoned_event_is_not_offered_again(db: Database) -> None:
    outbox = EventOutbox(db)
    event_id = await _add(outbox, "a")
    assert event_id is not None
    assert await outbox.abandon(event_id, "Forbidden: bot was blocked by the user")
    assert await outbox.pending() == []
    assert await outbox.mark_delivered(event_id) is False


async def test_pending_respects_the_limit_in_order(db: Database) -> None:
    outbox = EventOutbox(db)
    ids = [await _add(outbox, str(n)) for n in range(5)]
    assert [e.event_id for e in await outbox.pending(limit=3)] == ids[:3]


async def test_prune_removes_only_old_settled_events(db: Database, clock: ManualClock) -> None:
    outbox = EventOutbox(db)
    old, kept = await _add(outbox, "old"), await _add(outbox, "undelivered")
    assert old is not None and kept is not None
    await outbox.mark_delivered(old)
    clock.advance(86_400)
    assert await outbox.prune_delivered(before=clock.now()) == 1
    assert [e.event_id for e in await outbox.pending()] == [kept]


async def test_an_sms_and_its_event_commit_together_or_not_at_all(db: Database) -> None:
    ledger, outbox = ActivationLedger(db), EventOutbox(db)
    intent = await ledger.record_intent(
        idempotency_key="k", user_id=1, chat_id=10, provider="p", service="tg"
    )
    activation = await ledger.confirm_intent(
        intent, activation_id="9", phone="1", cost=Decimal(1), deadline=None
    )

    async def see_code() -> None:
        async with db.transaction():
            if await ledger.record_sms(activation.ledger_id, code="4321", text=None):
                await outbox.add(
                    kind="sms",
                    user_id=1,
                    chat_id=10,
                    payload={"code": "4321"},
                    dedup_key=f"sms:{activation.ledger_id}:1:4321",
                )

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await see_code()
            raise RuntimeError("the process dies before the commit")
    assert await ledger.codes(activation.ledger_id) == [] and await outbox.pending() == []

    await see_code()  # the next poll sees the code again
    await see_code()  # and again
    assert len(await ledger.codes(activation.ledger_id)) == 1
    assert len(await outbox.pending()) == 1


async def test_payloads_must_be_plain_json(db: Database) -> None:
    outbox = EventOutbox(db)
    with pytest.raises(TypeError, match="Decimal"):
        await outbox.add(
            kind="k", user_id=1, chat_id=1, payload={"cost": Decimal(1)}, dedup_key="k"
        )
    assert await outbox.pending() == []


async def test_a_flood_limit_holds_back_the_whole_chat_in_order(
    db: Database, clock: ManualClock
) -> None:
    outbox = EventOutbox(db)
    first, second = await _add(outbox, "a", chat_id=10), await _add(outbox, "b", chat_id=10)
    other = await _add(outbox, "c", chat_id=20)
    assert await outbox.defer_chat(10, clock.now() + 5, error="429") == 2
    assert [e.event_id for e in await outbox.pending()] == [other]
    clock.advance(5)
    assert [e.event_id for e in await outbox.pending()] == [other, first, second]
