-- +goose Up
-- The deduction for replacing oil heating (60 %, at most 3 500 € a
-- person, omavastuu 100 €) applied in 2023 and 2024 too (vero.fi); the
-- seeded rules had it from 2025 only. A rule the chain admin already set
-- is kept.
INSERT INTO deduction_rules (year, work_type, rate_bp, max_cents, omavastuu_cents, updated_at) VALUES
    (2023, 'oil_heating', 6000, 350000, 10000, CURRENT_TIMESTAMP),
    (2024, 'oil_heating', 6000, 350000, 10000, CURRENT_TIMESTAMP)
ON CONFLICT (year, work_type) DO NOTHING;

-- +goose Down
DELETE FROM deduction_rules WHERE work_type = 'oil_heating' AND year IN (2023, 2024);
