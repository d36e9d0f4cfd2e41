"""A confirm screen's token can buy once, and only while the ledger says it is open: a crash
that brings back an older copy of PTB's user_data (written every minute) revives none.

The crash: PTB persistence is written (as its periodic job does), the user goes on, then the
bot stops and the ptb_state table is put back as it was at that write, as if the later writes
never reached the disk; the ledger keeps everything it committed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.fake_telegram import FakeUser
from bot.provider.sandbox.testing import ALICE_KEY
from tests.bot.conftest import (
    Harness,
    first_button_data,
    live_activations,
    provider_calls,
    start_bot,
    stop_bot,
    walk_to_confirm,
)

PAID = ("getNumber", "getNumberV2")
EXPIRED = "This menu has expired. Send /buy to start again."


async def _persist_now(harness: Harness) -> list[tuple[Any, ...]]:
    """PTB's periodic persistence run; returns what it left on disk."""
    await harness.application.update_persistence()
    rows = await harness.services.db.fetchall("SELECT * FROM ptb_state")
    return [tuple(row) for row in rows]


def _restore(harness: Harness, rows: list[tuple[Any, ...]]) -> None:
    """The stopped bot's ptb_state as it was at that run: the later writes were lost."""
    with sqlite3.connect(harness.settings.database) as conn:
        conn.execute("DELETE FROM ptb_state")
        conn.executemany("INSERT INTO ptb_state VALUES (?, ?, ?, ?, ?)", rows)
    conn.close()


async def test_a_confirm_answered_expired_before_a_crash_cannot_buy_after_the_restart(
    harness: Harness, alice: FakeUser
) -> None:
    """Finding 5: "This menu has expired" before SIGKILL, "Buying…" and a second number after."""
    old = await walk_to_confirm(harness, alice)
    data = first_button_data(old)
    on_disk = await _persist_now(harness)  # the old screen's draft, live, is what PTB wrote

    newer = await walk_to_confirm(harness, alice)  # a newer screen replaces it, and buys
    await alice.press(newer.buttons[0][0], newer)
    assert len(await live_activations(harness)) == 1
    query = await alice.press_data(data, old.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and answer.text == EXPIRED

    await stop_bot(harness)  # the crash: user_data since the last write is lost
    _restore(harness, on_disk)
    await start_bot(harness)
    query = await alice.press_data(data, old.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and answer.text == EXPIRED, alice.transcript()
    assert provider_calls(harness, *PAID) == 1, "one paid call: the old screen bought nothing"
    assert len(await live_activations(harness)) == 1
    assert harness.sandbox.balance(ALICE_KEY) == 1000 - (await live_activations(harness))[0].cost


async def test_a_used_confirm_stays_used_after_a_crash_that_lost_the_draft_s_done_flag(
    harness: Harness, alice: FakeUser
) -> None:
    confirm = await walk_to_confirm(harness, alice)
    data = first_button_data(confirm)
    on_disk = await _persist_now(harness)
    await alice.press(confirm.buttons[0][0], confirm)
    assert len(await live_activations(harness)) == 1

    await stop_bot(harness)
    _restore(harness, on_disk)
    await start_bot(harness)
    query = await alice.press_data(data, confirm.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "already used" in (answer.text or ""), alice.transcript()
    assert provider_calls(harness, *PAID) == 1
    assert len(await live_activations(harness)) == 1
