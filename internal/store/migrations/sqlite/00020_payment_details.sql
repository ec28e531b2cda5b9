-- +goose Up
-- What a bill needs to be paid (issue 19, C14): the provider's bank
-- account (IBAN in its electronic form, and the BIC when the ERP sends
-- it) and each invoice's reference number (viitenumero or RF creditor
-- reference, electronic form). Empty until the ERP or the import sends
-- them: the bill then says the details come with the paper bill.
ALTER TABLE providers ADD COLUMN iban TEXT NOT NULL DEFAULT '';
ALTER TABLE providers ADD COLUMN bic TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN reference TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE invoices DROP COLUMN reference;
ALTER TABLE providers DROP COLUMN bic;
ALTER TABLE providers DROP COLUMN iban;
