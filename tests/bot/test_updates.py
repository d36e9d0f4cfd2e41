"""The update processor: one shared slot per user at most, a capped queue per user, and
updates without a user still processed."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.updates import PerUserUpdateProcessor


def _message(update_id: int, user_id: int | None) -> Update:
    data: dict[str, object] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id or -100, "type": "private" if user_id else "channel"},
            "text": "/balance",
        },
    }
    if user_id is not None:
        data["message"]["from"] = {"id": user_id, "is_bot": False, "first_name": "U"}  # type: ignore[index]
    else:
        data["channel_post"] = data.pop("message")
    update = Update.de_json(data, None)
    assert update is not None
    return update


async def test_one_users_queue_takes_one_slot_and_the_excess_is_answered_busy() -> None:
    busy: list[int] = []

    async def answer_busy(update: Update) -> None:
        busy.append(update.update_id)

    processor = PerUserUpdateProcessor(2, max_queued_per_user=4, answer_busy=answer_busy)
    hold = asyncio.Event()
    done: list[int] = []

    async def work(update_id: int, *, wait: bool) -> None:
        if wait:
            await hold.wait()
        done.append(update_id)

    hostile = [
        asyncio.create_task(processor.process_update(_message(i, 7), work(i, wait=True)))
        for i in range(1, 11)
    ]
    await asyncio.sleep(0.05)
    others = [
        processor.process_update(_message(100, 8), work(100, wait=False)),
        processor.process_update(_message(101, None), work(101, wait=False)),
    ]
    await asyncio.wait_for(asyncio.gather(*others), 2)
    assert done == [100, 101]  # neither waited for the hostile user's held updates
    assert busy == [5]  # updates 5 to 10 were over the cap; one "busy" message told them
    hold.set()
    await asyncio.wait_for(asyncio.gather(*hostile), 2)
    assert done[2:] == [1, 2, 3, 4]  # the held ones ran, in order
