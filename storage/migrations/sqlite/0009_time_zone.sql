-- 0009: the user's time zone (an IANA name such as "Europe/Madrid"), so times are shown as the
-- user reads a clock; NULL shows them in UTC, as before.
ALTER TABLE users ADD COLUMN time_zone TEXT;
