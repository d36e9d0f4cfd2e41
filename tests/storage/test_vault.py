"""KeyVault: encrypted round trip, binding to user and provider, unreadable keys, rotation."""

from __future__ import annotations

import logging
import secrets

import pytest

from bot.core.secret import Secret
from storage.db import Database
from storage.errors import VaultKeyUnreadable
from storage.keyring import Keyring
from storage.users import UserStore
from storage.vault import KeyVault

API_KEY = "d41d8cd98f00b204e9800998ecf8427e"


def _keyring(*key_ids: str) -> Keyring:
    return Keyring([(key_id, _KEYS[key_id]) for key_id in key_ids])


_KEYS = {name: secrets.token_bytes(32) for name in ("A", "B")}


async def _envelope(db: Database, user_id: int, provider: str) -> bytes:
    row = await db.fetchone(
        "SELECT envelope FROM api_keys WHERE user_id = ? AND provider = ?", (user_id, provider)
    )
    assert row is not None
    return bytes(row[0])


async def _set_envelope(db: Database, user_id: int, provider: str, envelope: bytes) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE api_keys SET envelope = ? WHERE user_id = ? AND provider = ?",
            (envelope, user_id, provider),
        )


async def test_round_trip_per_user_and_provider(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    await vault.put(1, "sms-activate", Secret(API_KEY))
    await vault.put(1, "https://example.test/stubs/handler_api.php", Secret("other"))
    await vault.put(2, "sms-activate", Secret("second user"))

    assert await vault.get(1, "sms-activate") == Secret(API_KEY)
    assert await vault.get(2, "sms-activate") == Secret("second user")
    assert await vault.get(3, "sms-activate") is None
    assert await vault.providers(1) == [
        "https://example.test/stubs/handler_api.php",
        "sms-activate",
    ]
    assert await UserStore(db).get(1) is not None  # the key belongs to a user row

    await vault.put(1, "sms-activate", Secret("replaced"))
    assert await vault.get(1, "sms-activate") == Secret("replaced")
    assert await vault.delete(1, "sms-activate") is True
    assert await vault.delete(1, "sms-activate") is False
    assert await vault.get(1, "sms-activate") is None


async def test_the_same_key_encrypts_differently_each_time(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    await vault.put(1, "p", Secret(API_KEY))
    first = await _envelope(db, 1, "p")
    await vault.put(1, "p", Secret(API_KEY))
    assert await _envelope(db, 1, "p") != first  # a fresh nonce every time
    assert API_KEY.encode() not in first


async def test_put_takes_only_a_non_empty_secret(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    with pytest.raises(TypeError):
        await vault.put(1, "p", API_KEY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        await vault.put(1, "p", Secret(""))


def _assert_clean(error: VaultKeyUnreadable) -> None:
    message = str(error)
    assert API_KEY not in message
    assert "enter the key again" in message
    # No cryptography exception chained to it, for a traceback to show.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


async def test_a_ciphertext_copied_to_another_user_is_refused(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    await vault.put(1, "p", Secret(API_KEY))
    await vault.put(2, "p", Secret("mine"))
    await _set_envelope(db, 2, "p", await _envelope(db, 1, "p"))
    with pytest.raises(VaultKeyUnreadable) as caught:
        await vault.get(2, "p")
    assert (caught.value.user_id, caught.value.provider) == (2, "p")
    _assert_clean(caught.value)
    assert await vault.get(1, "p") == Secret(API_KEY)  # the original is untouched


async def test_a_ciphertext_moved_to_another_provider_is_refused(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    await vault.put(1, "p", Secret(API_KEY))
    await vault.put(1, "q", Secret("q key"))
    await _set_envelope(db, 1, "q", await _envelope(db, 1, "p"))
    with pytest.raises(VaultKeyUnreadable):
        await vault.get(1, "q")


async def test_an_unknown_master_key_id_is_refused(db: Database) -> None:
    await KeyVault(db, _keyring("A")).put(1, "p", Secret(API_KEY))
    with pytest.raises(VaultKeyUnreadable, match="'A' is not in the keyring") as caught:
        await KeyVault(db, _keyring("B")).get(1, "p")
    _assert_clean(caught.value)


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: e[:-1] + bytes([e[-1] ^ 1]),  # a flipped tag bit
        lambda e: e[:10],  # truncated
        lambda e: b"\x09" + e[1:],  # unknown envelope version
        lambda e: e[:2] + b"B" + e[3:],  # key id relabelled as another known key
        lambda e: e[:5] + bytes([e[5] ^ 1]) + e[6:],  # a flipped nonce bit
        lambda e: b"",
    ],
)
async def test_a_damaged_envelope_is_refused_cleanly(db: Database, damage: object) -> None:
    vault = KeyVault(db, _keyring("A", "B"))
    await vault.put(1, "p", Secret(API_KEY))
    assert callable(damage)
    await _set_envelope(db, 1, "p", damage(await _envelope(db, 1, "p")))
    with pytest.raises(VaultKeyUnreadable) as caught:
        await vault.get(1, "p")
    _assert_clean(caught.value)


async def test_rotation_moves_every_key_to_the_new_master_key(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    old = KeyVault(db, _keyring("A"))
    for user_id in range(1, 6):
        await old.put(user_id, "p", Secret(f"{API_KEY}-{user_id}"))
    rotating = KeyVault(db, _keyring("B", "A"))
    await rotating.put(9, "p", Secret("already under B"))

    report = await rotating.rotate(batch_size=2)

    assert (report.re_encrypted, report.remaining_under_old_keys) == (5, 0)
    only_b = KeyVault(db, _keyring("B"))
    for user_id in range(1, 6):
        assert await only_b.get(user_id, "p") == Secret(f"{API_KEY}-{user_id}")
    assert await only_b.get(9, "p") == Secret("already under B")
    with pytest.raises(VaultKeyUnreadable):
        await old.get(1, "p")  # A alone can no longer read them
    again = await rotating.rotate()
    assert (again.re_encrypted, again.remaining_under_old_keys) == (0, 0)
    assert API_KEY not in caplog.text


async def test_rotation_counts_rows_it_cannot_read_and_leaves_them(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await KeyVault(db, _keyring("A")).put(1, "p", Secret(API_KEY))
    await KeyVault(db, _keyring("B")).put(2, "p", Secret("fine"))
    with caplog.at_level(logging.WARNING):
        report = await KeyVault(db, Keyring.generate("C")).rotate()
    # Neither A nor B is in the new keyring: both rows stay, are counted, and are logged.
    assert (report.re_encrypted, report.remaining_under_old_keys) == (0, 2)
    assert "user 1" in caplog.text and API_KEY not in caplog.text


async def test_get_many_reads_the_readable_keys_of_many_pairs_at_once(db: Database) -> None:
    vault = KeyVault(db, _keyring("A"))
    for user_id in range(1, 6):
        await vault.put(user_id, "sms-activate", Secret(f"key-of-{user_id}"))
    await vault.put(1, "herosms", Secret("hero-key"))
    # User 5's ciphertext copied over user 4's: stored, but not readable as user 4's key.
    await _set_envelope(db, 4, "sms-activate", await _envelope(db, 5, "sms-activate"))
    pairs = [(u, "sms-activate") for u in range(1, 8)] + [(1, "herosms"), (2, "herosms")]

    found = await vault.get_many(pairs, chunk=2)  # several queries, one result

    assert found == {
        (1, "sms-activate"): Secret("key-of-1"),
        (2, "sms-activate"): Secret("key-of-2"),
        (3, "sms-activate"): Secret("key-of-3"),
        (5, "sms-activate"): Secret("key-of-5"),
        (1, "herosms"): Secret("hero-key"),
    }
    with pytest.raises(VaultKeyUnreadable):  # get() still says why user 4's is missing
        await vault.get(4, "sms-activate")
    assert await vault.get_many([]) == {}
