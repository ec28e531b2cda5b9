-- +goose Up
-- Web Push (PRODUCT.md C5). The server's VAPID key pair: one row, made by
-- the first instance that starts (insert if absent, then read back), since
-- browsers bind each subscription to the public key it was made with.
CREATE TABLE vapid_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);

-- One row per device that allowed notifications: the browser's push
-- endpoint (one per device and site, so subscribing again updates the row)
-- and the keys its payloads are encrypted to. The consent is per device:
-- the text version shown and the time it was given live with the row they
-- allow, and go with it.
CREATE TABLE push_subscriptions (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint             TEXT NOT NULL UNIQUE,
    p256dh               TEXT NOT NULL,
    auth                 TEXT NOT NULL,
    user_agent           TEXT NOT NULL DEFAULT '',
    consent_text_version TEXT NOT NULL,
    consented_at         DATETIME NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    last_used_at         DATETIME
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- Kinds of notification an account turned on or off; a kind without a row
-- is on.
CREATE TABLE notification_preferences (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- +goose Down
DROP TABLE notification_preferences;
DROP TABLE push_subscriptions;
DROP TABLE vapid_keys;
