-- +goose Up
-- The old extranet (PRODUCT.md C8). Its credentials are never kept as they
-- came (SECURITY.md): wrapped_hash is argon2id of the legacy hash, and
-- params holds what recomputes the legacy hash from a typed password (the
-- bcrypt cost and salt, or the SHA-256 salt), which is no secret.
-- algorithm: 'bcrypt' or 'sha256-salted'.
CREATE TABLE legacy_credentials (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    username      TEXT NOT NULL,
    username_norm TEXT NOT NULL UNIQUE,
    algorithm     TEXT NOT NULL,
    params        TEXT NOT NULL,
    wrapped_hash  TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX legacy_credentials_customer ON legacy_credentials (customer_id);

-- A legacy sign-in that succeeded, waiting for the person to choose the new
-- account's password: the ticket's SHA-256, short-lived and used once.
CREATE TABLE legacy_tickets (
    token_hash    BLOB PRIMARY KEY,
    credential_id INTEGER NOT NULL REFERENCES legacy_credentials (id) ON DELETE CASCADE,
    expires_at    DATETIME NOT NULL,
    used_at       DATETIME
);

-- What an import last wrote for each (source, kind, legacy id): a digest
-- of the row as read, so that a re-run tells unchanged rows from updated
-- ones without rewriting (or re-hashing) them.
CREATE TABLE import_rows (
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    digest      BLOB NOT NULL,
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);

-- One row per import run that wrote: what was read and what it did.
CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    files       TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    report      TEXT NOT NULL DEFAULT '{}'
);

-- +goose Down
DROP TABLE import_runs;
DROP TABLE import_rows;
DROP TABLE legacy_tickets;
DROP TABLE legacy_credentials;
