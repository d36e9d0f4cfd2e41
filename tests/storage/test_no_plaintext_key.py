"""After a whole flow, no API key is in the database file, its WAL, or any log record."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.telegram.persistence import SQLitePersistence
from storage.activations import ActivationLedger
from storage.db import Database
from storage.events import EventOutbox
from storage.keyring import Keyring
from storage.rents import RentLedger
from storage.users import UserStore
from storage.vault import KeyVault

API_KEYS = ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", "A1b2C3d4E5f6G7h8I9j0KkLlMmNnOoPp")
PHONE = "79990001122"


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


async def test_no_api_key_reaches_the_disk_or_the_logs(
    db_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    keyring_a = Keyring.generate("A")
    database = await Database.open(db_path, clock=clock)
    try:
        vault = KeyVault(database, keyring_a)
        for user_id, api_key in enumerate(API_KEYS, start=1):
            await UserStore(database).set_current_provider(user_id, "sms-activate")
            await vault.put(user_id, "sms-activate", Secret(api_key))
            assert await vault.get(user_id, "sms-activate") == Secret(api_key)
        await vault.put(1, "other", Secret(API_KEYS[0]))
        await vault.delete(1, "other")  # deleted ciphertext is overwritten, not left behind

        ledger, outbox = ActivationLedger(database), EventOutbox(database)
        intent = await ledger.record_intent(
            idempotency_key="k", user_id=1, chat_id=1, provider="sms-activate", service="tg"
        )
        activation = await ledger.confirm_intent(
            intent, activation_id="100", phone=PHONE, cost=Decimal("5"), deadline=None
        )
        async with database.transaction():
            await ledger.record_sms(activation.ledger_id, code="5555", text="code 5555")
            await outbox.add(
                kind="sms", user_id=1, chat_id=1, payload={"code": "5555"}, dedup_key="sms:1:1:5555"
            )
        rents = RentLedger(database)
        rent_intent = await rents.record_intent(
            idempotency_key="r", user_id=2, chat_id=2, provider="sms-activate", service="full",
            hours=4,
        )
        await rents.confirm_intent(rent_intent, rent_id="7", phone=PHONE, end_date=0, cost=None)

        persistence = SQLitePersistence(database)
        await persistence.update_user_data(1, {"key_hint": Secret(API_KEYS[0]).masked()})
        with pytest.raises(TypeError):
            await persistence.update_user_data(2, {"api_key": Secret(API_KEYS[1])})

        keyring_b_a = Keyring([*_pairs(Keyring.generate("B")), *_pairs(keyring_a)])
        await KeyVault(database, keyring_b_a).rotate()

        wal = _read(db_path.with_name(db_path.name + "-wal"))
        main = _read(db_path)
        assert wal, "the flow should have left pages in the WAL"
        assert PHONE.encode() in wal + main  # the check can see plaintext when it is there
        for api_key in API_KEYS:
            assert api_key.encode() not in main, "API key in the database file"
            assert api_key.encode() not in wal, "API key in the WAL"
    finally:
        await database.close()

    checkpointed = _read(db_path)
    for api_key in API_KEYS:
        assert api_key.encode() not in checkpointed
        assert api_key not in caplog.text


def _pairs(keyring: Keyring) -> list[tuple[str, bytes]]:
    pairs = []
    for key_id in keyring.ids:
        key = keyring.key(key_id)
        assert key is not None
        pairs.append((key_id, key))
    return pairs
