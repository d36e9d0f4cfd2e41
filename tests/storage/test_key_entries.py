"""KeyEntries: a pending /key step per user, bound to its chat, lapsing, surviving a reopen."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from storage.db import Database
from storage.key_entries import KeyEntries


async def test_a_step_holds_in_its_chat_only_until_it_lapses(
    db: Database, clock: ManualClock
) -> None:
    entries = KeyEntries(db)
    await entries.open(7, 7, ttl=600)
    assert await entries.is_open(7, 7)
    assert not await entries.is_open(7, -100)  # a group the user also writes in
    assert not await entries.is_open(8, 7)
    clock.advance(600)
    assert not await entries.is_open(7, 7)
    assert await entries.close(7)  # a lapsed row is still cleared
    assert not await entries.close(7)


async def test_a_step_survives_a_restart_and_is_known_as_found_not_opened(
    db_path: Path, clock: ManualClock
) -> None:
    async with await Database.open(db_path, clock=clock) as first:
        entries = KeyEntries(first)
        await entries.open(7, 7, ttl=600)
        assert entries.opened_here(7)
    async with await Database.open(db_path, clock=clock) as second:
        entries = KeyEntries(second)
        assert await entries.is_open(7, 7)
        assert not entries.opened_here(7)
        await entries.close(7)
        assert not await entries.is_open(7, 7)
