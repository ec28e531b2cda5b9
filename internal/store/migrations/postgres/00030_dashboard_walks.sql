-- +goose Up
-- A home's dashboard finds its next visit and its cancelled visits ahead
-- by walking the home's visits by start. visits_site_start holds every
-- visit the home ever had, so the walk read all of the past ones first
-- and grew with each year of a customer's history. These indexes hold
-- only the visits each walk is after (those still open, those
-- cancelled), in its order, so it starts near today.
CREATE INDEX visits_site_open ON visits (site_id, starts_at)
  WHERE status NOT IN ('cancelled_customer', 'cancelled_provider', 'done') AND deleted_at IS NULL;
CREATE INDEX visits_site_cancelled ON visits (site_id, starts_at, id)
  WHERE status IN ('cancelled_customer', 'cancelled_provider') AND deleted_at IS NULL;
-- The latest bill is the last by issue date and id: with the id in the
-- index PostgreSQL reads it without sorting all of the home's bills.
DROP INDEX invoices_site_issued;
CREATE INDEX invoices_site_issued ON invoices (site_id, issued_on, id);

-- +goose Down
DROP INDEX invoices_site_issued;
CREATE INDEX invoices_site_issued ON invoices (site_id, issued_on);
DROP INDEX visits_site_cancelled;
DROP INDEX visits_site_open;
