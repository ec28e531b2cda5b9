-- +goose Up
-- The provider's inbox lists some 33 000 threads of a large provider,
-- unread first, then the latest first. Counting each thread's messages for
-- that took 0.6 s; a thread now carries its newest message and its newest
-- customer message, kept by a trigger whoever writes a message, so the
-- inbox orders threads by two columns and counts messages for one page
-- only.
ALTER TABLE threads ADD COLUMN last_message_id BIGINT;
ALTER TABLE threads ADD COLUMN last_customer_message_id BIGINT;
UPDATE threads SET
    last_message_id = (SELECT max(m.id) FROM messages m WHERE m.thread_id = threads.id),
    last_customer_message_id = (SELECT max(m.id) FROM messages m WHERE m.thread_id = threads.id AND m.author_kind = 'customer');

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

-- The schedule reads one day of visits of a provider's sites: the start
-- time bounds the rows (visits_start), and the site and status filter
-- them without visiting the table for each row.
CREATE INDEX visits_start_site ON visits (starts_at, site_id, status);

-- +goose Down
DROP INDEX visits_start_site;
DROP TRIGGER messages_thread_last;
ALTER TABLE threads DROP COLUMN last_customer_message_id;
ALTER TABLE threads DROP COLUMN last_message_id;
