-- +goose Up
-- Accounts: the display form of the address a code was sent to (email
-- change), attempt counters for throttling shared by every instance, and
-- the devices that have signed in to an account before (exempt from the
-- per-account sign-in delay, so an attacker cannot lock the owner out).
ALTER TABLE one_time_codes ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE throttle (
    key           TEXT PRIMARY KEY,
    count         INTEGER NOT NULL,
    window_start  DATETIME NOT NULL,
    blocked_until DATETIME
);

CREATE TABLE known_devices (
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    device_hash BLOB NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (account_id, device_hash)
);

-- +goose Down
DROP TABLE known_devices;
DROP TABLE throttle;
ALTER TABLE one_time_codes DROP COLUMN email;
