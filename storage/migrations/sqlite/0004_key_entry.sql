-- 0004: a pending /key step, so the message after /key is known to be a key even after a restart
-- (PTB persistence is flushed only every minute). One row per user; it names the chat /key was
-- sent in (only a message there is taken as the key) and when the step lapses.
CREATE TABLE key_entries (
    user_id    INTEGER PRIMARY KEY,                        -- Telegram user id
    chat_id    INTEGER NOT NULL,                           -- the chat /key was sent in
    asked_at   REAL NOT NULL,
    expires_at REAL NOT NULL
) STRICT;
