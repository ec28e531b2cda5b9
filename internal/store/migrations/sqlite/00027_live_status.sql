-- +goose Up
-- Live visit status (C12): the worker marks today's visit "on the way"
-- (with an optional arrival estimate), "arrived" and "done" (with an
-- optional note to the customer). Each step keeps its time; NULL means
-- "not yet". A visit the ERP marks done has no done_at.
ALTER TABLE visits ADD COLUMN departed_at DATETIME;
ALTER TABLE visits ADD COLUMN arrival_estimate DATETIME;
ALTER TABLE visits ADD COLUMN arrived_at DATETIME;
ALTER TABLE visits ADD COLUMN done_at DATETIME;
ALTER TABLE visits ADD COLUMN done_note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE visits DROP COLUMN done_note;
ALTER TABLE visits DROP COLUMN done_at;
ALTER TABLE visits DROP COLUMN arrived_at;
ALTER TABLE visits DROP COLUMN arrival_estimate;
ALTER TABLE visits DROP COLUMN departed_at;
