-- 0008 (issue 15): several processes on one database. SQLite serves one process, which owns
-- every shard and never reads shard_leases; the tables exist so both engines keep one schema.

-- An outbox event being sent: by whom (a process id) and until when (Unix seconds). Only the
-- oldest undelivered event of a chat may be claimed, so a chat's messages go out in order.
ALTER TABLE events ADD COLUMN claimed_by TEXT;
ALTER TABLE events ADD COLUMN claim_until REAL;
CREATE INDEX events_chat_pending ON events (chat_id, id)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;

-- Users fall into shards (user_id % 64); the owner of a shard's lease runs its watchers and
-- notifier. lease_until is on the database's clock; epoch grows with every change of owner.
CREATE TABLE shard_leases (
    shard       INTEGER PRIMARY KEY,
    owner       TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    epoch       INTEGER NOT NULL DEFAULT 0
);

-- The processes alive (renewed with their leases), so each can aim at its fair share.
CREATE TABLE cluster_members (
    owner       TEXT PRIMARY KEY,
    alive_until REAL NOT NULL
);

-- Telegram updates handled through the webhook: a re-sent one is acknowledged and ignored.
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at REAL NOT NULL
);
CREATE INDEX processed_updates_age ON processed_updates (processed_at);
