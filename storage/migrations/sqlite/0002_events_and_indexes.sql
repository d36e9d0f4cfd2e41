-- 0002: the event outbox, and the indexes behind the watcher's and the users' queries.

-- What the watcher saw, waiting to be pushed to a chat. A UNIQUE dedup key makes "seen twice"
-- one row; delivered_at is set only after Telegram accepted the message.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    user_id         INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL,
    payload         TEXT NOT NULL,                         -- JSON object
    dedup_key       TEXT NOT NULL UNIQUE,
    created_at      REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at    REAL,
    abandoned_at    REAL                                   -- gave up (e.g. the user blocked the bot)
) STRICT;

CREATE INDEX events_pending ON events (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;

-- Partial indexes hold only the live rows, so the watcher's query costs the same with a million
-- rows of history. Their WHERE must match the queries' text (see activations.py, rents.py).
CREATE INDEX activations_active ON activations (user_id, provider)
    WHERE state IN ('waiting', 'code_received', 'retry');
CREATE INDEX activations_pending ON activations (created_at)
    WHERE state IN ('intent', 'unknown');
CREATE INDEX activations_history ON activations (user_id, created_at);

CREATE INDEX rents_active ON rents (user_id, provider) WHERE state = 'active';
CREATE INDEX rents_pending ON rents (created_at) WHERE state IN ('intent', 'unknown');
CREATE INDEX rents_history ON rents (user_id, created_at);
CREATE INDEX rent_extensions_by_rent ON rent_extensions (rent);
