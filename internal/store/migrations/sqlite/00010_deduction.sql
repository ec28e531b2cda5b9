-- +goose Up
-- The household deduction (PRODUCT.md C6). Every change of a customer
-- record's consent to automatic sending is kept (withdrawing keeps the
-- history); payers are counted, never copied here.
CREATE TABLE deduction_consent_history (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    at               DATETIME NOT NULL,
    enabled          BOOLEAN NOT NULL,
    text_version     TEXT NOT NULL,
    payer_count      INTEGER NOT NULL,
    actor_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE INDEX deduction_consent_history_customer ON deduction_consent_history (customer_id, at);

-- Each yearly export for the Tax Administration: the files written and
-- their SHA-256 checksums (hex).
CREATE TABLE deduction_exports (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    created_at   DATETIME NOT NULL,
    customers    INTEGER NOT NULL,
    csv_name     TEXT NOT NULL,
    csv_sha256   TEXT NOT NULL,
    json_name    TEXT NOT NULL,
    json_sha256  TEXT NOT NULL
);

-- +goose Down
DROP TABLE deduction_exports;
DROP TABLE deduction_consent_history;
