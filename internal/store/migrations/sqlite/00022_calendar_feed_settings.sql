-- +goose Up
-- A calendar feed's own settings. show_address puts the home's street
-- address in each event's LOCATION; it is off by default, because a leaked
-- feed address would then tell where and when a worker with the keys
-- comes. language is the language of the feed's texts (event titles, the
-- calendar's name): calendar apps fetch the feed without a session, so the
-- language chosen when the address was made is kept with it.
ALTER TABLE calendar_feeds ADD COLUMN show_address BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE calendar_feeds ADD COLUMN language TEXT NOT NULL DEFAULT 'fi';

-- +goose Down
ALTER TABLE calendar_feeds DROP COLUMN language;
ALTER TABLE calendar_feeds DROP COLUMN show_address;
