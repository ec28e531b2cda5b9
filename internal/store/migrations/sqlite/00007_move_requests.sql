-- +goose Up
-- A customer's request to move a visit: up to three proposed start times
-- and a message; the provider accepts one of the times or declines. At most
-- one request per visit is pending; a new one replaces it.
-- status: 'pending', 'accepted', 'declined', 'replaced' (by a newer
-- request) or 'closed' (the visit was changed or cancelled otherwise).
CREATE TABLE move_requests (
    id                 INTEGER PRIMARY KEY,
    visit_id           INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    account_id         INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    status             TEXT NOT NULL,
    option1_at         DATETIME NOT NULL,
    option2_at         DATETIME,
    option3_at         DATETIME,
    message            TEXT NOT NULL DEFAULT '',
    answer             TEXT NOT NULL DEFAULT '',
    chosen_at          DATETIME,
    answered_by        INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    answered_at        DATETIME,
    created_at         DATETIME NOT NULL
);
CREATE INDEX move_requests_visit ON move_requests (visit_id, id);
CREATE UNIQUE INDEX move_requests_pending ON move_requests (visit_id) WHERE status = 'pending';

-- The provider's day and upcoming lists read visits by start time over
-- all of its sites.
CREATE INDEX visits_start ON visits (starts_at);

-- System messages (a visit moved, cancelled or done by the provider) carry
-- what happened as a kind and JSON data, so each reader sees them in their
-- own language; body keeps a Finnish rendering for other systems.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN data TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE messages DROP COLUMN data;
ALTER TABLE messages DROP COLUMN kind;
DROP INDEX visits_start;
DROP TABLE move_requests;
