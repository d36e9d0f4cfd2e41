-- 0006: purchases whose "not bought" may be contradicted later, and confirm screens' tokens.

-- A purchase judged "not bought" without the provider's definite word (its answer was lost or
-- unreadable) is looked for again at the provider until recheck_until: a number sold late is
-- then adopted and cancelled for the refund. NULL: nothing to look for (a definite refusal).
ALTER TABLE activations ADD COLUMN recheck_until REAL;
CREATE INDEX activations_recheck ON activations (recheck_until) WHERE recheck_until IS NOT NULL;
ALTER TABLE rents ADD COLUMN recheck_until REAL;
CREATE INDEX rents_recheck ON rents (recheck_until) WHERE recheck_until IS NOT NULL;

-- Each confirm screen's token (the paid call's idempotency key), and what became of it. A press
-- buys only while the token is open (not used, not withdrawn) and unexpired; a press claims it
-- here, durably, before the bot answers, so no older copy of the UI state can revive it.
CREATE TABLE confirm_tokens (
    token       TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,                             -- which screen: buy, rent, multi, …
    issued_at   REAL NOT NULL,
    expires_at  REAL NOT NULL,
    used_at     REAL,                                      -- the press that may buy
    withdrawn_at REAL                                      -- superseded or answered "expired"
) STRICT;

CREATE INDEX confirm_tokens_open ON confirm_tokens (user_id, kind)
    WHERE used_at IS NULL AND withdrawn_at IS NULL;
