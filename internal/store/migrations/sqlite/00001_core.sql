-- +goose Up
-- Core data model. Times are UTC (DATETIME written by the driver in the
-- sortable SQLite format), calendar dates are DATE, money is integer cents,
-- VAT rates are basis points (2550 = 25.5 %).

-- Accounts: one row per sign-up. A row with verified_at NULL is a pending
-- sign-up claim; at most one verified account per normalised email.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    email_norm    TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    verified_at   DATETIME,
    language      TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX accounts_verified_email ON accounts (email_norm) WHERE verified_at IS NOT NULL;
CREATE INDEX accounts_email_norm ON accounts (email_norm);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    auth_at      DATETIME NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE one_time_codes (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    email_norm TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    tries      INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX one_time_codes_account ON one_time_codes (account_id, purpose);

CREATE TABLE providers (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    business_id TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (source, external_id)
);

CREATE TABLE provider_staff (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  DATETIME NOT NULL
);

CREATE TABLE chain_admins (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL
);

-- Customers: the company's records, one per contract holder. The account
-- link is derived: an account sees a record when the record's email_norm
-- equals the account's verified email_norm.
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    email_norm  TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX customers_email_norm ON customers (email_norm);

CREATE TABLE sites (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    provider_id      INTEGER NOT NULL REFERENCES providers (id),
    source           TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    street           TEXT NOT NULL,
    postal_code      TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    access_keys      TEXT NOT NULL DEFAULT '',
    access_door_code TEXT NOT NULL DEFAULT '',
    access_pets      TEXT NOT NULL DEFAULT '',
    access_parking   TEXT NOT NULL DEFAULT '',
    access_other     TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX sites_customer ON sites (customer_id);
CREATE INDEX sites_provider ON sites (provider_id);

-- kind: 'regular' or 'one_off'; work_type keys the deduction rules.
CREATE TABLE contracts (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    service     TEXT NOT NULL,
    work_type   TEXT NOT NULL DEFAULT 'household',
    rhythm      TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL DEFAULT 0,
    vat_free    BOOLEAN NOT NULL DEFAULT FALSE,
    start_date  DATE NOT NULL,
    end_date    DATE,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX contracts_site ON contracts (site_id);

CREATE TABLE visits (
    id                INTEGER PRIMARY KEY,
    site_id           INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    contract_id       INTEGER REFERENCES contracts (id) ON DELETE SET NULL,
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    starts_at         DATETIME NOT NULL,
    ends_at           DATETIME NOT NULL,
    status            TEXT NOT NULL,
    service           TEXT NOT NULL DEFAULT '',
    worker_first_name TEXT NOT NULL DEFAULT '',
    price_cents       BIGINT NOT NULL DEFAULT 0,
    customer_note     TEXT NOT NULL DEFAULT '',
    provider_note     TEXT NOT NULL DEFAULT '',
    sequence          INTEGER NOT NULL DEFAULT 0,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX visits_site_start ON visits (site_id, starts_at);

CREATE TABLE threads (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL UNIQUE REFERENCES sites (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL
);

-- author_kind: 'customer', 'provider' or 'system'.
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    thread_id         INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    author_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    author_kind       TEXT NOT NULL,
    author_name       TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL,
    created_at        DATETIME NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);

CREATE TABLE read_markers (
    thread_id            INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_read_message_id BIGINT NOT NULL,
    updated_at           DATETIME NOT NULL,
    PRIMARY KEY (thread_id, account_id)
);

-- status: 'open', 'paid', 'credited'; a credit note has negative totals.
CREATE TABLE invoices (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    site_id        INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    source         TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    number         TEXT NOT NULL,
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    issued_on      DATE NOT NULL,
    due_on         DATE NOT NULL,
    paid_on        DATE,
    status         TEXT NOT NULL,
    is_credit_note BOOLEAN NOT NULL DEFAULT FALSE,
    total_cents    BIGINT NOT NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX invoices_site_issued ON invoices (site_id, issued_on);
CREATE INDEX invoices_customer ON invoices (customer_id);

-- quantity_milli: hours in thousandths (1.5 h = 1500).
CREATE TABLE invoice_lines (
    id               INTEGER PRIMARY KEY,
    invoice_id       INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    description      TEXT NOT NULL,
    performed_on     DATE NOT NULL,
    quantity_milli   BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    vat_rate_bp      INTEGER NOT NULL,
    net_cents        BIGINT NOT NULL,
    vat_cents        BIGINT NOT NULL,
    total_cents      BIGINT NOT NULL,
    is_work          BOOLEAN NOT NULL,
    UNIQUE (invoice_id, position)
);

CREATE TABLE feedback (
    id                INTEGER PRIMARY KEY,
    site_id           INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visit_id          INTEGER REFERENCES visits (id) ON DELETE SET NULL,
    author_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    rating            INTEGER,
    comment           TEXT NOT NULL DEFAULT '',
    reply             TEXT NOT NULL DEFAULT '',
    replied_at        DATETIME,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX feedback_site ON feedback (site_id, created_at);

CREATE TABLE deduction_consents (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL UNIQUE REFERENCES customers (id) ON DELETE CASCADE,
    enabled      BOOLEAN NOT NULL,
    text_version TEXT NOT NULL DEFAULT '',
    migrated     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);

-- identity_code_enc: AES-256-GCM (nonce || ciphertext); share_bp of 10000.
CREATE TABLE deduction_payers (
    id                INTEGER PRIMARY KEY,
    consent_id        INTEGER NOT NULL REFERENCES deduction_consents (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    identity_code_enc BLOB NOT NULL,
    share_bp          INTEGER NOT NULL,
    UNIQUE (consent_id, position)
);

CREATE TABLE deduction_rules (
    year            INTEGER NOT NULL,
    work_type       TEXT NOT NULL,
    rate_bp         INTEGER NOT NULL,
    max_cents       BIGINT NOT NULL,
    omavastuu_cents BIGINT NOT NULL,
    updated_at      DATETIME NOT NULL,
    PRIMARY KEY (year, work_type)
);

-- Chain-wide policies: exactly one row.
CREATE TABLE chain_policies (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    cancel_deadline_days   INTEGER NOT NULL,
    late_fee_percent       INTEGER NOT NULL,
    legacy_cutover_date    DATE NOT NULL,
    legacy_retirement_date DATE NOT NULL,
    order_service_url      TEXT NOT NULL,
    updated_at             DATETIME NOT NULL
);

-- The outbox: durable background work (mail, push), at least once.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    run_at      DATETIME NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until DATETIME,
    leased_by   TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    done_at     DATETIME
);
CREATE INDEX jobs_due ON jobs (done_at, run_at);

-- Append-only record of staff and admin reads and changes of customer data.
CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               DATETIME NOT NULL,
    actor_account_id INTEGER,
    actor_role       TEXT NOT NULL,
    action           TEXT NOT NULL,
    customer_id      INTEGER,
    site_id          INTEGER,
    detail           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Changes journal: every change made in the portal, numbered from
-- change_counter in the same transaction, so the numbers commit in order.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE changes (
    seq         BIGINT PRIMARY KEY,
    at          DATETIME NOT NULL,
    kind        TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    customer_id INTEGER,
    site_id     INTEGER,
    data        TEXT NOT NULL DEFAULT '{}'
);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_counter;
DROP TABLE audit_log;
DROP TABLE jobs;
DROP TABLE chain_policies;
DROP TABLE deduction_rules;
DROP TABLE deduction_payers;
DROP TABLE deduction_consents;
DROP TABLE feedback;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE read_markers;
DROP TABLE messages;
DROP TABLE threads;
DROP TABLE visits;
DROP TABLE contracts;
DROP TABLE sites;
DROP TABLE customers;
DROP TABLE chain_admins;
DROP TABLE provider_staff;
DROP TABLE providers;
DROP TABLE one_time_codes;
DROP TABLE sessions;
DROP TABLE accounts;
