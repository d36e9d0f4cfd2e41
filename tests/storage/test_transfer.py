"""smsbot migrate-data: a SQLite database copied into PostgreSQL reads back the same."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.provider.models import RentMessage
from bot.telegram.persistence import SQLitePersistence
from storage.activations import ActivationLedger
from storage.db import Database
from storage.events import EventOutbox
from storage.keyring import Keyring
from storage.rents import RentLedger
from storage.transfer import TransferError, copy_to_postgres
from storage.users import Preferences, UserStore
from storage.vault import KeyVault
from tests import postgres

KEYRING = Keyring.generate("k")


async def _fill(path: Path, clock: ManualClock) -> None:
    async with await Database.open(path, clock=clock) as db:
        await UserStore(db).set_preferences(1, Preferences(favourite_services=("tg",)))
        await KeyVault(db, KEYRING).put(1, "sms-activate", Secret("key-one"))
        ledger = ActivationLedger(db)
        intent = await ledger.record_intent(
            idempotency_key="a1", user_id=1, chat_id=1, provider="sms-activate", service="tg",
            options={"forward": False},
        )
        bought = await ledger.confirm_intent(
            intent, activation_id="100", phone="7999", cost=Decimal("12.50"), deadline=T_END
        )
        await ledger.record_sms(bought.ledger_id, code="1234", text="code 1234")
        rents = RentLedger(db)
        rent = await rents.confirm_intent(
            await rents.record_intent(
                idempotency_key="r1", user_id=1, chat_id=1, provider="sms-activate",
                service="full", hours=4,
            ),
            rent_id="7", phone="7888", end_date=T_END, cost=Decimal("30"),
        )
        await rents.record_rent_sms(
            rent.ledger_id, RentMessage(phone_from="bank", text="hi", service=None,
                                        received_at=None)
        )
        await EventOutbox(db).add(kind="sms", user_id=1, chat_id=1, payload={"code": "1234"},
                                  dedup_key="sms:1")
        await SQLitePersistence(db).update_user_data(1, {"screen": "buy"})


T_END = 1_700_003_600.0


@pytest.fixture
async def source(tmp_path: Path, clock: ManualClock) -> Path:
    """A bot's SQLite file with a row in every table that holds one."""
    path = tmp_path / "bot.sqlite3"
    await _fill(path, clock)
    return path


@asynccontextmanager
async def _target(*, migrated: bool) -> AsyncIterator[str]:
    """A fresh PostgreSQL database (with our schema if ``migrated``), dropped after."""
    url = await postgres.create_database(migrated=migrated)
    try:
        yield url
    finally:
        await postgres.drop_database(url)


async def test_every_table_is_copied_and_reads_back_the_same(
    source: Path, clock: ManualClock
) -> None:
    async with _target(migrated=False) as url:
        report = await copy_to_postgres(source, url)
        filled = {
            "users": 1, "api_keys": 1, "activations": 1, "activation_sms": 1, "rents": 1,
            "rent_sms": 1, "events": 1, "ptb_state": 1,
        }
        # Every table is copied (later migrations' too); the ones not filled here are empty.
        assert {table: count for table, count in report.rows if count} == filled
        assert {"rent_extensions", *filled} <= {table for table, _ in report.rows}
        async with await Database.open(url, clock=clock) as db:
            assert await KeyVault(db, KEYRING).get(1, "sms-activate") == Secret("key-one")
            user = await UserStore(db).get(1)
            assert user is not None and user.preferences.favourite_services == ("tg",)
            ledger = ActivationLedger(db)
            copied = await ledger.for_user(1, "100")
            assert copied is not None and copied.cost == Decimal("12.50")
            assert [c.code for c in await ledger.codes(copied.ledger_id)] == ["1234"]
            [watched] = await ledger.load_active()
            assert watched.activation_id == "100"
            assert [e.dedup_key for e in await EventOutbox(db).pending()] == ["sms:1"]
            assert await SQLitePersistence(db).get_user_data() == {1: {"screen": "buy"}}
            # The sequences moved past the copied ids: the next purchase gets a new row.
            fresh = await ledger.record_intent(
                idempotency_key="a2", user_id=1, chat_id=1, provider="sms-activate",
                service="tg",
            )
            assert fresh.ledger_id > copied.ledger_id


async def test_a_non_empty_target_is_refused_and_left_as_it_was(
    source: Path, clock: ManualClock
) -> None:
    async with _target(migrated=True) as url:
        async with await Database.open(url, clock=clock) as db:
            await UserStore(db).set_language(42, "en")
        with pytest.raises(TransferError, match="not empty"):
            await copy_to_postgres(source, url)
        async with await Database.open(url, clock=clock) as db:
            assert await db.fetchone("SELECT COUNT(*) FROM activations") == (0,)
            assert (await db.fetchone("SELECT COUNT(*) FROM users"))[0] == 1  # type: ignore[index]


async def test_the_command_copies_then_refuses_a_second_run(source: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}

    def migrate(url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "migrate-data", "--from", str(source), "--to", url],
            env=env, capture_output=True, text=True, timeout=120,
        )

    async with _target(migrated=False) as url:
        first = await asyncio.to_thread(migrate, url)
        assert first.returncode == 0, first.stderr
        assert "activations: 1" in first.stdout and "counts verified" in first.stdout
        second = await asyncio.to_thread(migrate, url)
        assert second.returncode == 2
        [line] = second.stderr.strip().splitlines()
        assert line.startswith("smsbot: migrate-data: the target database is not empty")
