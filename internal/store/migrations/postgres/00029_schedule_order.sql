-- +goose Up
-- The schedule lists a day's visits by time and id, a page at a time.
-- visits_provider_day (00024) held the status before the id, so within a
-- start time its entries were not in the page's order: every page sorted
-- the provider's whole day (some 2 400 visits, each with its site and
-- customer looked up) before taking its 50. In this order the walk stops
-- at the page; status, worker, deletion and site are read from the index
-- alone, and the site and customer are looked up only for the visits
-- walked.
DROP INDEX visits_provider_day;
CREATE INDEX visits_provider_day ON visits (provider_id, starts_at, id, status, worker_first_name, deleted_at, site_id);

-- +goose Down
DROP INDEX visits_provider_day;
CREATE INDEX visits_provider_day ON visits (provider_id, starts_at, status, worker_first_name, deleted_at, id);
