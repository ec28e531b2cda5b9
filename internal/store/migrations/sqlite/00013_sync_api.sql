-- +goose Up
-- The ERP sync API (PRODUCT.md C10, docs/sync-api.md).
-- One row per integration token. Only the SHA-256 of the token is kept, so a
-- copy of the database does not hand out access; a name is unique among the
-- tokens still in use, so a revoked name can be issued again.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- erp_version: the ERP's own version of the row as last applied (0: never
-- written through the API), so an older copy cannot undo a newer one.
-- erp_digest: SHA-256 of that copy's content, which tells a repeated
-- upsert (unchanged) from a different copy under the same version.
-- deleted_at: the ERP deleted the row; it stays (invoices belong to the
-- accounting period) but the portal no longer shows it.
ALTER TABLE providers ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN deleted_at DATETIME;
ALTER TABLE sites ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN deleted_at DATETIME;
ALTER TABLE contracts ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contracts ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE contracts ADD COLUMN deleted_at DATETIME;
ALTER TABLE visits ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN deleted_at DATETIME;
ALTER TABLE invoices ADD COLUMN erp_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN erp_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN deleted_at DATETIME;

-- +goose Down
ALTER TABLE invoices DROP COLUMN deleted_at;
ALTER TABLE invoices DROP COLUMN erp_digest;
ALTER TABLE invoices DROP COLUMN erp_version;
ALTER TABLE visits DROP COLUMN deleted_at;
ALTER TABLE visits DROP COLUMN erp_digest;
ALTER TABLE visits DROP COLUMN erp_version;
ALTER TABLE contracts DROP COLUMN deleted_at;
ALTER TABLE contracts DROP COLUMN erp_digest;
ALTER TABLE contracts DROP COLUMN erp_version;
ALTER TABLE sites DROP COLUMN deleted_at;
ALTER TABLE sites DROP COLUMN erp_digest;
ALTER TABLE sites DROP COLUMN erp_version;
ALTER TABLE customers DROP COLUMN deleted_at;
ALTER TABLE customers DROP COLUMN erp_digest;
ALTER TABLE customers DROP COLUMN erp_version;
ALTER TABLE providers DROP COLUMN erp_digest;
ALTER TABLE providers DROP COLUMN erp_version;
DROP TABLE api_tokens;
