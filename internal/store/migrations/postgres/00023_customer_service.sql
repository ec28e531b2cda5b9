-- +goose Up
-- The chain's customer service, as the contact page and the mails that
-- say "contact customer service" name it: a phone number and an email
-- address, set in the console's policies ('' until then).
ALTER TABLE chain_policies ADD COLUMN customer_service_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE chain_policies ADD COLUMN customer_service_email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE chain_policies DROP COLUMN customer_service_email;
ALTER TABLE chain_policies DROP COLUMN customer_service_phone;
