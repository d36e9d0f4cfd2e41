-- 0011: an auto-replace run keeps the user's max price per number (/buy's "Max price", a Decimal
-- as text; NULL: none), so no step of the run buys a number dearer than the user allowed.
ALTER TABLE autoreplace_runs ADD COLUMN max_price TEXT;
