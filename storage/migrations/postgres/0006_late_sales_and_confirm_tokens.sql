-- 0006, PostgreSQL dialect: purchases whose "not bought" may be contradicted later, and confirm
-- screens' tokens (see migrations/sqlite/0006_late_sales_and_confirm_tokens.sql).
ALTER TABLE activations ADD COLUMN recheck_until DOUBLE PRECISION;
CREATE INDEX activations_recheck ON activations (recheck_until) WHERE recheck_until IS NOT NULL;
ALTER TABLE rents ADD COLUMN recheck_until DOUBLE PRECISION;
CREATE INDEX rents_recheck ON rents (recheck_until) WHERE recheck_until IS NOT NULL;

CREATE TABLE confirm_tokens (
    token        TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    issued_at    DOUBLE PRECISION NOT NULL,
    expires_at   DOUBLE PRECISION NOT NULL,
    used_at      DOUBLE PRECISION,
    withdrawn_at DOUBLE PRECISION
);

CREATE INDEX confirm_tokens_open ON confirm_tokens (user_id, kind)
    WHERE used_at IS NULL AND withdrawn_at IS NULL;
