-- 0001 init: users, the API-key vault, the activation and rent ledgers, and PTB's UI state.
--
-- Conventions, for this file and every later one:
--   * times are Unix seconds (REAL), read from the injected clock;
--   * money is the plain string of a Decimal (TEXT, "12.50"), never REAL, so no sum rounds;
--   * ids from the provider (activation, rent) are TEXT; Telegram ids are INTEGER;
--   * tables are STRICT, so a wrongly typed value is refused instead of silently stored;
--   * no BEGIN/COMMIT here: the runner wraps each file in one transaction.

CREATE TABLE users (
    user_id             INTEGER PRIMARY KEY,               -- Telegram user id
    language            TEXT,                              -- NULL: follow Telegram's language
    current_provider    TEXT,                              -- preset name or handler_api URL
    favourite_services  TEXT NOT NULL DEFAULT '[]',        -- JSON list of service codes
    favourite_countries TEXT NOT NULL DEFAULT '[]',        -- JSON list of country ids
    default_operator    TEXT,
    max_price           TEXT,                              -- Decimal; NULL: no limit
    auto_cancel         INTEGER NOT NULL DEFAULT 1 CHECK (auto_cancel IN (0, 1)),
    created_at          REAL NOT NULL,
    updated_at          REAL NOT NULL
) STRICT;

-- One encrypted API key per (user, provider); see storage/vault.py for the envelope.
CREATE TABLE api_keys (
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    provider   TEXT NOT NULL,
    envelope   BLOB NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (user_id, provider)
) STRICT, WITHOUT ROWID;

-- Every paid activation, from the intent written before the paid call to its end.
-- No foreign key to users: the money ledger outlives a user's settings.
CREATE TABLE activations (
    id              INTEGER PRIMARY KEY,                   -- ledger id (ours)
    idempotency_key TEXT NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL,                      -- the chat that shows it
    provider        TEXT NOT NULL,
    service         TEXT NOT NULL,
    country         INTEGER,                               -- NULL: the provider's default
    operator        TEXT,
    max_price       TEXT,
    options         TEXT NOT NULL DEFAULT '{}',            -- JSON: forward, verification, …
    state           TEXT NOT NULL CHECK (state IN ('intent', 'unknown', 'failed', 'waiting',
                        'code_received', 'retry', 'finished', 'cancelled', 'expired')),
    activation_id   TEXT,                                  -- the provider's id, once bought
    phone           TEXT,
    cost            TEXT,
    deadline        REAL,
    message_id      INTEGER,                               -- the message that shows it
    sms_round       INTEGER NOT NULL DEFAULT 1,            -- 1 + the number of retries asked
    code_count      INTEGER NOT NULL DEFAULT 0,
    failure_reason  TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    confirmed_at    REAL,
    ended_at        REAL,
    UNIQUE (activation_id, provider),
    -- Bought rows have a provider id; intents and failures have none.
    CHECK ((state IN ('intent', 'unknown', 'failed')) = (activation_id IS NULL))
) STRICT;

CREATE TABLE activation_sms (
    id          INTEGER PRIMARY KEY,
    activation  INTEGER NOT NULL REFERENCES activations (id) ON DELETE CASCADE,
    sms_round   INTEGER NOT NULL,
    dedup       TEXT NOT NULL,                             -- the code, else the text
    code        TEXT,
    text        TEXT,
    received_at REAL,                                      -- the provider's time, if given
    recorded_at REAL NOT NULL,
    UNIQUE (activation, sms_round, dedup)
) STRICT;

CREATE TABLE rents (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL,
    provider        TEXT NOT NULL,
    service         TEXT NOT NULL,
    country         INTEGER,
    operator        TEXT,
    hours           INTEGER NOT NULL CHECK (hours > 0),
    options         TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL CHECK (state IN ('intent', 'unknown', 'failed', 'active',
                        'finished', 'cancelled', 'expired')),
    rent_id         TEXT,
    phone           TEXT,
    cost            TEXT,                                  -- NULL when only reconciled
    end_date        REAL,
    message_id      INTEGER,
    failure_reason  TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    confirmed_at    REAL,
    ended_at        REAL,
    UNIQUE (rent_id, provider),
    CHECK ((state IN ('intent', 'unknown', 'failed')) = (rent_id IS NULL))
) STRICT;

-- Each paid extension (continueRentNumber), recorded as an intent before the call.
CREATE TABLE rent_extensions (
    id              INTEGER PRIMARY KEY,
    rent            INTEGER NOT NULL REFERENCES rents (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL UNIQUE,
    hours           INTEGER NOT NULL CHECK (hours > 0),
    state           TEXT NOT NULL CHECK (state IN ('intent', 'confirmed', 'failed')),
    cost            TEXT,
    new_end_date    REAL,
    failure_reason  TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
) STRICT;

-- Each SMS of a rent already pushed to the user.
CREATE TABLE rent_sms (
    id          INTEGER PRIMARY KEY,
    rent        INTEGER NOT NULL REFERENCES rents (id) ON DELETE CASCADE,
    dedup       TEXT NOT NULL,                             -- sha256 of sender, text and date
    phone_from  TEXT,
    text        TEXT NOT NULL,
    service     TEXT,
    received_at REAL,
    recorded_at REAL NOT NULL,
    UNIQUE (rent, dedup)
) STRICT;

-- python-telegram-bot persistence: conversation and UI state only, as JSON.
CREATE TABLE ptb_state (
    kind       TEXT NOT NULL CHECK (kind IN ('user_data', 'chat_data', 'bot_data',
                   'callback_data', 'conversation')),
    name       TEXT NOT NULL DEFAULT '',                   -- the conversation handler's name
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (kind, name, key)
) STRICT, WITHOUT ROWID;
