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

	// Notifications: push.go.
	Notifications ExportNotifications `json:"notifications"`
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

// ExportCustomer is one linked customer record with its site's data.
type ExportCustomer struct {
	Site      ExportSite       `json:"site"`
	Contracts []ExportContract `json:"contracts"`
	Visits    []ExportVisit    `json:"visits"`
	Invoices  []ExportInvoice  `json:"billing_summaries"`
	Feedback  []ExportFeedback `json:"feedback"`
	Consent   *ExportConsent   `json:"deduction_consent,omitempty"`
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

// Export gathers the viewer's data.
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
		sites, err := tx.Sites(ctx, v.scope())
		if err != nil {
			return err
		}
		for _, s := range sites {
			c, err := a.exportSite(ctx, tx, s)
			if err != nil {
				return err
			}
			out.Customers = append(out.Customers, c)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("export: %w", err)
	}
	return out, nil
}

func (a *App) exportSite(ctx context.Context, tx *store.Tx, s store.SiteWithProvider) (ExportCustomer, error) {
	c := ExportCustomer{Site: ExportSite{Name: s.Site.Name, Address: s.Site.Address(), Provider: s.Provider.Name,
		AccessInstructions: s.Site.Access}}
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
	for _, vi := range visits {
		c.Visits = append(c.Visits, ExportVisit{Start: vi.StartsAt, End: vi.EndsAt, Status: string(vi.Status),
			Worker: vi.WorkerFirstName, Note: vi.CustomerNote})
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
