-- +goose Up
-- When each side of a thread was last emailed about unread messages, so
-- that a thread sends at most one such email per side per 15 minutes.
ALTER TABLE threads ADD COLUMN customer_emailed_at TIMESTAMPTZ;
ALTER TABLE threads ADD COLUMN provider_emailed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE threads DROP COLUMN provider_emailed_at;
ALTER TABLE threads DROP COLUMN customer_emailed_at;
