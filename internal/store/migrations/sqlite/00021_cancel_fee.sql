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
    cancel_fee_cents = (SELECT json_extract(ch.data, '$.fee_cents') FROM changes ch
        WHERE ch.entity = 'visits' AND ch.entity_id = visits.id AND ch.kind = 'visit.cancelled_by_customer'
        ORDER BY ch.seq DESC LIMIT 1),
    cancel_fee_reason = (SELECT CASE WHEN json_extract(ch.data, '$.fee_cents') > 0 THEN 'charged'
            WHEN json_extract(ch.data, '$.illness') THEN 'illness' ELSE 'free' END FROM changes ch
        WHERE ch.entity = 'visits' AND ch.entity_id = visits.id AND ch.kind = 'visit.cancelled_by_customer'
        ORDER BY ch.seq DESC LIMIT 1)
WHERE status = 'cancelled_customer' AND EXISTS (SELECT 1 FROM changes ch
    WHERE ch.entity = 'visits' AND ch.entity_id = visits.id AND ch.kind = 'visit.cancelled_by_customer');

-- +goose Down
ALTER TABLE visits DROP COLUMN cancel_fee_reason;
ALTER TABLE visits DROP COLUMN cancel_fee_cents;
