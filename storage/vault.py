"""The key vault: each user's provider API keys, encrypted with AES-256-GCM.

Envelope (stored as a BLOB), version 1::

    0x01 | len(key id) (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext + 16-byte tag

The associated data binds the ciphertext to its place: the envelope version, the master key id,
the user id, the provider and the purpose ("api_key"). A ciphertext copied into another user's
row, or relabelled with another key id, fails authentication, and so does any damaged byte.
Every such failure, and a master key missing from the keyring, surfaces as
:class:`~storage.errors.VaultKeyUnreadable`, never as a cryptography exception.

Decrypted keys exist only as :class:`~bot.core.secret.Secret`; nothing here logs or raises one.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.core.secret import Secret
from storage.db import Database
from storage.errors import VaultKeyUnreadable
from storage.keyring import Keyring
from storage.users import ensure_user_row

__all__ = ["KeyVault", "Keyring", "RotationReport", "VaultKeyUnreadable"]

_LOG = logging.getLogger(__name__)
_VERSION: Final = 1
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_PURPOSE: Final = "api_key"


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What :meth:`KeyVault.rotate` did.

    Attributes:
        re_encrypted: rows moved to the keyring's first key.
        remaining_under_old_keys: rows still under another key afterwards, because they could
            not be decrypted (each is logged with its user and provider, and reads raise
            VaultKeyUnreadable until the user enters the key again). Zero means the old keys
            can be removed from the keyring.
    """

    re_encrypted: int
    remaining_under_old_keys: int


class KeyVault:
    """Stores one encrypted API key per (user, provider).

    Args:
        db: the open database; "now" comes from ``db.clock``.
        keyring: the master keys; the first encrypts.
    """

    __slots__ = ("_db", "_keyring")

    def __init__(self, db: Database, keyring: Keyring) -> None:
        self._db = db
        self._keyring = keyring

    async def put(self, user_id: int, provider: str, api_key: Secret) -> None:
        """Stores (or replaces) the user's key for a provider, under the first master key.

        Also creates the user's row, which the key belongs to (deleting the user deletes it).

        Raises:
            TypeError: ``api_key`` is not a Secret.
            ValueError: ``api_key`` is empty.
        """
        if not isinstance(api_key, Secret):
            raise TypeError("api_key must be a Secret")
        if not api_key:
            raise ValueError("api_key is empty")
        envelope = self._seal(user_id, provider, api_key)
        now = self._db.clock.now()
        async with self._db.transaction() as tx:
            await ensure_user_row(tx, user_id, now)
            await tx.execute(
                "INSERT INTO api_keys (user_id, provider, envelope, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, provider)"
                " DO UPDATE SET envelope = excluded.envelope, updated_at = excluded.updated_at",
                (user_id, provider, envelope, now, now),
            )

    async def get(self, user_id: int, provider: str) -> Secret | None:
        """The user's key for a provider, or None if none is stored.

        Raises:
            VaultKeyUnreadable: a key is stored but cannot be decrypted.
        """
        row = await self._db.fetchone(
            "SELECT envelope FROM api_keys WHERE user_id = ? AND provider = ?", (user_id, provider)
        )
        if row is None:
            return None
        return self._open(user_id, provider, bytes(row["envelope"]))

    async def get_many(
        self, pairs: Iterable[tuple[int, str]], *, chunk: int = 400
    ) -> dict[tuple[int, str], Secret]:
        """The readable keys among (user, provider) pairs, read in a few queries instead of one
        per key (the watcher's first tick after start-up asks for thousands). Pairs with no key,
        or a key that cannot be decrypted, are left out: :meth:`get` says why, when asked.
        """
        wanted = list(dict.fromkeys(pairs))
        found: dict[tuple[int, str], Secret] = {}
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            for row in await self._db.fetchall(*self._pairs_query(part)):
                user_id, provider = int(row["user_id"]), str(row["provider"])
                try:
                    found[(user_id, provider)] = self._open(
                        user_id, provider, bytes(row["envelope"])
                    )
                except VaultKeyUnreadable:
                    continue
        return found

    def _pairs_query(self, part: list[tuple[int, str]]) -> tuple[str, list[object]]:
        """The query for the envelopes of these (user, provider) pairs, in this engine's SQL."""
        if self._db.dialect == "postgres":
            # Two array parameters: typed, and one statement text whatever the count.
            return (
                "SELECT user_id, provider, envelope FROM api_keys WHERE (user_id, provider) IN"
                " (SELECT * FROM unnest(?::bigint[], ?::text[]))",
                [[user for user, _ in part], [provider for _, provider in part]],
            )
        values = ", ".join("(?, ?)" for _ in part)
        return (
            "SELECT user_id, provider, envelope FROM api_keys"  # noqa: S608 - only "(?, ?)"s
            f" WHERE (user_id, provider) IN (VALUES {values})",
            [value for pair in part for value in pair],
        )

    async def delete(self, user_id: int, provider: str) -> bool:
        """Forgets the user's key for a provider. Returns whether one was stored."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM api_keys WHERE user_id = ? AND provider = ?", (user_id, provider)
            )
        return changed > 0

    async def providers(self, user_id: int) -> list[str]:
        """The providers the user has stored a key for, sorted."""
        rows = await self._db.fetchall(
            "SELECT provider FROM api_keys WHERE user_id = ? ORDER BY provider", (user_id,)
        )
        return [row["provider"] for row in rows]

    async def rotate(self, *, batch_size: int = 200) -> RotationReport:
        """Re-encrypts every key that is not under the keyring's first key.

        Works in batches of short transactions, so the bot keeps running meanwhile. A row
        replaced concurrently by :meth:`put` is left alone (the new value is already under the
        first key). Rows that cannot be decrypted are logged and counted, not raised.
        """
        rows = await self._db.fetchall("SELECT user_id, provider, envelope FROM api_keys")
        primary = self._keyring.primary_id
        updates: list[tuple[bytes, float, int, str, bytes]] = []
        for row in rows:
            user_id, provider, envelope = row["user_id"], row["provider"], bytes(row["envelope"])
            if _key_id_of(envelope) == primary:
                continue
            try:
                api_key = self._open(user_id, provider, envelope)
            except VaultKeyUnreadable as error:
                _LOG.warning("rotation skipped user %s provider %r: %s", user_id, provider,
                             error.reason)
                continue
            updates.append(
                (self._seal(user_id, provider, api_key), self._db.clock.now(), user_id, provider,
                 envelope)
            )
        re_encrypted = 0
        for start in range(0, len(updates), batch_size):
            async with self._db.transaction() as tx:
                for update in updates[start : start + batch_size]:
                    # Compare-and-set on the old envelope: a concurrent put() wins.
                    re_encrypted += await tx.execute(
                        "UPDATE api_keys SET envelope = ?, updated_at = ?"
                        " WHERE user_id = ? AND provider = ? AND envelope = ?",
                        update,
                    )
        remaining = sum(
            1
            for row in await self._db.fetchall("SELECT envelope FROM api_keys")
            if _key_id_of(bytes(row["envelope"])) != primary
        )
        return RotationReport(re_encrypted=re_encrypted, remaining_under_old_keys=remaining)

    def _seal(self, user_id: int, provider: str, api_key: Secret) -> bytes:
        key_id = self._keyring.primary_id
        key = self._keyring.key(key_id)
        assert key is not None  # the primary id always names a key
        header = bytes([_VERSION, len(key_id)]) + key_id.encode("ascii")
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(
            nonce, api_key.reveal().encode("utf-8"), _associated_data(key_id, user_id, provider)
        )
        return header + nonce + sealed

    def _open(self, user_id: int, provider: str, envelope: bytes) -> Secret:
        key_id = _key_id_of(envelope)
        if key_id is None:
            raise VaultKeyUnreadable(user_id, provider, "the stored envelope is malformed")
        key = self._keyring.key(key_id)
        if key is None:
            raise VaultKeyUnreadable(
                user_id, provider, f"its master key {key_id!r} is not in the keyring"
            )
        body = envelope[2 + len(key_id) :]
        nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
        try:
            plain = AESGCM(key).decrypt(
                nonce, sealed, _associated_data(key_id, user_id, provider)
            )
            return Secret(plain.decode("utf-8"))
        except (InvalidTag, UnicodeDecodeError):
            # "from None": the cryptography traceback says nothing useful and nothing safe.
            raise VaultKeyUnreadable(
                user_id, provider, "authentication failed: the key was stored for another "
                "user or provider, or the stored bytes are damaged"
            ) from None


def _key_id_of(envelope: bytes) -> str | None:
    """The master key id in an envelope's header, or None if the header is malformed."""
    if len(envelope) < 2 or envelope[0] != _VERSION:
        return None
    end = 2 + envelope[1]
    if envelope[1] == 0 or len(envelope) < end + _NONCE_BYTES + _TAG_BYTES:
        return None
    try:
        return envelope[2:end].decode("ascii")
    except UnicodeDecodeError:
        return None


def _associated_data(key_id: str, user_id: int, provider: str) -> bytes:
    # JSON gives an unambiguous encoding: no choice of provider string can make two different
    # (user, provider) pairs produce the same bytes.
    return json.dumps(
        ["smsbot-vault", _VERSION, key_id, user_id, provider, _PURPOSE], separators=(",", ":")
    ).encode("utf-8")
