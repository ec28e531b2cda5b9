-- +goose Up
-- The chain admin's console (PRODUCT.md C9). An invitation lets head office
-- name a provider's staff member before the person has an account: when an
-- account verifies the invited address, it becomes staff in the same
-- transaction. At most one open invitation per address, so a second one
-- replaces the first rather than racing it.
CREATE TABLE staff_invites (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    email_norm  TEXT NOT NULL,
    provider_id INTEGER NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    invited_by  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  DATETIME NOT NULL,
    accepted_at DATETIME,
    account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX staff_invites_open ON staff_invites (email_norm) WHERE accepted_at IS NULL;
CREATE INDEX staff_invites_provider ON staff_invites (provider_id);

-- The audit log viewer filters by actor and by customer, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor_account_id, at);
CREATE INDEX audit_log_customer ON audit_log (customer_id, at);

-- +goose Down
DROP INDEX audit_log_customer;
DROP INDEX audit_log_actor;
DROP TABLE staff_invites;
