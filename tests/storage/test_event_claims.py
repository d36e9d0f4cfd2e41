"""Outbox claims (issue 15): one sender per event, each chat in order, across processes."""

from __future__ import annotations

import asyncio

import asyncpg

from bot.core.clock import ManualClock
from storage.db import Database
from storage.events import NOTIFY_CHANNEL, EventOutbox, shard_of


async def _add(outbox: EventOutbox, key: str, chat_id: int = 10, user_id: int = 1) -> int:
    event_id = await outbox.add(
        kind="sms", user_id=user_id, chat_id=chat_id, payload={"k": key}, dedup_key=key
    )
    assert event_id is not None
    return event_id


async def test_only_the_oldest_unsettled_event_of_a_chat_is_claimed(
    db: Database, clock: ManualClock
) -> None:
    outbox = EventOutbox(db)
    first, second = await _add(outbox, "a"), await _add(outbox, "b")
    other = await _add(outbox, "c", chat_id=11)
    until = clock.now() + 10
    claimed = await outbox.claim("A", until)
    assert sorted(e.event_id for e in claimed) == [first, other]
    # Nothing is left for a second process: one event in flight per chat, each claimed once.
    assert await outbox.claim("B", until) == []
    assert await outbox.mark_delivered(first)
    [event] = await outbox.claim("B", until)
    assert event.event_id == second


async def test_a_claim_that_runs_out_is_taken_by_another_process(
    db: Database, clock: ManualClock
) -> None:
    outbox = EventOutbox(db)
    event_id = await _add(outbox, "a")
    assert [e.event_id for e in await outbox.claim("A", clock.now() + 5)] == [event_id]
    clock.advance(4)
    assert await outbox.claim("B", clock.now() + 5) == []
    clock.advance(1)  # process A died mid-send: its claim runs out
    assert [e.event_id for e in await outbox.claim("B", clock.now() + 5)] == [event_id]


async def test_claims_follow_the_shards_asked_for(db: Database, clock: ManualClock) -> None:
    outbox = EventOutbox(db)
    mine = await _add(outbox, "a", chat_id=1, user_id=65)
    await _add(outbox, "b", chat_id=2, user_id=2)
    claimed = await outbox.claim("A", clock.now() + 5, shards=frozenset({shard_of(65)}))
    assert [e.event_id for e in claimed] == [mine]
    assert await outbox.claim("A", clock.now() + 5, shards=frozenset()) == []


async def test_a_deferred_chat_releases_its_claim_and_keeps_its_order(
    db: Database, clock: ManualClock
) -> None:
    outbox = EventOutbox(db)
    first, _ = await _add(outbox, "a"), await _add(outbox, "b")
    await outbox.claim("A", clock.now() + 60)
    await outbox.defer_chat(10, clock.now() + 3, error="429")
    clock.advance(3)
    [event] = await outbox.claim("B", clock.now() + 60)
    assert event.event_id == first


async def test_two_processes_claiming_at_once_never_share_an_event(db_target: str) -> None:
    if not db_target.startswith("postgres"):
        return  # one SQLite process has one writer: nothing can race
    clock = ManualClock(start=1_700_000_000.0)
    first = await Database.open(db_target, clock=clock, pool_size=4)
    second = await Database.open(db_target, clock=clock, pool_size=4)
    try:
        outboxes = [EventOutbox(first), EventOutbox(second)]
        for chat in range(40):
            for n in range(3):
                await _add(outboxes[0], f"{chat}:{n}", chat_id=chat)
        seen: list[tuple[int, int]] = []

        async def drain(outbox: EventOutbox, owner: str) -> None:
            while True:
                claimed = await outbox.claim(owner, clock.now() + 60, limit=7)
                if not claimed:
                    if await outbox.depth() == 0:
                        return
                    await asyncio.sleep(0.001)
                    continue
                for event in claimed:
                    seen.append((event.chat_id, event.event_id))
                    assert await outbox.mark_delivered(event.event_id)

        await asyncio.wait_for(
            asyncio.gather(*(drain(o, name) for o, name in zip(outboxes, "AB", strict=True))), 30
        )
        assert len(seen) == 120 and len(set(seen)) == 120  # each event sent once
        for chat in range(40):
            ids = [event_id for c, event_id in seen if c == chat]
            assert ids == sorted(ids)  # and each chat in order
    finally:
        await first.close()
        await second.close()


async def test_an_added_event_notifies_listeners_at_commit(db_target: str) -> None:
    if not db_target.startswith("postgres"):
        return
    db = await Database.open(db_target, pool_size=2)
    listener = await asyncpg.connect(db_target)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: heard.put_nowait(args[3]))
    try:
        outbox = EventOutbox(db)
        async with db.transaction():
            await _add(outbox, "a", user_id=130)
            await asyncio.sleep(0.2)
            assert heard.empty()  # not before the commit
        assert await asyncio.wait_for(heard.get(), 5) == str(shard_of(130))
        repeat = await outbox.add(
            kind="sms", user_id=130, chat_id=10, payload={"k": "a"}, dedup_key="a"
        )
        assert repeat is None  # a repeat adds nothing and says nothing
        await asyncio.sleep(0.2)
        assert heard.empty()
    finally:
        await listener.close()
        await db.close()
