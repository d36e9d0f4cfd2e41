"""Storage: a SQLite file (aiosqlite, WAL) or PostgreSQL (asyncpg) behind small stores, one
concept per module; the stores' SQL serves both engines.

    db.py            Database: the interface; the SQLite engine and its migrations runner
    postgres.py      PostgresDatabase: the PostgreSQL engine, its migrations runner, its locks
    migrations/      sqlite/ and postgres/: NNNN_name.sql, the same numbers, applied at open
    transfer.py      smsbot migrate-data: a SQLite database copied into PostgreSQL
    errors.py        the exception tree
    keyring.py       master keys (SMSBOT_MASTER_KEYS, or a generated 0600 file)
    vault.py         KeyVault: users' API keys under AES-256-GCM
    users.py         UserStore: language, current provider, preferences
    activations.py   ActivationLedger: paid activations from intent to end, their codes
    rents.py         RentLedger: rents, extensions, their SMS
    events.py        EventOutbox: what the watcher saw, until delivered
    key_entries.py   KeyEntries: pending /key steps (which chat, until when)

Nothing is imported here, so importing one store does not pull in the others (or PTB).
"""
