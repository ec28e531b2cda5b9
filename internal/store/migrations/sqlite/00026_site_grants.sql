-- +goose Up
-- Family access (PRODUCT.md C11): the owner of a site (the account whose
-- verified email matches the site's customer record) invites a person by
-- email with a role. One row is one invitation and, once accepted, the
-- grant it became: pending (accepted_at NULL, ended_at NULL, expires_at in
-- the future), active (accepted_at set, ended_at NULL) or ended (revoked by
-- the owner or left by the grantee: ended_by 'owner' or 'grantee').
-- Only the SHA-256 of the invitation link's token is kept; it is single use
-- (accepting sets accepted_at). The invited address is normalised like
-- accounts' (emailaddr); accepting needs a verified account on exactly it.
CREATE TABLE site_grants (
    id                 INTEGER PRIMARY KEY,
    site_id            INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role               TEXT NOT NULL CHECK (role IN ('follower', 'caretaker')),
    email              TEXT NOT NULL,
    email_norm         TEXT NOT NULL,
    invited_by         INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    token_hash         BLOB NOT NULL UNIQUE,
    language           TEXT NOT NULL DEFAULT '',
    created_at         DATETIME NOT NULL,
    expires_at         DATETIME NOT NULL,
    accepted_at        DATETIME,
    grantee_account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    ended_at           DATETIME,
    ended_by           TEXT NOT NULL DEFAULT '' CHECK (ended_by IN ('', 'owner', 'grantee')),
    last_used_at       DATETIME
);
-- The access rule looks up a grantee's active grants on every page.
CREATE INDEX site_grants_grantee ON site_grants (grantee_account_id) WHERE ended_at IS NULL AND accepted_at IS NOT NULL;
CREATE INDEX site_grants_site ON site_grants (site_id) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX site_grants_site;
DROP INDEX site_grants_grantee;
DROP TABLE site_grants;
