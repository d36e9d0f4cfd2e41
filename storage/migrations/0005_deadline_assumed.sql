-- 0005: whether an activation's deadline is the provider's (activationEndTime) or assumed from
-- the service's usual lifetime. An assumed one is shown as approximate, and the watcher asks
-- the provider before it cancels by it. Rows from before count as the provider's (unchanged).
ALTER TABLE activations ADD COLUMN deadline_assumed INTEGER NOT NULL DEFAULT 0;
