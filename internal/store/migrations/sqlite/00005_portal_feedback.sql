-- +goose Up
-- Feedback about the portal itself (seed sentence 19), read by the chain.
-- The contact address is kept only when the person allows contacting them.
CREATE TABLE portal_feedback (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    message         TEXT NOT NULL,
    contact_allowed BOOLEAN NOT NULL,
    contact_email   TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    page            TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL
);
CREATE INDEX portal_feedback_created ON portal_feedback (created_at);

-- +goose Down
DROP TABLE portal_feedback;
