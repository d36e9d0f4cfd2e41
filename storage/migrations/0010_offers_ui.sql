-- 0010: issue 17's Telegram side. A /key step may name the provider the key is for (NULL: the
-- user's current one), so "/key grizzlysms" then the key still lands there after a restart; an
-- auto-replace run remembers the message that shows it, so its live card is found again, and the
-- names its numbers are shown with (the service's, the country's by locale as JSON).
ALTER TABLE key_entries ADD COLUMN provider TEXT;
ALTER TABLE autoreplace_runs ADD COLUMN card_message_id INTEGER;
ALTER TABLE autoreplace_runs ADD COLUMN service_name TEXT;
ALTER TABLE autoreplace_runs ADD COLUMN country_names TEXT;
