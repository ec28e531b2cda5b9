-- +goose Up
-- The secret calendar-feed address of an account: only the SHA-256 of its
-- token is kept; making a new one replaces (revokes) the old.
CREATE TABLE calendar_feeds (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE calendar_feeds;
