-- +goose Up
-- The provider's pages at the scale of a large provider (33 000 homes):
-- the inbox and the day's schedule read compact indexes instead of every
-- thread's messages and every home's row.

-- A thread carries its newest message, its newest customer message and
-- its site's provider, kept by triggers whoever writes, so the inbox walks
-- the provider's threads latest first (threads_provider_last) and counts
-- unread messages for one page only. Counting every thread's messages for
-- the order took 0.6 s.
ALTER TABLE threads ADD COLUMN last_message_id BIGINT;
ALTER TABLE threads ADD COLUMN last_customer_message_id BIGINT;
ALTER TABLE threads ADD COLUMN provider_id BIGINT;
UPDATE threads SET
    last_message_id = (SELECT max(m.id) FROM messages m WHERE m.thread_id = threads.id),
    last_customer_message_id = (SELECT max(m.id) FROM messages m WHERE m.thread_id = threads.id AND m.author_kind = 'customer'),
    provider_id = (SELECT s.provider_id FROM sites s WHERE s.id = threads.site_id);
CREATE INDEX threads_provider_last ON threads (provider_id, last_message_id);

-- +goose StatementBegin
CREATE TRIGGER messages_thread_last AFTER INSERT ON messages
BEGIN
    UPDATE threads SET
        last_message_id = max(COALESCE(last_message_id, 0), NEW.id),
        last_customer_message_id = CASE WHEN NEW.author_kind = 'customer'
            THEN max(COALESCE(last_customer_message_id, 0), NEW.id) ELSE last_customer_message_id END
    WHERE id = NEW.thread_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER threads_provider_new AFTER INSERT ON threads
BEGIN
    UPDATE threads SET provider_id = (SELECT s.provider_id FROM sites s WHERE s.id = NEW.site_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sites_provider_threads AFTER UPDATE OF provider_id ON sites
BEGIN
    UPDATE threads SET provider_id = NEW.provider_id WHERE site_id = NEW.id;
    UPDATE visits SET provider_id = NEW.provider_id WHERE site_id = NEW.id;
END;
-- +goose StatementEnd

-- A visit carries its site's provider too (kept by the triggers here and
-- above), so the schedule walks the provider's visits of a day in
-- visits_provider_day, some 2 400 entries for a provider of 33 000 homes,
-- instead of all providers' 7 000 with a site lookup each, and stops at
-- its page; the filters (status, worker) read the index only. The site's
-- own provider is still checked for the rows shown.
ALTER TABLE visits ADD COLUMN provider_id BIGINT;
UPDATE visits SET provider_id = (SELECT s.provider_id FROM sites s WHERE s.id = visits.site_id);
CREATE INDEX visits_provider_day ON visits (provider_id, starts_at, status, worker_first_name, deleted_at, id);
-- +goose StatementBegin
CREATE TRIGGER visits_provider_new AFTER INSERT ON visits
BEGIN
    UPDATE visits SET provider_id = (SELECT s.provider_id FROM sites s WHERE s.id = NEW.site_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER visits_provider_site AFTER UPDATE OF site_id ON visits
BEGIN
    UPDATE visits SET provider_id = (SELECT s.provider_id FROM sites s WHERE s.id = NEW.site_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- The inbox checks each walked thread's site and customer in these
-- indexes, not in their rows.
CREATE INDEX sites_provider_live ON sites (id, provider_id, deleted_at, customer_id);
CREATE INDEX customers_live ON customers (id, deleted_at);

-- +goose Down
DROP INDEX customers_live;
DROP INDEX sites_provider_live;
DROP TRIGGER visits_provider_site;
DROP TRIGGER visits_provider_new;
DROP INDEX visits_provider_day;
ALTER TABLE visits DROP COLUMN provider_id;
DROP TRIGGER sites_provider_threads;
DROP TRIGGER threads_provider_new;
DROP TRIGGER messages_thread_last;
DROP INDEX threads_provider_last;
ALTER TABLE threads DROP COLUMN provider_id;
ALTER TABLE threads DROP COLUMN last_customer_message_id;
ALTER TABLE threads DROP COLUMN last_message_id;
