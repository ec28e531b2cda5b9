-- +goose Up
-- What a bill needs to be paid (issue 19, C14): the provider's bank
-- account (IBAN in its electronic form, and the BIC when the ERP sends
-- it) and each invoice's reference number (viitenumero or RF creditor
-- reference, electronic form). Empty until the ERP or the import sends
-- them: the bill then says the details come with the paper bill.
-- An invoice also keeps the account of the provider that issued it
-- (provider_iban, provider_bic, next to 00019's stamp), so a bill issued
-- before the site moved to another provider is still paid to the first:
-- stamped with the invoice, or filled in when the issuer's account
-- arrives later (only from the provider of the stamped business id).
ALTER TABLE providers ADD COLUMN iban TEXT NOT NULL DEFAULT '';
ALTER TABLE providers ADD COLUMN bic TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN reference TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN provider_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN provider_bic TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE invoices DROP COLUMN provider_bic;
ALTER TABLE invoices DROP COLUMN provider_iban;
ALTER TABLE invoices DROP COLUMN reference;
ALTER TABLE providers DROP COLUMN bic;
ALTER TABLE providers DROP COLUMN iban;
