-- +goose Up
-- A password reset suspends the account's passkeys: a suspended passkey
-- signs in only on a device that has signed in to the account since (with
-- the new password), and that use confirms it again.
ALTER TABLE passkeys ADD COLUMN suspended_at DATETIME;

-- +goose Down
ALTER TABLE passkeys DROP COLUMN suspended_at;
