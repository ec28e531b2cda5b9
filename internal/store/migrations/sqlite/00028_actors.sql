-- +goose Up
-- Who did what (family access, PRODUCT.md C11): a change made on the
-- customer's side keeps the acting person — their account, the name shown
-- for them at that moment and their role on the site ('owner', 'follower',
-- 'caretaker'). The changes journal keeps it for every such change (the
-- ERP's feed shows it); a visit keeps who cancelled it and a move request
-- who asked, for the provider's pages. Empty role: not recorded (the
-- provider's or the ERP's changes, and those made before this migration).
-- The account id is no foreign key: the journal outlives a deleted account.
ALTER TABLE changes ADD COLUMN actor_account_id BIGINT;
ALTER TABLE changes ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE changes ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN cancelled_by_account_id BIGINT;
ALTER TABLE visits ADD COLUMN cancelled_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN cancelled_by_role TEXT NOT NULL DEFAULT '';
ALTER TABLE move_requests ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE move_requests ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE move_requests DROP COLUMN actor_role;
ALTER TABLE move_requests DROP COLUMN actor_name;
ALTER TABLE visits DROP COLUMN cancelled_by_role;
ALTER TABLE visits DROP COLUMN cancelled_by_name;
ALTER TABLE visits DROP COLUMN cancelled_by_account_id;
ALTER TABLE changes DROP COLUMN actor_role;
ALTER TABLE changes DROP COLUMN actor_name;
ALTER TABLE changes DROP COLUMN actor_account_id;
