"""Two notifiers on one PostgreSQL (two processes, issue 15): each event sent once, in order."""

from __future__ import annotations

import asyncio
import random

from bot.core.clock import ManualClock
from bot.services.notifier import Notifier
from storage.db import Database
from storage.events import Event, EventOutbox, shard_of


class _Recording:
    def __init__(self, sent: list[tuple[int, int]]) -> None:
        self._sent = sent

    async def deliver(self, event: Event) -> None:
        await asyncio.sleep(random.uniform(0, 0.003))
        self._sent.append((event.chat_id, event.event_id))


async def test_two_notifiers_send_each_event_once_and_each_chat_in_order(
    db_target: str,
) -> None:
    clock = ManualClock(start=1_700_000_000.0)
    first = await Database.open(db_target, clock=clock, pool_size=4)
    second = first if not db_target.startswith("postgres") else await Database.open(
        db_target, clock=clock, pool_size=4
    )
    try:
        outbox = EventOutbox(first)
        for n in range(5):
            for chat in range(30):
                await outbox.add(
                    kind="sms", user_id=chat, chat_id=chat, payload={}, dedup_key=f"{chat}:{n}"
                )
        sent: list[tuple[int, int]] = []
        notifiers = [
            Notifier(EventOutbox(db), _Recording(sent), clock=clock, owner=name, batch=10)
            for db, name in ((first, "A"), (second, "B"))
        ]
        await asyncio.gather(*(n.drain() for n in notifiers), *(n.drain() for n in notifiers))
        assert len(sent) == 150 and len(set(sent)) == 150
        for chat in range(30):
            ids = [event_id for c, event_id in sent if c == chat]
            assert ids == sorted(ids)
        assert await outbox.depth() == 0
    finally:
        await first.close()
        if second is not first:
            await second.close()


async def test_a_notifier_serves_only_the_shards_it_owns(db: Database, clock: ManualClock) -> None:
    outbox = EventOutbox(db)
    for user in (1, 2):
        await outbox.add(kind="sms", user_id=user, chat_id=user, payload={}, dedup_key=str(user))
    sent: list[tuple[int, int]] = []
    owned = frozenset({shard_of(2)})
    notifier = Notifier(outbox, _Recording(sent), clock=clock, owned=lambda: owned)
    assert await notifier.drain() == 1
    assert [chat for chat, _ in sent] == [2]
    assert await outbox.depth() == 1  # user 1's event waits for its shard's owner
