-- +goose Up
-- An invoice carries its provider as issued: the business id (Y-tunnus)
-- and name of the site's provider when the portal first wrote it. The
-- yearly deduction report uses these, so a site whose provider changed
-- mid-year is reported under both companies. NULL only until the write
-- that stamps a new row; existing rows take the site's current provider,
-- the best that is known of them.
ALTER TABLE invoices ADD COLUMN provider_business_id TEXT;
ALTER TABLE invoices ADD COLUMN provider_name TEXT;
UPDATE invoices SET
    provider_business_id = (SELECT p.business_id FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id),
    provider_name = (SELECT p.name FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id);

-- +goose Down
ALTER TABLE invoices DROP COLUMN provider_name;
ALTER TABLE invoices DROP COLUMN provider_business_id;
