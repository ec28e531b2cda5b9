-- +goose Up
-- A cancelled visit keeps what its cancellation cost and why, fixed at the
-- moment of cancelling (the customer and the provider's staff see it, the
-- ERP reads it in the changes feed): the fee in cents and its reason,
-- 'charged', 'free' or 'illness' ('' when not known). A provider's
-- cancellation is never charged. A customer's earlier cancellation takes
-- the fee its journal entry recorded; one the journal does not know stays
-- unknown.
ALTER TABLE visits ADD COLUMN cancel_fee_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN cancel_fee_reason TEXT NOT NULL DEFAULT '';
UPDATE visits SET cancel_fee_reason = 'free' WHERE status = 'cancelled_provider';
UPDATE visits SET
    cancel_fee_cents = (last.data::jsonb ->> 'fee_cents')::bigint,
    cancel_fee_reason = CASE WHEN (last.data::jsonb ->> 'fee_cents')::bigint > 0 THEN 'charged'
        WHEN (last.data::jsonb ->> 'illness')::boolean THEN 'illness' ELSE 'free' END
FROM (SELECT DISTINCT ON (entity_id) entity_id, data FROM changes
    WHERE entity = 'visits' AND kind = 'visit.cancelled_by_customer' ORDER BY entity_id, seq DESC) last
WHERE last.entity_id = visits.id AND visits.status = 'cancelled_customer';

-- +goose Down
ALTER TABLE visits DROP COLUMN cancel_fee_reason;
ALTER TABLE visits DROP COLUMN cancel_fee_cents;
