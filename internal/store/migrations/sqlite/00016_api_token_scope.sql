-- +goose Up
-- A sync API token's scope (docs/sync-api.md): NULL for every provider's
-- records (the chain's ERP), or the one provider whose records the token
-- may write and read. Deleting the provider deletes its tokens, so a
-- scoped token never widens to all.
ALTER TABLE api_tokens ADD COLUMN provider_id INTEGER REFERENCES providers (id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN provider_id;
