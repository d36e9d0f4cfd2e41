"""Every exception the storage package raises on purpose.

The tree::

    StorageError
    ├── DatabaseUnavailableError   PostgreSQL: a malformed URL, or the server cannot be used
    ├── IntegrityError             a write broke a UNIQUE/CHECK/foreign key (either engine)
    ├── SchemaError
    │   ├── SchemaTooNewError      the file was written by a newer smsbot
    │   └── MigrationError         a migration failed; the file is left at the last good version
    ├── TransactionError           a transaction was misused (programming error)
    ├── VaultError
    │   ├── KeyringError           malformed master-key text or file (also a ValueError)
    │   └── VaultKeyUnreadable     a stored API key cannot be decrypted: ask the user again
    └── LedgerError
        ├── DuplicateIntentError   an idempotency key was used twice: do NOT buy again
        ├── InvalidTransitionError the row is not in a state that allows the change
        └── RowNotFoundError       no such ledger row (also a LookupError)

No message in this module ever contains an API key or master-key material.
"""

from __future__ import annotations

from typing import Any


class StorageError(Exception):
    """The base of every storage error."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be opened: a malformed URL, a server that refuses or is not there.

    The message names the URL with its password masked, and the cause in one line.
    """


class IntegrityError(StorageError):
    """A write broke a constraint; raised by both engines instead of their driver's error."""


class SchemaError(StorageError):
    """The database schema cannot be brought to the version this code knows."""


class SchemaTooNewError(SchemaError):
    """The database was migrated by a newer smsbot than this one.

    Attributes:
        found: the version recorded in the file.
        known: the newest version this code can migrate to.
    """

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database schema is at version {found}, but this smsbot knows versions up to "
            f"{known}: run a newer smsbot, or restore a backup taken before the upgrade"
        )
        self.found = found
        self.known = known


class MigrationError(SchemaError):
    """A migration script failed; its transaction was rolled back."""


class TransactionError(StorageError):
    """A transaction was used in a way that cannot keep its promise (a bug in the caller)."""


class VaultError(StorageError):
    """The base of key-vault errors."""


class KeyringError(VaultError, ValueError):
    """The master-key text or file is malformed. The message never repeats key material."""


class VaultKeyUnreadable(VaultError):
    """A stored API key cannot be decrypted.

    It happens when the ciphertext belongs to another user or provider, when its master key is
    no longer in the keyring, or when the stored bytes are damaged. The only remedy is to ask
    the user for the key again; the message says so and holds no secret.

    Attributes:
        user_id: the Telegram user whose key it is.
        provider: the provider the key is for.
        reason: a short, secret-free cause ("unknown master key id 'a'", "authentication failed").
    """

    def __init__(self, user_id: int, provider: str, reason: str) -> None:
        super().__init__(
            f"the API key stored for user {user_id} and provider {provider!r} cannot be "
            f"decrypted ({reason}); ask the user to enter the key again"
        )
        self.user_id = user_id
        self.provider = provider
        self.reason = reason


class LedgerError(StorageError):
    """The base of activation and rent ledger errors."""


class DuplicateIntentError(LedgerError):
    """An intent with this idempotency key already exists; nothing was written.

    The caller must not make the paid call again: the existing row says what became of the
    first attempt.

    Attributes:
        existing: the row recorded under the key (an ``Activation`` or a ``Rent``).
    """

    def __init__(self, idempotency_key: str, existing: Any) -> None:
        super().__init__(f"an intent with idempotency key {idempotency_key!r} already exists")
        self.idempotency_key = idempotency_key
        self.existing = existing


class InvalidTransitionError(LedgerError):
    """The ledger row's state does not allow the requested change."""


class RowNotFoundError(LedgerError, LookupError):
    """No ledger row has the given id."""
