package store

import (
	"context"
	"database/sql"

	"asiakassivu/internal/portal"
)

// Policies returns the chain policies.
func (tx *Tx) Policies(ctx context.Context) (portal.ChainPolicies, error) {
	var p portal.ChainPolicies
	err := tx.queryRow(ctx, `SELECT cancel_deadline_days, late_fee_percent, legacy_cutover_date, legacy_retirement_date,
		order_service_url, customer_service_phone, customer_service_email, updated_at FROM chain_policies WHERE id = 1`).Scan(
		&p.CancelDeadlineDays, &p.LateFeePercent, dateCol{&p.LegacyCutover}, dateCol{&p.LegacyRetirement}, &p.OrderServiceURL,
		&p.CustomerServicePhone, &p.CustomerServiceEmail, timeCol{&p.UpdatedAt})
	return p, mapErr(err)
}

// SetPolicies replaces the chain policies.
func (tx *Tx) SetPolicies(ctx context.Context, p portal.ChainPolicies) error {
	res, err := tx.exec(ctx, `UPDATE chain_policies SET cancel_deadline_days = $1, late_fee_percent = $2,
		legacy_cutover_date = $3, legacy_retirement_date = $4, order_service_url = $5, customer_service_phone = $6,
		customer_service_email = $7, updated_at = $8 WHERE id = 1`,
		p.CancelDeadlineDays, p.LateFeePercent, dateArg(p.LegacyCutover), dateArg(p.LegacyRetirement), p.OrderServiceURL,
		p.CustomerServicePhone, p.CustomerServiceEmail, tx.now)
	return affected(res, err)
}

// DeductionRules lists every rule by year and work type.
func (tx *Tx) DeductionRules(ctx context.Context) ([]portal.DeductionRule, error) {
	rows, err := tx.query(ctx, `SELECT year, work_type, rate_bp, max_cents, omavastuu_cents FROM deduction_rules ORDER BY year, work_type`)
	return scanAll(rows, err, func(r *sql.Rows) (portal.DeductionRule, error) {
		var d portal.DeductionRule
		err := r.Scan(&d.Year, &d.WorkType, &d.RateBP, &d.MaxCents, &d.OmavastuuCents)
		return d, err
	})
}
