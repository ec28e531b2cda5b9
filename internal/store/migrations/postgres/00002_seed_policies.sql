-- +goose Up
-- Household tax deduction rules as published by the Tax Administration
-- (vero.fi); editable later by the chain admin. Rates in basis points,
-- amounts in cents. Work types: household, care, renovation (the "other
-- work" of 2023-2024), oil_heating (replacing oil heating, 2025-).
INSERT INTO deduction_rules (year, work_type, rate_bp, max_cents, omavastuu_cents, updated_at) VALUES
    (2023, 'household',   6000, 350000, 10000, now()),
    (2023, 'care',        6000, 350000, 10000, now()),
    (2023, 'renovation',  4000, 225000, 10000, now()),
    (2024, 'household',   6000, 350000, 10000, now()),
    (2024, 'care',        6000, 350000, 10000, now()),
    (2024, 'renovation',  4000, 225000, 10000, now()),
    (2025, 'household',   3500, 160000, 15000, now()),
    (2025, 'care',        3500, 160000, 15000, now()),
    (2025, 'renovation',  3500, 160000, 15000, now()),
    (2025, 'oil_heating', 6000, 350000, 15000, now()),
    (2026, 'household',   3500, 160000, 15000, now()),
    (2026, 'care',        3500, 160000, 15000, now()),
    (2026, 'renovation',  3500, 160000, 15000, now()),
    (2026, 'oil_heating', 6000, 350000, 15000, now());

-- Chain policies: free cancellation until 7 days before, then the full
-- price; the old extranet's cut-over and retirement dates from the seed.
INSERT INTO chain_policies (id, cancel_deadline_days, late_fee_percent, legacy_cutover_date,
    legacy_retirement_date, order_service_url, updated_at)
VALUES (1, 7, 100, '2024-11-26', '2025-03-31', 'https://www.example.fi/tilaa', now());

-- +goose Down
DELETE FROM chain_policies;
DELETE FROM deduction_rules;
