"""The smsbot command as an operator runs it: one clear line for a bad setting; rotate-keys."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path

from bot.core.secret import Secret
from storage.db import Database
from storage.keyring import Keyring
from storage.vault import KeyVault
from tests import postgres
from tests.ports import unused_port

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def smsbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_token_stops_run_with_one_line(tmp_path: Path) -> None:
    result = smsbot("run", env={"SMSBOT_DATABASE": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "smsbot: TELEGRAM_BOT_TOKEN is not set: get one from @BotFather"
    ]
    assert not (tmp_path / "db.sqlite3").exists(), "nothing is opened before the check"


def test_a_bad_setting_names_its_variable(tmp_path: Path) -> None:
    result = smsbot("run", env={"TELEGRAM_BOT_TOKEN": "1:x", "SMSBOT_POLL_INTERVAL": "soon"})
    assert result.returncode == 2
    assert "SMSBOT_POLL_INTERVAL" in result.stderr and "Traceback" not in result.stderr


def test_rotate_keys_reencrypts_under_the_first_key_and_reports(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"

    async def store_under_old_key() -> None:
        async with await Database.open(database) as db:
            vault = KeyVault(db, Keyring.parse(OLD))
            await vault.put(1, "herosms", Secret("key-of-user-one"))
            await vault.put(2, "smshub", Secret("key-of-user-two"))

    asyncio.run(store_under_old_key())
    result = smsbot(
        "rotate-keys", env={"SMSBOT_DATABASE": str(database), "SMSBOT_MASTER_KEYS": f"{NEW},{OLD}"}
    )
    assert result.returncode == 0, result.stderr
    assert "re-encrypted 2 key(s) under new; 0 remain under old keys" in result.stdout

    async def read_with_new_key_only() -> tuple[str | None, str | None]:
        async with await Database.open(database) as db:
            vault = KeyVault(db, Keyring.parse(NEW))
            one, two = await vault.get(1, "herosms"), await vault.get(2, "smshub")
            return (one.reveal() if one else None, two.reveal() if two else None)

    assert asyncio.run(read_with_new_key_only()) == ("key-of-user-one", "key-of-user-two")


WRONG_TOKEN = "999:WRONG-secret-token"


async def test_a_token_the_bot_api_refuses_stops_run_with_one_line(tmp_path: Path) -> None:
    """The fake Bot API knows another token: one line naming the variable, never the token."""
    from bot.fake_telegram import FakeTelegramServer

    async with FakeTelegramServer(tokens=["123:right-token"]) as server:
        env = {
            "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
            "TELEGRAM_API_URL": server.url,
            "SMSBOT_DATABASE": str(tmp_path / "db.sqlite3"),
        }
        # In a thread: the fake server answers from this event loop meanwhile.
        result = await asyncio.to_thread(smsbot, "run", env=env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0], result.stderr
    assert WRONG_TOKEN not in result.stderr + result.stdout
    assert "WRONG-secret" not in result.stderr + result.stdout
    assert not (tmp_path / "db.sqlite3").exists(), "nothing is opened before the check"


def test_an_unreachable_bot_api_stops_run_with_one_line(tmp_path: Path) -> None:
    port = unused_port()  # a port nobody listens on
    result = smsbot(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
            "SMSBOT_DATABASE": str(tmp_path / "db.sqlite3"),
        },
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_API_URL" in lines[0], result.stderr
    assert "WRONG-secret" not in result.stderr + result.stdout


async def test_a_postgresql_server_that_refuses_stops_run_with_one_line_and_no_password() -> None:
    from bot.fake_telegram import FakeTelegramServer

    password = "pgPassw0rdNeverShown"
    async with FakeTelegramServer(tokens=["1:x"]) as server:  # the token passes its check
        env = {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "TELEGRAM_API_URL": server.url,
            "SMSBOT_MASTER_KEYS": NEW,
            # Port 1 on loopback: nothing listens there, the connection is refused at once.
            "SMSBOT_DATABASE": f"postgresql://bot:{password}@127.0.0.1:1/smsbot",
        }
        result = await asyncio.to_thread(smsbot, "run", env=env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    shown = "postgresql://bot:***@127.0.0.1:1/smsbot"
    assert line.startswith(f"smsbot: SMSBOT_DATABASE: cannot use PostgreSQL at {shown}: ")
    assert password not in result.stderr + result.stdout


def test_a_postgresql_url_without_master_keys_is_refused_before_connecting() -> None:
    result = smsbot(
        "rotate-keys", env={"SMSBOT_DATABASE": "postgresql://bot:pw@127.0.0.1:1/smsbot"}
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SMSBOT_MASTER_KEYS is required" in line and "pw@" not in line


async def test_a_postgresql_schema_newer_than_the_code_stops_start_up_with_one_line() -> None:
    url = await postgres.create_database()
    try:
        async with await Database.open(url) as database, database.transaction() as tx:
            await tx.execute("INSERT INTO schema_version VALUES (99, 'future', 0)")
        result = await asyncio.to_thread(
            smsbot, "rotate-keys", env={"SMSBOT_DATABASE": url, "SMSBOT_MASTER_KEYS": NEW}
        )
    finally:
        await postgres.drop_database(url)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"smsbot: SMSBOT_DATABASE ({url}): the database schema is at version 99")


async def test_rotate_keys_works_on_postgresql() -> None:
    url = await postgres.create_database()
    try:
        async with await Database.open(url) as database:
            await KeyVault(database, Keyring.parse(OLD)).put(1, "sms-activate", Secret("k-1"))
        result = await asyncio.to_thread(
            smsbot,
            "rotate-keys",
            env={"SMSBOT_DATABASE": url, "SMSBOT_MASTER_KEYS": f"{NEW},{OLD}"},
        )
        assert result.returncode == 0, result.stderr
        assert "re-encrypted 1 key(s) under new; 0 remain" in result.stdout
        async with await Database.open(url) as database:
            vault = KeyVault(database, Keyring.parse(NEW))  # the old key is no longer needed
            assert await vault.get(1, "sms-activate") == Secret("k-1")
    finally:
        await postgres.drop_database(url)


def test_help_is_plain_text_not_markup() -> None:
    result = smsbot("--help", env={})
    assert result.returncode == 0
    assert "``" not in result.stdout, result.stdout
    assert "Telegram bot" in result.stdout
