-- +goose Up
-- The ERP may name a service and an invoice line in Swedish and English
-- too; the portal shows the reader's language when it is there and the
-- Finnish name otherwise. Empty means "not given".
ALTER TABLE contracts ADD COLUMN service_sv TEXT NOT NULL DEFAULT '';
ALTER TABLE contracts ADD COLUMN service_en TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN service_sv TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN service_en TEXT NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN description_sv TEXT NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN description_en TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE invoice_lines DROP COLUMN description_en;
ALTER TABLE invoice_lines DROP COLUMN description_sv;
ALTER TABLE visits DROP COLUMN service_en;
ALTER TABLE visits DROP COLUMN service_sv;
ALTER TABLE contracts DROP COLUMN service_en;
ALTER TABLE contracts DROP COLUMN service_sv;
