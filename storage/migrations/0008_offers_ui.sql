-- 0008: issue 17's Telegram side. A /key step may name the provider the key is for (NULL: the
-- user's current one), so "/key grizzlysms" then the key still lands there after a restart; an
-- auto-replace run remembers the message that shows it, so its live card is found again.
ALTER TABLE key_entries ADD COLUMN provider TEXT;
ALTER TABLE autoreplace_runs ADD COLUMN card_message_id INTEGER;
