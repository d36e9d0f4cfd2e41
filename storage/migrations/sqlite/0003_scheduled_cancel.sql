-- 0003: a cancel the user asked for while the provider still refused it (EARLY_CANCEL_DENIED).
-- The watcher sends it once cancel_at has passed; kept in the ledger so a restart keeps it.
ALTER TABLE activations ADD COLUMN cancel_at REAL;
