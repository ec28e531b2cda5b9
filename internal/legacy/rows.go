package legacy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"asiakassivu/internal/portal"
)

// addRow reads one row of kind k from its values (by column name) and
// appends it to the export, or appends its refusal.
func (x *Export) addRow(k Kind, pos Pos, get func(string) string) {
	f := &fields{get: get}
	refuse := func() {
		e := RowError{Pos: pos, Kind: k, Reason: f.reason}
		e.ID = oneLine(get("id"))
		if pc, ok := parentColumn[k]; ok {
			e.Parent = oneLine(get(pc))
		}
		x.Refused = append(x.Refused, e)
	}
	switch k {
	case Providers:
		r := Provider{Pos: pos, ID: f.id("id"), Name: f.str("name", true, maxShort), BusinessID: f.str("business_id", false, maxShort),
			City: f.str("city", false, maxShort), Phone: f.str("phone", false, maxShort), Email: f.email("email"),
			IBAN: f.iban("iban"), BIC: f.bic("bic")}
		if f.reason == "" {
			x.Providers = append(x.Providers, r)
		}
	case Customers:
		r := Customer{Pos: pos, ID: f.id("id"), Name: f.str("name", true, maxShort), Email: f.email("email"),
			Phone: f.str("phone", false, maxShort)}
		if f.reason == "" {
			x.Customers = append(x.Customers, r)
		}
	case Sites:
		r := Site{Pos: pos, ID: f.id("id"), Customer: f.id("customer"), Provider: f.id("provider"), Name: f.str("name", false, maxShort),
			Street: f.str("street", true, maxShort), PostalCode: f.str("postal_code", false, maxShort), City: f.str("city", false, maxShort)}
		if f.reason == "" {
			x.Sites = append(x.Sites, r)
		}
	case Contracts:
		r := Contract{Pos: pos, ID: f.id("id"), Site: f.id("site")}
		switch kind := strings.ToLower(f.str("kind", true, maxShort)); kind {
		case string(portal.ContractRegular), string(portal.ContractOneOff):
			r.Kind = portal.ContractKind(kind)
		default:
			f.fail("bad kind %q: want regular or one_off", kind)
		}
		r.Service, r.WorkType, r.Rhythm = f.str("service", true, maxShort), f.str("work_type", false, maxShort), f.str("rhythm", false, maxShort)
		if r.WorkType == "" {
			r.WorkType = "household"
		}
		r.PriceCents = f.decimal("price", false, 2, false, "amount")
		r.VATFree = f.boolean("vat_free")
		r.Start, r.End = f.date("start", true), f.date("end", false)
		if f.reason == "" && !r.End.IsZero() && r.End.Before(r.Start) {
			f.fail("end %s is before start %s", r.End.Finnish(), r.Start.Finnish())
		}
		if f.reason == "" {
			x.Contracts = append(x.Contracts, r)
		}
	case Credentials:
		r := Credential{Pos: pos, ID: f.id("id"), Customer: f.id("customer"), Username: f.str("username", true, maxShort),
			Algorithm: portal.LegacyAlgorithm(strings.ToLower(f.str("algorithm", true, maxShort))),
			Hash:      f.str("hash", true, maxShort), Salt: f.str("salt", false, maxShort)}
		if f.reason == "" {
			var err error
			r.Params, r.Canonical, err = SplitHash(r.Algorithm, r.Hash, r.Salt)
			switch {
			case errors.Is(err, ErrAlgorithm):
				f.fail("unknown algorithm %q: want bcrypt or sha256-salted", string(r.Algorithm))
			case err != nil:
				// The hash itself is never repeated in a message.
				f.fail("hash (or salt) does not have the form algorithm %s needs", r.Algorithm)
			}
		}
		if f.reason == "" {
			x.Credentials = append(x.Credentials, r)
		}
	case Invoices:
		r := Invoice{Pos: pos, ID: f.id("id"), Customer: f.id("customer"), Site: f.id("site"), Number: f.str("number", true, maxShort),
			PeriodStart: f.date("period_start", true), PeriodEnd: f.date("period_end", true), IssuedOn: f.date("issued_on", true),
			DueOn: f.date("due_on", true), PaidOn: f.date("paid_on", false)}
		switch st := strings.ToLower(f.str("status", true, maxShort)); st {
		case string(portal.InvoiceOpen), string(portal.InvoicePaid), string(portal.InvoiceCredited):
			r.Status = portal.InvoiceStatus(st)
		default:
			f.fail("bad status %q: want open, paid or credited", st)
		}
		r.CreditNote = f.boolean("credit_note")
		r.Reference = f.reference("reference")
		if f.reason == "" && r.PeriodEnd.Before(r.PeriodStart) {
			f.fail("period_end %s is before period_start %s", r.PeriodEnd.Finnish(), r.PeriodStart.Finnish())
		}
		if f.reason == "" && r.Status == portal.InvoicePaid && r.PaidOn.IsZero() {
			f.fail("status paid needs paid_on")
		}
		if f.reason == "" {
			x.Invoices = append(x.Invoices, r)
		}
	case InvoiceLines:
		r := InvoiceLine{Pos: pos, ID: f.id("id"), Invoice: f.id("invoice"), Position: f.integer("position", true, 1, 1000),
			Description: f.str("description", true, maxShort), PerformedOn: f.date("performed_on", true),
			QuantityMilli: f.decimal("quantity", true, 3, true, "quantity"), UnitPriceCents: f.decimal("unit_price", true, 2, true, "amount"),
			VATRateBP: int(f.decimal("vat_rate", true, 2, false, "VAT percentage")), IsWork: f.boolean("is_work")}
		if f.reason == "" && r.VATRateBP > 10000 {
			f.fail("VAT percentage above 100 in vat_rate")
		}
		if f.reason == "" {
			x.InvoiceLines = append(x.InvoiceLines, r)
		}
	case Feedback:
		r := FeedbackRow{Pos: pos, ID: f.id("id"), Site: f.id("site"), Rating: f.integer("rating", false, 1, 5),
			Comment: f.str("comment", false, maxText), Reply: f.str("reply", false, maxText),
			RepliedAt: f.datetime("replied_at", false), CreatedAt: f.datetime("created_at", true)}
		if f.reason == "" {
			x.Feedback = append(x.Feedback, r)
		}
	case Consents:
		r := Consent{Pos: pos, ID: f.id("id"), Customer: f.id("customer"), TextVersion: f.str("text_version", false, maxShort)}
		if strings.TrimSpace(get("enabled")) == "" {
			f.fail("enabled is missing")
		}
		r.Enabled = f.boolean("enabled")
		if r.TextVersion == "" {
			r.TextVersion = Source
		}
		if f.reason == "" {
			x.Consents = append(x.Consents, r)
		}
	case Payers:
		r := Payer{Pos: pos, ID: f.id("id"), Consent: f.id("consent"), Name: f.str("name", true, maxShort),
			IdentityCode: portal.NormalizeHetu(f.str("identity_code", true, 20))}
		if f.reason == "" && !portal.ValidHetu(r.IdentityCode) {
			// The code itself is personal data: never repeated in a report.
			f.fail("identity_code is not a valid henkilötunnus (date or check character)")
		}
		r.ShareBP = int(f.decimal("share", true, 2, false, "percentage"))
		if f.reason == "" && (r.ShareBP <= 0 || r.ShareBP > 10000) {
			f.fail("share must be above 0 and at most 100 %%")
		}
		if f.reason == "" {
			x.Payers = append(x.Payers, r)
		}
	default:
		f.fail("unknown kind %q", k)
	}
	if f.reason != "" {
		refuse()
	}
}

// grow makes room for n more rows of kind k, so that a large file does
// not copy its rows again and again as the slice grows.
func (x *Export) grow(k Kind, n int) {
	switch k {
	case Customers:
		x.Customers = slices.Grow(x.Customers, n)
	case Sites:
		x.Sites = slices.Grow(x.Sites, n)
	case Contracts:
		x.Contracts = slices.Grow(x.Contracts, n)
	case Invoices:
		x.Invoices = slices.Grow(x.Invoices, n)
	case InvoiceLines:
		x.InvoiceLines = slices.Grow(x.InvoiceLines, n)
	}
}

// oneLine shortens a raw value for use as an id in a message.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > maxID {
		s = s[:maxID]
	}
	return s
}

// checkHeader checks that a file names every required column of its
// kind once.
func checkHeader(name string, k Kind, names []string) (map[string]int, error) {
	idx := make(map[string]int, len(names))
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if _, dup := idx[n]; dup {
			return nil, &FileError{Pos{name, 1}, fmt.Sprintf("column %q appears twice in the header", n)}
		}
		idx[n] = i
	}
	for _, c := range columns[k] {
		if _, ok := idx[c.name]; c.required && !ok {
			return nil, &FileError{Pos{name, 1}, fmt.Sprintf("the header lacks column %q (a %s file needs %s)", c.name, k, requiredList(k))}
		}
	}
	return idx, nil
}

func requiredList(k Kind) string {
	var s []string
	for _, c := range columns[k] {
		if c.required {
			s = append(s, c.name)
		}
	}
	return strings.Join(s, ", ")
}
