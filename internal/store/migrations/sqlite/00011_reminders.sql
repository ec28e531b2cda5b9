-- +goose Up
-- The days whose visit reminders were sent (the evening before, 18:00
-- Helsinki): the first run for a day takes its row, so a second instance
-- or a retried job never reminds twice.
CREATE TABLE reminder_runs (
    day     DATE PRIMARY KEY,
    sent_at DATETIME NOT NULL,
    visits  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE reminder_runs;
