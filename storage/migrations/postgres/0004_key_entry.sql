-- 0004, PostgreSQL dialect: a pending /key step (see migrations/sqlite/0004_key_entry.sql).
CREATE TABLE key_entries (
    user_id    BIGINT PRIMARY KEY,
    chat_id    BIGINT NOT NULL,
    asked_at   DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
