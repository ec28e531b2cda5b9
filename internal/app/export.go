package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Export is everything an account holds or sees, for "download my data".
// Identity codes are masked; the rest is as stored.
type Export struct {
	ExportedAt time.Time        `json:"exported_at"`
	Account    ExportAccount    `json:"account"`
	Devices    []ExportDevice   `json:"devices"`
	Customers  []ExportCustomer `json:"customer_records"`
	// Passkeys are the account's passkeys, names and dates only.
	Passkeys []ExportPasskey `json:"passkeys"`
	// CalendarFeed says whether the account has a calendar feed and
	// since when; its address (a secret) is never in the download.
	CalendarFeed   *ExportCalendarFeed    `json:"calendar_feed,omitempty"`
	PortalFeedback []ExportPortalFeedback `json:"portal_feedback"`

	// Notifications: push.go.
	Notifications ExportNotifications `json:"notifications"`
	// FamilyAccess is who has access to the account's own homes (and the
	// invitations sent) and the homes others gave it access to; never an
	// invitation's link.
	FamilyAccess ExportFamilyAccess `json:"family_access"`
}

// ExportFamilyAccess is the family access an account gave and holds.
type ExportFamilyAccess struct {
	Given []ExportGrantGiven `json:"given"`
	Held  []ExportGrantHeld  `json:"held"`
}

// ExportGrantGiven is one person with access to (or invited to) one of
// the account's homes.
type ExportGrantGiven struct {
	Home       string    `json:"home"`
	Email      string    `json:"email"`
	Role       string    `json:"role"`
	Pending    bool      `json:"pending"`
	Since      time.Time `json:"since"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// ExportGrantHeld is one home someone else gave the account access to.
type ExportGrantHeld struct {
	Home       string    `json:"home"`
	Owner      string    `json:"owner"`
	Role       string    `json:"role"`
	Since      time.Time `json:"since"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// ExportAccount is the account itself.
type ExportAccount struct {
	Email      string    `json:"email"`
	Language   string    `json:"language,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	VerifiedAt time.Time `json:"verified_at"`
}

// ExportDevice is one signed-in device.
type ExportDevice struct {
	UserAgent  string    `json:"user_agent"`
	SignedInAt time.Time `json:"signed_in_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// ExportPasskey is one passkey: its name and dates, never its key.
type ExportPasskey struct {
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// ExportCalendarFeed is the account's calendar feed, without its address:
// when it was made, its language and whether it shows the street address.
type ExportCalendarFeed struct {
	CreatedAt   time.Time `json:"created_at"`
	Language    string    `json:"language"`
	ShowAddress bool      `json:"show_address"`
}

// ExportPortalFeedback is one piece of feedback about the portal.
type ExportPortalFeedback struct {
	CreatedAt      time.Time `json:"created_at"`
	Message        string    `json:"message"`
	ContactAllowed bool      `json:"contact_allowed"`
	ContactEmail   string    `json:"contact_email,omitempty"`
	Page           string    `json:"page,omitempty"`
}

// ExportCustomer is one linked customer record with its site's data.
type ExportCustomer struct {
	Customer  ExportRecord     `json:"customer"`
	Site      ExportSite       `json:"site"`
	Contracts []ExportContract `json:"contracts"`
	Visits    []ExportVisit    `json:"visits"`
	Invoices  []ExportInvoice  `json:"billing_summaries"`
	Feedback  []ExportFeedback `json:"feedback"`
	Consent   *ExportConsent   `json:"deduction_consent,omitempty"`
	// ConsentHistory is every change of the deduction consent.
	ConsentHistory []ExportConsentEvent `json:"deduction_consent_history"`
	Messages       []ExportMessage      `json:"messages"`
	MoveRequests   []ExportMoveRequest  `json:"move_requests"`
}

// ExportRecord is the company's customer record the site belongs to.
type ExportRecord struct {
	Name              string   `json:"name"`
	Email             string   `json:"email"`
	Phone             string   `json:"phone,omitempty"`
	ExtranetUsernames []string `json:"old_extranet_usernames,omitempty"`
}

// ExportConsentEvent is one change of the deduction consent (identity
// codes are never in the history; it counts the payers).
type ExportConsentEvent struct {
	At          time.Time `json:"at"`
	Enabled     bool      `json:"enabled"`
	TextVersion string    `json:"text_version"`
	Payers      int       `json:"payers"`
}

// ExportMessage is one message of the site's thread.
type ExportMessage struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Name   string    `json:"author_name,omitempty"`
	Body   string    `json:"body"`
}

// ExportMoveRequest is one request to move a visit.
type ExportMoveRequest struct {
	VisitStart time.Time   `json:"visit_start"`
	CreatedAt  time.Time   `json:"created_at"`
	Status     string      `json:"status"`
	Options    []time.Time `json:"proposed_times"`
	Message    string      `json:"message,omitempty"`
	Answer     string      `json:"answer,omitempty"`
	ChosenAt   time.Time   `json:"chosen_time,omitzero"`
	AnsweredAt time.Time   `json:"answered_at,omitzero"`
}

// ExportSite is a site with its access instructions and provider.
type ExportSite struct {
	Name               string                    `json:"name"`
	Address            string                    `json:"address"`
	Provider           string                    `json:"provider"`
	AccessInstructions portal.AccessInstructions `json:"access_instructions"`
}

// ExportContract is one contract.
type ExportContract struct {
	Service    string `json:"service"`
	Kind       string `json:"kind"`
	Rhythm     string `json:"rhythm"`
	PriceCents int64  `json:"price_cents"`
	Start      string `json:"start"`
	End        string `json:"end,omitempty"`
}

// ExportVisit is one visit.
type ExportVisit struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Status string    `json:"status"`
	Worker string    `json:"worker_first_name"`
	Note   string    `json:"your_note,omitempty"`
	// ProviderNote is the provider's note on the visit.
	ProviderNote string `json:"provider_note,omitempty"`
}

// ExportInvoice is one billing summary with its lines.
type ExportInvoice struct {
	Number     string               `json:"number"`
	IssuedOn   string               `json:"issued_on"`
	DueOn      string               `json:"due_on"`
	PaidOn     string               `json:"paid_on,omitempty"`
	Status     string               `json:"status"`
	TotalCents int64                `json:"total_cents"`
	Lines      []portal.InvoiceLine `json:"lines"`
}

// ExportFeedback is one piece of feedback.
type ExportFeedback struct {
	CreatedAt time.Time `json:"created_at"`
	Rating    int       `json:"rating,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	Reply     string    `json:"reply,omitempty"`
}

// ExportConsent is the deduction consent with masked identity codes.
type ExportConsent struct {
	Enabled     bool          `json:"enabled"`
	TextVersion string        `json:"text_version"`
	Payers      []ExportPayer `json:"payers"`
}

// ExportPayer is one payer; the identity code shows only its birth date.
type ExportPayer struct {
	Name         string `json:"name"`
	IdentityCode string `json:"identity_code_masked"`
	SharePercent string `json:"share_percent"`
}

// Export gathers the viewer's own data (the download of GDPR access and
// portability): the account and what hangs on it, and the customer
// records that are the viewer's own as a customer.
func (a *App) Export(ctx context.Context, v Viewer) (Export, error) {
	var out Export
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		out.ExportedAt = tx.Now()
		acc, err := tx.AccountByID(ctx, v.AccountID)
		if err != nil {
			return err
		}
		out.Account = ExportAccount{Email: acc.Email, Language: acc.Language, CreatedAt: acc.CreatedAt, VerifiedAt: acc.VerifiedAt}
		sessions, err := tx.SessionsOf(ctx, v.AccountID)
		if err != nil {
			return err
		}
		for _, s := range sessions {
			out.Devices = append(out.Devices, ExportDevice{UserAgent: s.UserAgent, SignedInAt: s.CreatedAt, LastUsedAt: s.LastSeenAt})
		}
		if out.Notifications, err = exportNotifications(ctx, tx, v.AccountID); err != nil {
			return err
		}
		if err := exportAccountData(ctx, tx, v.AccountID, &out); err != nil {
			return err
		}
		// Only the person's own customer records: staff and admins are
		// not customers, and the homes in their scope are not their data.
		sites, err := tx.Sites(ctx, v.scopeFor(CapOwnData))
		if err != nil {
			return err
		}
		out.FamilyAccess = ExportFamilyAccess{Given: []ExportGrantGiven{}, Held: []ExportGrantHeld{}}
		for _, s := range sites {
			c, err := a.exportSite(ctx, tx, s)
			if err != nil {
				return err
			}
			out.Customers = append(out.Customers, c)
			given, err := tx.GrantsOfSite(ctx, s.Site.ID, tx.Now())
			if err != nil {
				return err
			}
			for _, g := range given {
				e := ExportGrantGiven{Home: s.Site.Address(), Email: g.Email, Role: string(g.Role), Pending: g.AcceptedAt.IsZero(),
					Since: g.CreatedAt, LastUsedAt: g.LastUsedAt}
				if !e.Pending {
					e.Email, e.Since = orDefault(g.GranteeEmail, g.Email), g.AcceptedAt
				}
				out.FamilyAccess.Given = append(out.FamilyAccess.Given, e)
			}
		}
		held, err := tx.GrantsHeldBy(ctx, v.AccountID)
		if err != nil {
			return err
		}
		for _, g := range held {
			out.FamilyAccess.Held = append(out.FamilyAccess.Held, ExportGrantHeld{Home: g.Site.Address(), Owner: g.OwnerName,
				Role: string(g.Role), Since: g.AcceptedAt, LastUsedAt: g.LastUsedAt})
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("export: %w", err)
	}
	return out, nil
}

func (a *App) exportSite(ctx context.Context, tx *store.Tx, s portal.SiteWithProvider) (ExportCustomer, error) {
	c := ExportCustomer{Site: ExportSite{Name: s.Site.Name, Address: s.Site.Address(), Provider: s.Provider.Name,
		AccessInstructions: s.Site.Access}, ConsentHistory: []ExportConsentEvent{}, Messages: []ExportMessage{},
		MoveRequests: []ExportMoveRequest{}}
	record, err := tx.CustomerByID(ctx, s.Site.CustomerID)
	if err != nil {
		return c, err
	}
	c.Customer = ExportRecord{Name: record.Name, Email: record.Email, Phone: record.Phone}
	if c.Customer.ExtranetUsernames, err = tx.LegacyUsernamesOf(ctx, record.ID); err != nil {
		return c, err
	}
	messages, err := tx.MessagesOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	for _, m := range messages {
		c.Messages = append(c.Messages, ExportMessage{At: m.CreatedAt, Author: m.AuthorKind, Name: m.AuthorName, Body: m.Body})
	}
	history, err := tx.ConsentHistory(ctx, record.ID)
	if err != nil {
		return c, err
	}
	for _, h := range history {
		c.ConsentHistory = append(c.ConsentHistory, ExportConsentEvent{At: h.At, Enabled: h.Enabled, TextVersion: h.TextVersion,
			Payers: h.PayerCount})
	}
	contracts, err := tx.ContractsOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	for _, k := range contracts {
		c.Contracts = append(c.Contracts, ExportContract{Service: k.Service, Kind: string(k.Kind), Rhythm: k.Rhythm,
			PriceCents: k.PriceCents, Start: k.Start.String(), End: k.End.String()})
	}
	visits, err := tx.VisitsOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	starts := map[int64]time.Time{}
	for _, vi := range visits {
		starts[vi.ID] = vi.StartsAt
		c.Visits = append(c.Visits, ExportVisit{Start: vi.StartsAt, End: vi.EndsAt, Status: string(vi.Status),
			Worker: vi.WorkerFirstName, Note: vi.CustomerNote, ProviderNote: vi.ProviderNote})
	}
	moves, err := tx.MoveRequestsOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	for _, m := range moves {
		c.MoveRequests = append(c.MoveRequests, ExportMoveRequest{VisitStart: starts[m.VisitID], CreatedAt: m.CreatedAt,
			Status: string(m.Status), Options: m.Options, Message: m.Message, Answer: m.Answer, ChosenAt: m.ChosenAt,
			AnsweredAt: m.AnsweredAt})
	}
	invoices, err := tx.InvoicesOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	for _, inv := range invoices {
		lines, err := tx.InvoiceLines(ctx, inv.ID)
		if err != nil {
			return c, err
		}
		c.Invoices = append(c.Invoices, ExportInvoice{Number: inv.Number, IssuedOn: inv.IssuedOn.String(), DueOn: inv.DueOn.String(),
			PaidOn: inv.PaidOn.String(), Status: string(inv.Status), TotalCents: inv.TotalCents, Lines: lines})
	}
	feedback, err := tx.FeedbackOfSite(ctx, s.Site.ID)
	if err != nil {
		return c, err
	}
	for _, f := range feedback {
		c.Feedback = append(c.Feedback, ExportFeedback{CreatedAt: f.CreatedAt, Rating: f.Rating, Comment: f.Comment, Reply: f.Reply})
	}
	consent, err := tx.ConsentOf(ctx, s.Site.CustomerID)
	if errors.Is(err, portal.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Consent = &ExportConsent{Enabled: consent.Enabled, TextVersion: consent.TextVersion}
	for _, p := range consent.Payers {
		c.Consent.Payers = append(c.Consent.Payers, ExportPayer{Name: p.Name, IdentityCode: a.maskSealed(p.IdentityCodeEnc),
			SharePercent: fmt.Sprintf("%d,%02d", p.ShareBP/100, p.ShareBP%100)})
	}
	return c, nil
}

// exportAccountData adds what hangs on the account itself: passkeys (names
// and dates), the calendar feed (never its address) and portal feedback.
func exportAccountData(ctx context.Context, tx *store.Tx, accountID int64, out *Export) error {
	out.Passkeys, out.PortalFeedback = []ExportPasskey{}, []ExportPortalFeedback{}
	passkeys, err := tx.PasskeysOf(ctx, accountID)
	if err != nil {
		return err
	}
	for _, p := range passkeys {
		out.Passkeys = append(out.Passkeys, ExportPasskey{Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt})
	}
	feed, err := tx.CalendarFeedOf(ctx, accountID)
	switch {
	case err == nil:
		out.CalendarFeed = &ExportCalendarFeed{CreatedAt: feed.CreatedAt, Language: feed.Language, ShowAddress: feed.ShowAddress}
	case !errors.Is(err, portal.ErrNotFound):
		return err
	}
	feedback, err := tx.PortalFeedbackOf(ctx, accountID)
	if err != nil {
		return err
	}
	for _, f := range feedback {
		out.PortalFeedback = append(out.PortalFeedback, ExportPortalFeedback{CreatedAt: f.CreatedAt, Message: f.Message,
			ContactAllowed: f.ContactAllowed, ContactEmail: f.ContactEmail, Page: f.Page})
	}
	return nil
}

// ExportSections names, for each table that holds a person's data, the
// section of the download that carries it (TestExportCoversEveryTable).
var ExportSections = map[string]string{
	"accounts":                  "account",
	"sessions":                  "devices",
	"push_subscriptions":        "notifications.devices",
	"notification_preferences":  "notifications.kinds_on",
	"sites":                     "customer_records[].site",
	"contracts":                 "customer_records[].contracts",
	"visits":                    "customer_records[].visits",
	"invoices":                  "customer_records[].billing_summaries",
	"invoice_lines":             "customer_records[].billing_summaries[].lines",
	"feedback":                  "customer_records[].feedback",
	"deduction_consents":        "customer_records[].deduction_consent",
	"deduction_payers":          "customer_records[].deduction_consent.payers (identity codes masked)",
	"customers":                 "customer_records[].customer",
	"legacy_credentials":        "customer_records[].customer.old_extranet_usernames (never the password hash)",
	"threads":                   "customer_records[].messages",
	"messages":                  "customer_records[].messages",
	"move_requests":             "customer_records[].move_requests",
	"deduction_consent_history": "customer_records[].deduction_consent_history",
	"passkeys":                  "passkeys (names and dates, never the key)",
	"calendar_feeds":            "calendar_feed (the date and settings, never the address)",
	"portal_feedback":           "portal_feedback",
	"site_grants":               "family_access (given on the account's homes and held on others'; never an invitation's link)",
}

// ExportExempt says, for each other table, why the download holds
// nothing of it.
var ExportExempt = map[string]string{
	"one_time_codes":      "hashes of 10-minute codes: secrets, not content",
	"known_devices":       "hashes of a random device cookie for sign-in throttling; the signed-in devices are under devices",
	"read_markers":        "a pointer to the last message read, no content of its own",
	"providers":           "the service companies; a home's provider's name is under site",
	"provider_staff":      "staff membership, the chain's employment record; staff and admins are not customers and have no download",
	"chain_admins":        "admin membership, the chain's own record; admins are not customers and have no download",
	"staff_invites":       "invitations of staff by the chain; staff have no customer data to download",
	"chain_policies":      "the chain's terms, the same for everyone",
	"deduction_rules":     "the yearly deduction rules, the same for everyone",
	"deduction_exports":   "runs of the yearly report: dates, counts and file names, no person's data",
	"reminder_runs":       "days the reminders were sent: dates and counts",
	"jobs":                "the outbox's work queue: ids of what to send, gone once done",
	"throttle":            "sign-in and code throttling counters that expire within the hour",
	"audit_log":           "the company's accountability log of staff and admin reads and changes, without the data",
	"changes":             "the journal for the ERP, of changes the sections already hold",
	"change_counter":      "the journal's sequence number",
	"import_rows":         "digests of imported rows, for idempotent re-runs",
	"import_runs":         "import reports: file names, checksums and counts",
	"api_tokens":          "the ERP integration's bearer tokens, no person's data",
	"vapid_keys":          "the server's Web Push key pair",
	"legacy_tickets":      "hashes of minutes-long tickets of the old extranet sign-in",
	"webauthn_ceremonies": "passkey challenges that expire within minutes",
	"totp_secrets":        "an authenticator app's secret (staff and admins): a credential, never shown",
	"recovery_codes":      "hashes of second-factor recovery codes: credentials, never shown",
}
