package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The chain admin's console (PRODUCT.md C9): providers and their staff,
// chain policies and deduction rules, the portal-feedback inbox and the
// audit log. Every use case here answers portal.ErrNotFound to anyone but
// a verified chain admin, the same answer the web layer gives, so the
// console does not exist for others even when called from elsewhere.
//
// What is audited: every change (providers, staff, invitations, policies,
// rules), and every read that shows data about customers or other portal
// users — the feedback inbox (messages and contact addresses) and the
// audit log itself (it names customers and who looked at them). Lists of
// providers and their staff are the chain's own business data, not
// customer data, and are not audited as reads.

// ConsolePageSize is how many rows a page of the feedback inbox or the
// audit log shows.
const ConsolePageSize = 50

// Length limits of the console's fields.
const (
	MaxProviderName  = 200
	MaxProviderField = 100
	MaxStaffName     = 100
	MaxWorkTypeLen   = 40
)

// requireAdmin is the console's access rule: a verified chain admin who
// has given the second factor in this session (the web layer asks for it
// first; this keeps the rule where every caller meets it).
func requireAdmin(v Viewer) error {
	if !v.Verified || v.Role != portal.RoleAdmin || v.NeedsSecondFactor() {
		return portal.ErrNotFound
	}
	return nil
}

// adminAudit appends an entry for an admin's action within tx.
func adminAudit(ctx context.Context, tx *store.Tx, v Viewer, action string, customerID int64, detail string) error {
	return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(portal.RoleAdmin), Action: action,
		CustomerID: customerID, Detail: detail})
}

// ProviderInput is the provider form: name and contact details.
type ProviderInput struct {
	Name, BusinessID, City, Phone, Email string
}

// CheckProvider tidies a provider form and reports what is wrong with it,
// by field, in text keys. Only the name is required; a business id, when
// given, must be a valid Y-tunnus (the yearly deduction report carries it).
func CheckProvider(in ProviderInput) (ProviderInput, InvalidInput) {
	in = ProviderInput{Name: strings.TrimSpace(in.Name), BusinessID: strings.TrimSpace(in.BusinessID),
		City: strings.TrimSpace(in.City), Phone: strings.TrimSpace(in.Phone), Email: strings.TrimSpace(in.Email)}
	var bad InvalidInput
	switch {
	case in.Name == "":
		bad = append(bad, FieldError{"name", "error.provider.name"})
	case utf8.RuneCountInString(in.Name) > MaxProviderName:
		bad = append(bad, FieldError{"name", "error.provider.nameLong"})
	}
	if in.BusinessID != "" && !portal.ValidBusinessID(in.BusinessID) {
		bad = append(bad, FieldError{"business_id", "error.provider.businessId"})
	}
	if utf8.RuneCountInString(in.City) > MaxProviderField {
		bad = append(bad, FieldError{"city", "error.provider.cityLong"})
	}
	if in.Phone != "" && !validPhone(in.Phone) {
		bad = append(bad, FieldError{"phone", "error.provider.phone"})
	}
	if in.Email != "" {
		if clean, err := emailaddr.Check(in.Email); err != nil {
			bad = append(bad, FieldError{"provider_email", emailErrorKey(err, "error.provider.email")})
		} else {
			in.Email = clean
		}
	}
	return in, bad
}

// validPhone accepts what people write for a phone number: digits with
// spaces, dashes and parentheses, an optional leading plus, 5–15 digits.
func validPhone(s string) bool {
	if len(s) > 30 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 15
}

// ConsoleProviders lists every provider with its counts of staff and sites.
func (a *App) ConsoleProviders(ctx context.Context, v Viewer) ([]portal.ProviderSummary, error) {
	if err := requireAdmin(v); err != nil {
		return nil, err
	}
	var out []portal.ProviderSummary
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Providers(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("providers: %w", err)
	}
	return out, nil
}

// ProviderDetail is a provider with its staff and open invitations.
type ProviderDetail struct {
	Provider portal.Provider
	Staff    []portal.StaffMember
	Invites  []portal.StaffInvite
}

// ConsoleProvider returns one provider with its staff and invitations, or
// portal.ErrNotFound.
func (a *App) ConsoleProvider(ctx context.Context, v Viewer, id int64) (ProviderDetail, error) {
	var d ProviderDetail
	if err := requireAdmin(v); err != nil {
		return d, err
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d.Provider, err = tx.ProviderByID(ctx, id); err != nil {
			return err
		}
		if d.Staff, err = tx.StaffMembers(ctx, id); err != nil {
			return err
		}
		d.Invites, err = tx.OpenInvites(ctx, id)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("provider %d: %w", id, err)
	}
	return d, nil
}

// PortalSource is the source of records made in the portal itself (the
// ERP and the legacy import have their own), so their external ids never
// collide with an import's.
const PortalSource = "portal"

// CreateProvider adds an active provider made in the console, with a
// generated external id, and returns its id.
func (a *App) CreateProvider(ctx context.Context, v Viewer, in ProviderInput) (int64, error) {
	if err := requireAdmin(v); err != nil {
		return 0, err
	}
	in, bad := CheckProvider(in)
	if bad != nil {
		return 0, bad
	}
	b := make([]byte, 8)
	rand.Read(b)
	p := portal.Provider{Source: PortalSource, ExternalID: "p-" + hex.EncodeToString(b), Name: in.Name, BusinessID: in.BusinessID,
		City: in.City, Phone: in.Phone, Email: in.Email, Active: true}
	var id int64
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if id, err = tx.CreateProvider(ctx, p); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "provider.create", 0, fmt.Sprintf("provider %d (%s)", id, p.ExternalID))
	})
	if err != nil {
		return 0, fmt.Errorf("create provider: %w", err)
	}
	return id, nil
}

// UpdateProvider replaces a provider's name and contact details.
func (a *App) UpdateProvider(ctx context.Context, v Viewer, id int64, in ProviderInput) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	in, bad := CheckProvider(in)
	if bad != nil {
		return bad
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.ProviderByID(ctx, id)
		if err != nil {
			return err
		}
		p := old
		p.Name, p.BusinessID, p.City, p.Phone, p.Email = in.Name, in.BusinessID, in.City, in.Phone, in.Email
		if err := tx.UpdateProviderContact(ctx, p); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "provider.update", 0, fmt.Sprintf("provider %d: name %q→%q, business id %q→%q, city %q→%q, phone %q→%q, email %q→%q",
			id, old.Name, p.Name, old.BusinessID, p.BusinessID, old.City, p.City, old.Phone, p.Phone, old.Email, p.Email))
	})
	if err != nil {
		return fmt.Errorf("update provider %d: %w", id, err)
	}
	return nil
}

// SetProviderActive deactivates or reactivates a provider. While it is
// inactive its staff see no provider pages (store roleCols) and its open
// invitations are not accepted.
func (a *App) SetProviderActive(ctx context.Context, v Viewer, id int64, active bool) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	action := "provider.deactivate"
	if active {
		action = "provider.reactivate"
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetProviderActive(ctx, id, active); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, action, 0, fmt.Sprintf("provider %d", id))
	})
	if err != nil {
		return fmt.Errorf("%s %d: %w", action, id, err)
	}
	return nil
}

// InviteStaff makes the owner of an address staff of a provider: at once
// when the address has a verified account (added is true), otherwise by an
// invitation mailed to the address (in lang), accepted when the address
// verifies its sign-up (VerifySignup). A person already active staff of
// another provider must be deactivated there first.
func (a *App) InviteStaff(ctx context.Context, v Viewer, providerID int64, email, name, lang string) (added bool, err error) {
	if err := requireAdmin(v); err != nil {
		return false, err
	}
	var bad InvalidInput
	clean, emailErr := emailaddr.Check(email)
	if emailErr != nil {
		bad = append(bad, FieldError{"email", emailErrorKey(emailErr, "error.staff.email")})
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		bad = append(bad, FieldError{"name", "error.staff.name"})
	case utf8.RuneCountInString(name) > MaxStaffName:
		bad = append(bad, FieldError{"name", "error.staff.nameLong"})
	}
	if bad != nil {
		return false, bad
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		p, err := tx.ProviderByID(ctx, providerID)
		if err != nil {
			return err
		}
		if !p.Active {
			return InvalidInput{{"", "error.staff.providerInactive"}}
		}
		acc, err := tx.VerifiedAccountByEmail(ctx, clean)
		switch {
		case errors.Is(err, portal.ErrNotFound):
			// Invitations count in the address's quota of code mails.
			if err := takeCodeMail(ctx, tx, tx.Now(), emailaddr.Normalize(clean), ""); err != nil {
				return err
			}
			id, err := tx.PutStaffInvite(ctx, portal.StaffInvite{Email: clean, ProviderID: providerID, Name: name, InvitedBy: v.AccountID})
			if err != nil {
				return err
			}
			if err := a.mail(ctx, tx, "staff_invite", lang, clean, map[string]string{"provider": p.Name,
				"url": signUpURL(a.baseURL)}); err != nil {
				return err
			}
			return adminAudit(ctx, tx, v, "staff.invite", 0, fmt.Sprintf("provider %d, invitation %d", providerID, id))
		case err != nil:
			return err
		}
		st, err := tx.StaffByAccount(ctx, acc.ID)
		if err == nil && st.Active && st.ProviderID != providerID {
			return InvalidInput{{"email", "error.staff.elsewhere"}}
		}
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return err
		}
		if err := tx.PutStaff(ctx, providerID, acc.ID, name); err != nil {
			return err
		}
		added = true
		return adminAudit(ctx, tx, v, "staff.add", 0, fmt.Sprintf("provider %d, account %d", providerID, acc.ID))
	})
	if err != nil {
		var invalid InvalidInput
		if errors.As(err, &invalid) {
			return false, invalid
		}
		if th, ok := IsThrottled(err); ok {
			return false, th
		}
		return false, fmt.Errorf("invite staff: %w", err)
	}
	return added, nil
}

// signUpURL is the sign-up page an invitation points to; without a base
// URL the mail worker's sign-in link (it leads to sign-up too) is used.
func signUpURL(base string) string {
	if base == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/luo-tili"
}

// SetStaffActive deactivates or reactivates a provider's staff member;
// portal.ErrNotFound when the member is not that provider's. A deactivated
// member's next request is a customer's: no provider pages. (An account is
// staff of one provider at most, so reactivating cannot give it two.)
func (a *App) SetStaffActive(ctx context.Context, v Viewer, providerID, staffID int64, active bool) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	action := "staff.deactivate"
	if active {
		action = "staff.reactivate"
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetStaffActive(ctx, providerID, staffID, active); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, action, 0, fmt.Sprintf("provider %d, staff %d", providerID, staffID))
	})
	if err != nil {
		return fmt.Errorf("%s %d: %w", action, staffID, err)
	}
	return nil
}

// ResetStaffSecondFactor is the way back for a staff member who lost
// both the phone and the recovery codes: every second factor of theirs is
// removed and their sessions end, so the next sign-in (with the password)
// sets a new one up. Audited.
func (a *App) ResetStaffSecondFactor(ctx context.Context, v Viewer, providerID, staffID int64) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		account, err := tx.ResetSecondFactor(ctx, providerID, staffID)
		if err != nil {
			return err
		}
		acc, err := tx.AccountByID(ctx, account)
		if err != nil {
			return err
		}
		// The staff member is told, as of any factor removed.
		if err := a.mail(ctx, tx, factorRemoved, acc.Language, acc.Email, map[string]string{"factor": factorAll}); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "staff.mfa_reset", 0, fmt.Sprintf("provider %d, staff %d, account %d", providerID, staffID, account))
	})
	if err != nil {
		return fmt.Errorf("reset second factor of staff %d: %w", staffID, err)
	}
	return nil
}

// acceptStaffInvite makes a newly verified account staff when its address
// was invited (within the verification's transaction).
func (a *App) acceptStaffInvite(ctx context.Context, tx *store.Tx, accountID int64, emailNorm string) error {
	in, err := tx.AcceptStaffInvite(ctx, accountID, emailNorm)
	if errors.Is(err, portal.ErrNotFound) {
		return nil // no invitation: an ordinary account
	}
	if err != nil {
		return err
	}
	return tx.Audit(ctx, store.AuditEntry{ActorAccountID: accountID, ActorRole: string(portal.RoleStaff), Action: "staff.invite_accepted",
		Detail: fmt.Sprintf("provider %d, invitation %d", in.ProviderID, in.ID)})
}

// ConsoleChainPolicies returns the chain policies for the console's form.
func (a *App) ConsoleChainPolicies(ctx context.Context, v Viewer) (portal.ChainPolicies, error) {
	if err := requireAdmin(v); err != nil {
		return portal.ChainPolicies{}, err
	}
	var p portal.ChainPolicies
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.Policies(ctx)
		return err
	})
	return p, err
}

// ChainPolicyForm is the policies form as typed.
type ChainPolicyForm struct {
	CancelDeadlineDays, LateFeePercent, LegacyCutover, LegacyRetirement, OrderServiceURL string
	CustomerServicePhone, CustomerServiceEmail                                           string
}

// ChangeChainPoliciesAsAdmin reads the policies form and applies it with
// ChangeChainPolicies (which checks the whole and audits the change).
func (a *App) ChangeChainPoliciesAsAdmin(ctx context.Context, v Viewer, f ChainPolicyForm) (portal.ChainPolicies, error) {
	if err := requireAdmin(v); err != nil {
		return portal.ChainPolicies{}, err
	}
	var bad InvalidInput
	var c ChainPolicyChange
	if n, err := strconv.Atoi(strings.TrimSpace(f.CancelDeadlineDays)); err == nil {
		c.CancelDeadlineDays = &n
	} else {
		bad = append(bad, FieldError{"cancel_deadline_days", "error.policy.deadline"})
	}
	if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.LateFeePercent), "%"))); err == nil {
		c.LateFeePercent = &n
	} else {
		bad = append(bad, FieldError{"late_fee_percent", "error.policy.fee"})
	}
	if d, err := portal.ParseDay(strings.TrimSpace(f.LegacyCutover)); err == nil {
		c.LegacyCutover = &d
	} else {
		bad = append(bad, FieldError{"legacy_cutover", "error.policy.date"})
	}
	if d, err := portal.ParseDay(strings.TrimSpace(f.LegacyRetirement)); err == nil {
		c.LegacyRetirement = &d
	} else {
		bad = append(bad, FieldError{"legacy_retirement", "error.policy.date"})
	}
	u, phone, email := f.OrderServiceURL, f.CustomerServicePhone, f.CustomerServiceEmail
	c.OrderServiceURL, c.CustomerServicePhone, c.CustomerServiceEmail = &u, &phone, &email
	if bad != nil {
		return portal.ChainPolicies{}, bad
	}
	return a.ChangeChainPolicies(ctx, v.AccountID, c)
}

// ConsoleDeductionRules lists the deduction rules by year and work type.
func (a *App) ConsoleDeductionRules(ctx context.Context, v Viewer) ([]portal.DeductionRule, error) {
	if err := requireAdmin(v); err != nil {
		return nil, err
	}
	var out []portal.DeductionRule
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.DeductionRules(ctx)
		return err
	})
	return out, err
}

// RuleForm is the deduction rule form as typed: the rate in per cent and
// the amounts in euros, as the Tax Administration publishes them.
type RuleForm struct {
	Year, WorkType, RatePercent, MaxEuros, OmavastuuEuros string
}

// SaveDeductionRule adds or replaces the rule of a (year, work type) from
// the console's form, and audits the old and new values.
func (a *App) SaveDeductionRule(ctx context.Context, v Viewer, f RuleForm) (portal.DeductionRule, error) {
	if err := requireAdmin(v); err != nil {
		return portal.DeductionRule{}, err
	}
	var r portal.DeductionRule
	var bad InvalidInput
	if y, err := strconv.Atoi(strings.TrimSpace(f.Year)); err == nil && y >= 2000 && y <= 2100 {
		r.Year = y
	} else {
		bad = append(bad, FieldError{"year", "error.rule.year"})
	}
	r.WorkType = strings.TrimSpace(f.WorkType)
	if !validWorkType(r.WorkType) {
		bad = append(bad, FieldError{"work_type", "error.rule.workType"})
	}
	if bp, ok := parseHundredths(f.RatePercent); ok && bp > 0 && bp <= 10000 {
		r.RateBP = int(bp)
	} else {
		bad = append(bad, FieldError{"rate", "error.rule.rate"})
	}
	if c, ok := parseHundredths(f.MaxEuros); ok && c > 0 {
		r.MaxCents = c
	} else {
		bad = append(bad, FieldError{"max", "error.rule.max"})
	}
	if c, ok := parseHundredths(f.OmavastuuEuros); ok {
		r.OmavastuuCents = c
	} else {
		bad = append(bad, FieldError{"omavastuu", "error.rule.omavastuu"})
	}
	if bad != nil {
		return r, bad
	}
	if p := r.Check(); p != "" { // the domain's own rule, should the form's checks drift from it
		return r, InvalidInput{{"", "error.rule.invalid"}}
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		rules, err := tx.DeductionRules(ctx)
		if err != nil {
			return err
		}
		was := "none"
		for _, o := range rules {
			if o.Year == r.Year && o.WorkType == r.WorkType {
				was = fmt.Sprintf("%d bp, max %d, omavastuu %d", o.RateBP, o.MaxCents, o.OmavastuuCents)
			}
		}
		if err := tx.SetDeductionRule(ctx, r); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "deduction_rule.set", 0, fmt.Sprintf("%d %s: %s → %d bp, max %d, omavastuu %d",
			r.Year, r.WorkType, was, r.RateBP, r.MaxCents, r.OmavastuuCents))
	})
	if err != nil {
		return r, fmt.Errorf("save deduction rule: %w", err)
	}
	return r, nil
}

// validWorkType keeps work types code-like (household, oil_heating), the
// same words contracts carry.
func validWorkType(s string) bool {
	if s == "" || len(s) > MaxWorkTypeLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// parseHundredths reads a non-negative amount below a thousand million
// with at most two decimals, written as portal.ParseDecimal reads it, a
// per cent sign allowed ("1 600,50", "35 %", "150 €"), in hundredths:
// cents of euros, basis points of per cent.
func parseHundredths(s string) (int64, bool) {
	n, err := portal.ParseDecimal(strings.TrimSuffix(strings.TrimSpace(s), "%"), 2)
	return n, err == nil && n >= 0 && n < 1e11
}

// PortalFeedbackInbox returns a page (from 1) of the feedback about the
// portal, newest first, and whether there are more. Reading it is audited:
// the messages and contact addresses are personal data of portal users.
func (a *App) PortalFeedbackInbox(ctx context.Context, v Viewer, page int) ([]portal.PortalFeedback, bool, error) {
	if err := requireAdmin(v); err != nil {
		return nil, false, err
	}
	page = max(page, 1)
	var out []portal.PortalFeedback
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.PortalFeedbackPage(ctx, ConsolePageSize+1, (page-1)*ConsolePageSize); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "portal_feedback.view", 0, fmt.Sprintf("page %d", page))
	})
	if err != nil {
		return nil, false, fmt.Errorf("portal feedback: %w", err)
	}
	more := len(out) > ConsolePageSize
	if more {
		out = out[:ConsolePageSize]
	}
	return out, more, nil
}

// AuditQuery is the audit log viewer's filter as typed: the actor's
// address (or part of it), a customer's id or (part of) name, and a range
// of days in Helsinki time (either end may be empty).
type AuditQuery struct {
	Actor, Customer, From, Until string
	Page                         int
}

// AuditPage is one page of the audit log.
type AuditPage struct {
	Rows []portal.AuditEntry
	More bool
	Page int
}

// AuditLog returns a page of the audit log, newest first. The viewing is
// itself audited (with the customer when filtered by a customer id; a name
// typed as a filter is not copied into the log, only that one was given).
func (a *App) AuditLog(ctx context.Context, v Viewer, q AuditQuery) (AuditPage, error) {
	out := AuditPage{Page: max(q.Page, 1)}
	if err := requireAdmin(v); err != nil {
		return out, err
	}
	var f store.AuditFilter
	var bad InvalidInput
	f.Actor = strings.TrimSpace(q.Actor)
	if len(f.Actor) > emailaddr.MaxLength {
		bad = append(bad, FieldError{"actor", "error.audit.actor"})
	}
	cust := strings.TrimSpace(q.Customer)
	if id, err := strconv.ParseInt(cust, 10, 64); err == nil && id > 0 {
		f.CustomerID = id
	} else if utf8.RuneCountInString(cust) > MaxProviderName {
		bad = append(bad, FieldError{"customer", "error.audit.customer"})
	} else {
		f.CustomerName = cust
	}
	var from, until portal.Date
	if s := strings.TrimSpace(q.From); s != "" {
		d, err := portal.ParseDay(s)
		if err != nil {
			bad = append(bad, FieldError{"from", "error.audit.date"})
		}
		from = d
		f.From = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, portal.Helsinki)
	}
	if s := strings.TrimSpace(q.Until); s != "" {
		d, err := portal.ParseDay(s)
		if err != nil {
			bad = append(bad, FieldError{"until", "error.audit.date"})
		}
		until = d
		f.Until = time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, portal.Helsinki) // the whole last day
	}
	if bad == nil && !from.IsZero() && !until.IsZero() && until.Before(from) {
		bad = append(bad, FieldError{"until", "error.audit.range"})
	}
	if bad != nil {
		return out, bad
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if out.Rows, err = tx.AuditLog(ctx, f, ConsolePageSize+1, (out.Page-1)*ConsolePageSize); err != nil {
			return err
		}
		return adminAudit(ctx, tx, v, "audit_log.view", f.CustomerID, auditFilterDetail(f, from, until, out.Page))
	})
	if err != nil {
		return out, fmt.Errorf("audit log: %w", err)
	}
	if out.More = len(out.Rows) > ConsolePageSize; out.More {
		out.Rows = out.Rows[:ConsolePageSize]
	}
	return out, nil
}

// ErrAlreadyAdmin means the account is a chain admin already.
var ErrAlreadyAdmin = errors.New("already a chain admin")

// MakeAdmin makes the verified account of an address a chain admin (the
// server command that names the first admin; actor 0, like other
// operator commands). It returns portal.ErrNotFound when the address has
// no verified account (sign up first) and ErrAlreadyAdmin when it is one.
func (a *App) MakeAdmin(ctx context.Context, email string) error {
	clean, err := emailaddr.Check(email)
	if err != nil {
		return InvalidInput{{"email", "error.staff.email"}}
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, clean)
		if err != nil {
			return err
		}
		if admin, err := tx.IsAdmin(ctx, acc.ID); err != nil {
			return err
		} else if admin {
			return ErrAlreadyAdmin
		}
		if err := tx.AddAdmin(ctx, acc.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorRole: "operator", Action: "admin.create", Detail: fmt.Sprintf("account %d", acc.ID)})
	})
	if err != nil {
		return fmt.Errorf("make admin: %w", err)
	}
	return nil
}

// auditFilterDetail says which filter a view of the audit log used: the
// actor and the dates as given, a customer by id only (a typed name is a
// piece of customer data, so only its presence is noted).
func auditFilterDetail(f store.AuditFilter, from, until portal.Date, page int) string {
	var parts []string
	if f.Actor != "" {
		parts = append(parts, fmt.Sprintf("actor %q", f.Actor))
	}
	if f.CustomerID != 0 {
		parts = append(parts, fmt.Sprintf("customer %d", f.CustomerID))
	}
	if f.CustomerName != "" {
		parts = append(parts, "customer name")
	}
	if !from.IsZero() {
		parts = append(parts, "from "+from.String())
	}
	if !until.IsZero() {
		parts = append(parts, "until "+until.String())
	}
	if len(parts) == 0 {
		parts = append(parts, "no filter")
	}
	return fmt.Sprintf("%s; page %d", strings.Join(parts, ", "), page)
}
