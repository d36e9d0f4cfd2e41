-- 0003, PostgreSQL dialect: a cancel the user asked for while the provider still refused it.
ALTER TABLE activations ADD COLUMN cancel_at DOUBLE PRECISION;
