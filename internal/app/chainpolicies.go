package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// ChainPolicyChange changes some of the chain policies; a nil field stays as it
// is.
type ChainPolicyChange struct {
	CancelDeadlineDays *int
	LateFeePercent     *int
	LegacyCutover      *portal.Date
	LegacyRetirement   *portal.Date
	OrderServiceURL    *string
	// CustomerServicePhone and CustomerServiceEmail: "" clears one.
	CustomerServicePhone *string
	CustomerServiceEmail *string
}

// Limits of the policies a chain can set.
const (
	MaxCancelDeadlineDays = 60
	MaxOrderURLLength     = 500
)

// CheckChainPolicies reports what is wrong with a set of policies, by field, in
// text keys.
func CheckChainPolicies(p portal.ChainPolicies) InvalidInput {
	var bad InvalidInput
	if p.CancelDeadlineDays < 0 || p.CancelDeadlineDays > MaxCancelDeadlineDays {
		bad = append(bad, FieldError{"cancel_deadline_days", "error.policy.deadline"})
	}
	if p.LateFeePercent < 0 || p.LateFeePercent > 100 {
		bad = append(bad, FieldError{"late_fee_percent", "error.policy.fee"})
	}
	if p.LegacyCutover.IsZero() || p.LegacyRetirement.IsZero() || !p.LegacyCutover.Before(p.LegacyRetirement) {
		bad = append(bad, FieldError{"legacy_retirement", "error.policy.legacyDates"})
	}
	u, err := url.Parse(p.OrderServiceURL)
	if err != nil || len(p.OrderServiceURL) > MaxOrderURLLength || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.ContainsAny(p.OrderServiceURL, " \t\r\n") {
		bad = append(bad, FieldError{"order_service_url", "error.policy.url"})
	}
	if p.CustomerServicePhone != "" && !validPhone(p.CustomerServicePhone) {
		bad = append(bad, FieldError{"customer_service_phone", "pages.error.policy.phone"})
	}
	if p.CustomerServiceEmail != "" {
		if clean, err := emailaddr.Check(p.CustomerServiceEmail); err != nil || clean != p.CustomerServiceEmail {
			bad = append(bad, FieldError{"customer_service_email", "pages.error.policy.email"})
		}
	}
	return bad
}

// ChangeChainPolicies applies a change to the chain policies after checking the
// result as a whole, and audits it with the old and new values; actor is
// the admin's account (0 for the server command line).
func (a *App) ChangeChainPolicies(ctx context.Context, actor int64, c ChainPolicyChange) (portal.ChainPolicies, error) {
	var out portal.ChainPolicies
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.Policies(ctx)
		if err != nil {
			return err
		}
		p := old
		if c.CancelDeadlineDays != nil {
			p.CancelDeadlineDays = *c.CancelDeadlineDays
		}
		if c.LateFeePercent != nil {
			p.LateFeePercent = *c.LateFeePercent
		}
		if c.LegacyCutover != nil {
			p.LegacyCutover = *c.LegacyCutover
		}
		if c.LegacyRetirement != nil {
			p.LegacyRetirement = *c.LegacyRetirement
		}
		if c.OrderServiceURL != nil {
			p.OrderServiceURL = strings.TrimSpace(*c.OrderServiceURL)
		}
		if c.CustomerServicePhone != nil {
			p.CustomerServicePhone = strings.TrimSpace(*c.CustomerServicePhone)
		}
		if c.CustomerServiceEmail != nil {
			p.CustomerServiceEmail = strings.TrimSpace(*c.CustomerServiceEmail)
			if clean, err := emailaddr.Check(p.CustomerServiceEmail); err == nil {
				p.CustomerServiceEmail = clean
			}
		}
		if bad := CheckChainPolicies(p); bad != nil {
			return bad
		}
		if err := tx.SetPolicies(ctx, p); err != nil {
			return err
		}
		role := "admin"
		if actor == 0 {
			role = "operator"
		}
		out = p
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: actor, ActorRole: role, Action: "policies.change",
			Detail: fmt.Sprintf("cancel %d→%d days, fee %d→%d %%, legacy %s–%s → %s–%s, order URL %q→%q, customer service %q %q→%q %q",
				old.CancelDeadlineDays, p.CancelDeadlineDays, old.LateFeePercent, p.LateFeePercent,
				old.LegacyCutover, old.LegacyRetirement, p.LegacyCutover, p.LegacyRetirement, old.OrderServiceURL, p.OrderServiceURL,
				old.CustomerServicePhone, old.CustomerServiceEmail, p.CustomerServicePhone, p.CustomerServiceEmail)})
	})
	return out, err
}
