"""One update reads its user's row once: a crowd of updates queues less for the one reader."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fake_telegram import FakeUser
from storage.sqlite import SQLiteDatabase
from tests.bot.conftest import Harness


@pytest.fixture
def user_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    # The harness's engine: its fetchone reads through its own fetchall (the abstract
    # Database.fetchall, patched before, is never called, so nothing was counted).
    original = SQLiteDatabase.fetchall

    async def fetchall(self: SQLiteDatabase, sql: str, params: Any = ()) -> Any:
        if "FROM users" in sql:
            reads.append(sql)
        return await original(self, sql, params)

    monkeypatch.setattr(SQLiteDatabase, "fetchall", fetchall)
    return reads


async def test_a_press_on_the_buy_picker_reads_the_users_row_once(
    alice: FakeUser, user_reads: list[str]
) -> None:
    await alice.send_text("/buy")
    user_reads.clear()
    await alice.press("Telegram")
    assert "country" in alice.transcript().lower()
    assert len(user_reads) == 1, user_reads


async def test_a_language_changed_in_an_update_is_what_that_update_answers_in(
    harness: Harness,
) -> None:
    alice = harness.user(language="en")
    await alice.send_text("/lang")
    await alice.press("Español")
    assert "Idioma: español" in alice.transcript()
    row = await harness.services.users.get(alice.id)
    assert row is not None and row.language == "es"
    await alice.send_text("/lang")  # the next update reads the written row, not a kept one
    last = alice.last_bot_message()
    assert last is not None and last.text.startswith("Elige tu idioma"), alice.transcript()
