-- 0008, PostgreSQL dialect (issue 15): outbox claims, shard leases, cluster members and the
-- processed Telegram updates (see migrations/sqlite/0008_replicas.sql for what each holds).

ALTER TABLE events ADD COLUMN claimed_by TEXT;
ALTER TABLE events ADD COLUMN claim_until DOUBLE PRECISION;
CREATE INDEX events_chat_pending ON events (chat_id, id)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;

CREATE TABLE shard_leases (
    shard       INTEGER PRIMARY KEY,
    owner       TEXT,
    lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    epoch       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE cluster_members (
    owner       TEXT PRIMARY KEY,
    alive_until DOUBLE PRECISION NOT NULL
);

CREATE TABLE processed_updates (
    update_id    BIGINT PRIMARY KEY,
    processed_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX processed_updates_age ON processed_updates (processed_at);
