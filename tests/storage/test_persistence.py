"""SQLitePersistence: PTB state round-trips through a reopen; secrets and objects are refused."""

from __future__ import annotations

import enum
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.telegram.persistence import SQLitePersistence
from storage.db import Database


class BuyState(enum.IntEnum):
    CHOOSE_COUNTRY = 2


async def test_everything_round_trips_through_a_reopen(db_path: Path, clock: ManualClock) -> None:
    callback_data = ([("uuid-1", 1_700_000_000.5, {"btn": "buy:tg"})], {"cq-1": "uuid-1"})
    async with await Database.open(db_path, clock=clock) as database:
        persistence = SQLitePersistence(database)
        await persistence.update_user_data(42, {"page": 3, "picked": ["tg", "wa"]})
        await persistence.update_user_data(43, {"gone": True})
        await persistence.drop_user_data(43)
        await persistence.update_chat_data(-100, {"pinned": None})
        await persistence.update_bot_data({"version": 1})
        await persistence.update_callback_data(callback_data)
        await persistence.update_conversation("buy", (42, 42), BuyState.CHOOSE_COUNTRY)
        await persistence.update_conversation("buy", (7, 7), 1)
        await persistence.update_conversation("buy", (7, 7), None)  # conversation ended
        await persistence.update_conversation("keys", (42,), 0)
        await persistence.flush()

    async with await Database.open(db_path, clock=clock) as database:
        persistence = SQLitePersistence(database)
        assert await persistence.get_user_data() == {42: {"page": 3, "picked": ["tg", "wa"]}}
        assert await persistence.get_chat_data() == {-100: {"pinned": None}}
        assert await persistence.get_bot_data() == {"version": 1}
        assert await persistence.get_callback_data() == callback_data
        conversations = await persistence.get_conversations("buy")
        assert conversations == {(42, 42): BuyState.CHOOSE_COUNTRY}
        assert await persistence.get_conversations("keys") == {(42,): 0}


async def test_an_empty_database_gives_empty_state(db: Database) -> None:
    persistence = SQLitePersistence(db)
    assert await persistence.get_user_data() == {}
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_callback_data() is None
    assert await persistence.get_conversations("buy") == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"api_key": Secret("d41d8cd98f00b204e9800998ecf8427e")}, "Secret cannot be stored"),
        ({"nested": [{"key": Secret("x")}]}, r"user_data\[42\]\['nested'\]\[0\]\['key'\]"),
        ({"when": object()}, "object is not JSON-serialisable"),
        ({1: "int key"}, "key of type int"),
        ({"nan": float("nan")}, "non-finite"),
    ],
)
async def test_secrets_and_non_json_values_are_refused(
    db: Database, data: dict[str, object], message: str
) -> None:
    persistence = SQLitePersistence(db)
    with pytest.raises(TypeError, match=message):
        await persistence.update_user_data(42, data)
    assert await persistence.get_user_data() == {}
    with pytest.raises(TypeError, match="Secret"):
        await persistence.update_conversation("keys", (42,), Secret("x"))
    assert await persistence.get_conversations("keys") == {}
