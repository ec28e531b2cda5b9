-- +goose Up
-- The second factor (SECURITY.md): required of provider staff and chain
-- admins, optional for customers (a passkey signs in without a password).
-- A session records when its second factor was given; NULL means only the
-- password was.
ALTER TABLE sessions ADD COLUMN second_factor_at DATETIME;

-- The WebAuthn user handle of an account: random, never shown, the same
-- for all of the account's passkeys.
ALTER TABLE accounts ADD COLUMN webauthn_handle BLOB;
CREATE UNIQUE INDEX accounts_webauthn_handle ON accounts (webauthn_handle);

-- Passkeys: the credential as the WebAuthn library stores it (JSON), found
-- by its id when it signs in.
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    last_used_at  DATETIME
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- A WebAuthn ceremony in progress: the challenge and what it was begun
-- for, found by the SHA-256 of the token the page holds; used once.
CREATE TABLE webauthn_ceremonies (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    expires_at DATETIME NOT NULL
);

-- TOTP (RFC 6238): the secret sealed with the server's key; last_step is
-- the last time step accepted, so no code works twice.
CREATE TABLE totp_secrets (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret_enc   BLOB NOT NULL,
    confirmed_at DATETIME,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL
);

-- Recovery codes: only their SHA-256 (they are long and random), used
-- once each.
CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    DATETIME,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE totp_secrets;
DROP TABLE webauthn_ceremonies;
DROP TABLE passkeys;
DROP INDEX accounts_webauthn_handle;
ALTER TABLE accounts DROP COLUMN webauthn_handle;
ALTER TABLE sessions DROP COLUMN second_factor_at;
