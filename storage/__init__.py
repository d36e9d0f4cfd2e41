"""Storage: one SQLite file (aiosqlite, WAL) behind small stores, one concept per module.

    db.py            Database: connections, transactions, the migrations runner
    migrations/      NNNN_name.sql, applied in order at open
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
