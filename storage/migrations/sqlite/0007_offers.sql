-- 0007 (issue 17): spending caps, the code-rate index, and auto-replace runs.

-- A user's spending caps (Decimal text, NULL: no cap), per UTC day and per UTC month.
ALTER TABLE users ADD COLUMN daily_cap TEXT;
ALTER TABLE users ADD COLUMN monthly_cap TEXT;

-- The code-rate aggregate reads one service in one country over the last N days, across every
-- provider and user: this index holds exactly the rows it reads, in that order.
CREATE INDEX activations_code_rate ON activations (service, country, created_at);

-- An auto-replace run: up to max_tries purchases of one service in one country, each waiting
-- wait_seconds for a code, together costing at most spend_cap. The current step's intent key is
-- written here BEFORE its paid call, so a restart finds that purchase instead of making another.
CREATE TABLE autoreplace_runs (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL,
    service         TEXT NOT NULL,
    country         INTEGER NOT NULL,
    operator        TEXT,
    max_tries       INTEGER NOT NULL CHECK (max_tries > 0),
    wait_seconds    REAL NOT NULL CHECK (wait_seconds > 0),
    spend_cap       TEXT NOT NULL,                         -- Decimal
    state           TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'cancelled',
                        'exhausted', 'capped', 'failed')),
    tries           INTEGER NOT NULL DEFAULT 0,            -- steps started (intents recorded)
    step_key        TEXT,                                  -- the current step's intent key
    step_provider   TEXT,
    step_price      TEXT,                                  -- the price the step was bought at
    step_ledger_id  INTEGER,                               -- its activation, once known
    failed_providers TEXT NOT NULL DEFAULT '[]',           -- JSON list: providers that gave no code
    stop_reason     TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
) STRICT;

CREATE INDEX autoreplace_running ON autoreplace_runs (user_id) WHERE state = 'running';
