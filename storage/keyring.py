"""The master keys that encrypt the vault: parsed from text, or generated into a private file.

Text form (``SMSBOT_MASTER_KEYS``)::

    id:base64key[,id2:base64key2…]

Each key is 32 random bytes (AES-256) in standard or URL-safe base64; each id is 1-32 characters
of ``A-Z a-z 0-9 _ . -``. The first key encrypts; every key decrypts. To rotate, put a new key
first, keep the old ones after it, run the vault's ``rotate()``, then drop the old ones.

Error messages name the entry by its position, and its id only once the id is known to be
well-formed: a key pasted in the wrong place is never repeated back into a log.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Final, NoReturn

from storage.errors import KeyringError
from storage.private_files import PRIVATE, tighten

KEY_BYTES: Final = 32

_LOG = logging.getLogger(__name__)
_KEY_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class Keyring:
    """An ordered set of master keys; the first one encrypts.

    Args:
        keys: ``(key id, 32-byte key)`` pairs, the encrypting key first.

    Raises:
        KeyringError: no keys, a malformed or repeated id, or a key that is not 32 bytes.
    """

    __slots__ = ("_keys", "_primary")

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyringError("a keyring needs at least one key")
        checked: dict[str, bytes] = {}
        for position, (key_id, key) in enumerate(keys, start=1):
            if not _KEY_ID.fullmatch(key_id):
                raise KeyringError(
                    f"key {position}: the id must be 1-32 characters of A-Z a-z 0-9 _ . -"
                )
            if key_id in checked:
                raise KeyringError(f"key id {key_id!r} appears more than once")
            if len(key) != KEY_BYTES:
                raise KeyringError(
                    f"key {position} (id {key_id!r}) must be {KEY_BYTES} bytes, got {len(key)}"
                )
            checked[key_id] = bytes(key)
        self._keys = checked
        self._primary = keys[0][0]

    @classmethod
    def parse(cls, text: str, *, source: str = "SMSBOT_MASTER_KEYS") -> Keyring:
        """Parses ``id:base64key,…``.

        Args:
            text: the keyring text; spaces and newlines around entries are ignored.
            source: where the text came from, for error messages.

        Raises:
            KeyringError: the text is empty or an entry is malformed.
        """
        entries = [entry.strip() for entry in text.replace("\n", ",").split(",")]
        entries = [entry for entry in entries if entry]
        if not entries:
            raise KeyringError(f"{source} holds no keys; expected id:base64key[,id:base64key…]")
        keys: list[tuple[str, bytes]] = []
        for position, entry in enumerate(entries, start=1):
            key_id, colon, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not colon:
                raise KeyringError(f"{source}: entry {position} is not of the form id:base64key")
            if not _KEY_ID.fullmatch(key_id):
                raise KeyringError(
                    f"{source}: entry {position} has a malformed id "
                    "(1-32 characters of A-Z a-z 0-9 _ . -)"
                )
            keys.append((key_id, _decode_key(encoded.strip(), source, position, key_id)))
        try:
            return cls(keys)
        except KeyringError as error:
            raise KeyringError(f"{source}: {error}") from None

    @classmethod
    def generate(cls, key_id: str | None = None) -> Keyring:
        """A keyring of one fresh random key (id ``auto-<8 hex>`` unless given)."""
        return cls([(key_id or f"auto-{secrets.token_hex(4)}", secrets.token_bytes(KEY_BYTES))])

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> Keyring:
        """Reads the keyring file, or generates one key into a new 0600 file.

        Generating logs a WARNING with the path (never the key): the file must be backed up
        with the database, since without it no stored API key can be read.

        Args:
            path: the keyring file, conventionally beside the database.

        Raises:
            KeyringError: the file exists but is malformed.
        """
        file = Path(path)
        keyring = cls.generate()
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            # O_EXCL: if another process creates the file first, we read theirs instead of
            # overwriting a key that may already encrypt something.
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(keyring._to_text() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            _LOG.warning(
                "generated a new master key into %s: back it up together with the database, "
                "or set SMSBOT_MASTER_KEYS to manage keys yourself",
                file,
            )
            return keyring
        tighten(file, _LOG)
        return cls.parse(file.read_text(encoding="ascii"), source=str(file))

    @property
    def primary_id(self) -> str:
        """The id of the key that encrypts."""
        return self._primary

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key id, the encrypting one first."""
        return tuple(self._keys)

    def key(self, key_id: str) -> bytes | None:
        """The key with this id, or None if the keyring does not hold it."""
        return self._keys.get(key_id)

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self._keys)!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Keyring cannot be pickled")

    def _to_text(self) -> str:
        return ",".join(
            f"{key_id}:{base64.b64encode(key).decode('ascii')}"
            for key_id, key in self._keys.items()
        )


def keyring_path_for(database: str | os.PathLike[str]) -> Path:
    """Where :meth:`Keyring.load_or_create` keeps the generated key: ``master.keys`` beside the
    database file, so a backup of the folder takes both (and ``data/`` is git-ignored)."""
    return Path(database).parent / "master.keys"


def _decode_key(encoded: str, source: str, position: int, key_id: str) -> bytes:
    # Accept URL-safe base64 as well as standard: both are common outputs of key generators.
    normalised = encoded.replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(
            f"{source}: entry {position} (id {key_id!r}) is not valid base64"
        ) from None
    if len(key) != KEY_BYTES:
        raise KeyringError(
            f"{source}: entry {position} (id {key_id!r}) must decode to {KEY_BYTES} bytes, "
            f"got {len(key)}"
        )
    return key
