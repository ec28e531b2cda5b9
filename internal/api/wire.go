package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
)

// The wire types: what the ERP sends (…In) and gets back (…Out). A field
// without omitempty is required; see openapi.json for the same rules.

type providerIn struct {
	Version    int64  `json:"version"`
	Name       string `json:"name"`
	BusinessID string `json:"business_id,omitempty"`
	City       string `json:"city,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Active     *bool  `json:"active,omitempty"`
	IBAN       string `json:"iban,omitempty"`
	BIC        string `json:"bic,omitempty"`
}

type customerIn struct {
	Version int64  `json:"version"`
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

type siteIn struct {
	Version    int64  `json:"version"`
	CustomerID string `json:"customer_id"`
	ProviderID string `json:"provider_id"`
	Name       string `json:"name,omitempty"`
	Street     string `json:"street"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
}

type contractIn struct {
	Version    int64  `json:"version"`
	SiteID     string `json:"site_id"`
	Kind       string `json:"kind"`
	Service    string `json:"service"`
	ServiceSV  string `json:"service_sv,omitempty"`
	ServiceEN  string `json:"service_en,omitempty"`
	WorkType   string `json:"work_type,omitempty"`
	Rhythm     string `json:"rhythm,omitempty"`
	PriceCents int64  `json:"price_cents,omitempty"`
	VATFree    bool   `json:"vat_free,omitempty"`
	StartDate  string `json:"start_date"`
	EndDate    string `json:"end_date,omitempty"`
}

type visitIn struct {
	Version         int64  `json:"version"`
	SiteID          string `json:"site_id"`
	ContractID      string `json:"contract_id,omitempty"`
	StartsAt        string `json:"starts_at"`
	EndsAt          string `json:"ends_at"`
	Status          string `json:"status"`
	Service         string `json:"service,omitempty"`
	ServiceSV       string `json:"service_sv,omitempty"`
	ServiceEN       string `json:"service_en,omitempty"`
	WorkerFirstName string `json:"worker_first_name,omitempty"`
	PriceCents      int64  `json:"price_cents,omitempty"`
}

type invoiceIn struct {
	Version      int64    `json:"version"`
	SiteID       string   `json:"site_id"`
	Number       string   `json:"number"`
	PeriodStart  string   `json:"period_start"`
	PeriodEnd    string   `json:"period_end"`
	IssuedOn     string   `json:"issued_on"`
	DueOn        string   `json:"due_on"`
	PaidOn       string   `json:"paid_on,omitempty"`
	Status       string   `json:"status"`
	IsCreditNote bool     `json:"is_credit_note,omitempty"`
	TotalCents   int64    `json:"total_cents"`
	Reference    string   `json:"reference,omitempty"`
	Lines        []lineIn `json:"lines"`
}

type lineIn struct {
	Description    string `json:"description"`
	DescriptionSV  string `json:"description_sv,omitempty"`
	DescriptionEN  string `json:"description_en,omitempty"`
	PerformedOn    string `json:"performed_on"`
	QuantityMilli  int64  `json:"quantity_milli"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	VATRateBP      int    `json:"vat_rate_bp"`
	NetCents       int64  `json:"net_cents"`
	VATCents       int64  `json:"vat_cents"`
	TotalCents     int64  `json:"total_cents"`
	IsWork         bool   `json:"is_work"`
}

// digest is the SHA-256 of a copy's content (its canonical JSON without
// the version): two copies under one version must have the same digest.
func digest(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// MaxLines is the most lines a billing summary may have.
const MaxLines = 500

// validVATRates are the Finnish VAT rates in basis points that a billing
// summary line may carry: zero (VAT-free home help), the reduced rates
// (10 %, 13.5 % from 2025, 14 % before) and the general rates (24 % until
// 31.8.2024, 25.5 % since).
var validVATRates = []int{0, 1000, 1350, 1400, 2400, portal.VATGeneral2024}

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$`)
	postalPattern   = regexp.MustCompile(`^[0-9]{5}$`)
	workTypePattern = regexp.MustCompile(`^[a-z_]{1,40}$`)
)

// checker collects the first problem found in a copy.
type checker struct{ err *apiError }

func (c *checker) fail(field, msg string) {
	if c.err == nil {
		c.err = invalid(field, msg)
	}
}

// text checks a single-line text of at most max characters, required or
// not, and returns it trimmed.
func (c *checker) text(field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		c.fail(field, "must be valid UTF-8")
	case required && s == "":
		c.fail(field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		c.fail(field, "must be at most "+strconv.Itoa(max)+" characters")
	case strings.ContainsFunc(s, unicode.IsControl):
		c.fail(field, "must be one line without control characters")
	}
	return s
}

func (c *checker) ref(field, s string) string {
	if !idPattern.MatchString(s) {
		c.fail(field, "must be an ERP id: 1 to 100 letters, digits, '.', '_', ':' or '-'")
	}
	return s
}

func (c *checker) version(v int64) {
	if v < 1 {
		c.fail("version", "must be at least 1")
	}
}

func (c *checker) date(field, s string, required bool) portal.Date {
	if s == "" && !required {
		return portal.Date{}
	}
	d, err := portal.ParseDate(s)
	if err != nil || d.String() != s {
		c.fail(field, "must be a date YYYY-MM-DD")
	}
	return d
}

func (c *checker) time(field, s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.fail(field, "must be a time in RFC 3339 with its offset, e.g. 2026-12-01T09:00:00+02:00")
	}
	return t.UTC()
}

func (c *checker) email(field, s string) string {
	if s == "" {
		return ""
	}
	clean, err := emailaddr.Check(s)
	switch {
	case errors.Is(err, emailaddr.ErrNotASCII):
		c.fail(field, "must be an email address whose part before the @ is ASCII after NFC (a look-alike of another address is refused)")
	case errors.Is(err, emailaddr.ErrMixedScript):
		c.fail(field, "must be an email address whose domain labels do not mix scripts (an ASCII domain, or a Unicode domain in one script; it is stored in its IDNA form)")
	case err != nil:
		c.fail(field, "must be an email address")
	}
	return clean
}

func (c *checker) cents(field string, v int64, negative bool) {
	if v < 0 && !negative {
		c.fail(field, "must not be negative")
	}
	if v > 1e11 || v < -1e11 {
		c.fail(field, "is out of range")
	}
}

func (c *checker) result() error {
	if c.err != nil {
		return c.err
	}
	return nil
}

func (in *providerIn) domain() (portal.Provider, error) {
	var c checker
	c.version(in.Version)
	p := portal.Provider{Name: c.text("name", in.Name, true, 200), BusinessID: c.text("business_id", in.BusinessID, false, 20),
		City: c.text("city", in.City, false, 100), Phone: c.text("phone", in.Phone, false, 40),
		Email: c.email("email", in.Email), Active: in.Active == nil || *in.Active}
	var err error
	if p.IBAN, err = payref.NormalizeIBAN(in.IBAN); err != nil {
		c.fail("iban", "must be an IBAN whose mod-97 check digits are right (spaces allowed), such as FI21 1234 5600 0007 85")
	}
	if p.BIC, err = payref.NormalizeBIC(in.BIC); err != nil {
		c.fail("bic", "must be a BIC of 8 or 11 letters and digits, such as OKOYFIHH")
	}
	return p, c.result()
}

func (in *customerIn) domain() (portal.Customer, error) {
	var c checker
	c.version(in.Version)
	cu := portal.Customer{Name: c.text("name", in.Name, true, 200), Email: c.email("email", in.Email),
		Phone: c.text("phone", in.Phone, false, 40)}
	return cu, c.result()
}

func (in *siteIn) domain() (portal.Site, error) {
	var c checker
	c.version(in.Version)
	c.ref("customer_id", in.CustomerID)
	c.ref("provider_id", in.ProviderID)
	s := portal.Site{Name: c.text("name", in.Name, false, 200), Street: c.text("street", in.Street, true, 200),
		PostalCode: c.text("postal_code", in.PostalCode, false, 5), City: c.text("city", in.City, false, 100)}
	if s.PostalCode != "" && !postalPattern.MatchString(s.PostalCode) {
		c.fail("postal_code", "must be five digits")
	}
	return s, c.result()
}

func (in *contractIn) domain() (portal.Contract, error) {
	var c checker
	c.version(in.Version)
	c.ref("site_id", in.SiteID)
	k := portal.Contract{Kind: portal.ContractKind(in.Kind), Service: c.text("service", in.Service, true, 200),
		ServiceSV: c.text("service_sv", in.ServiceSV, false, 200), ServiceEN: c.text("service_en", in.ServiceEN, false, 200),
		WorkType: in.WorkType, Rhythm: c.text("rhythm", in.Rhythm, false, 40), PriceCents: in.PriceCents, VATFree: in.VATFree,
		Start: c.date("start_date", in.StartDate, true), End: c.date("end_date", in.EndDate, false)}
	if k.Kind != portal.ContractRegular && k.Kind != portal.ContractOneOff {
		c.fail("kind", "must be regular or one_off")
	}
	if k.WorkType == "" {
		k.WorkType = "household"
	} else if !workTypePattern.MatchString(k.WorkType) {
		c.fail("work_type", "must be a work type such as household or care")
	}
	c.cents("price_cents", k.PriceCents, false)
	if !k.End.IsZero() && k.End.Before(k.Start) {
		c.fail("end_date", "must not be before start_date")
	}
	return k, c.result()
}

func (in *visitIn) domain() (portal.Visit, error) {
	var c checker
	c.version(in.Version)
	c.ref("site_id", in.SiteID)
	if in.ContractID != "" {
		c.ref("contract_id", in.ContractID)
	}
	v := portal.Visit{StartsAt: c.time("starts_at", in.StartsAt), EndsAt: c.time("ends_at", in.EndsAt),
		Status: portal.VisitStatus(in.Status), Service: c.text("service", in.Service, false, 200),
		ServiceSV: c.text("service_sv", in.ServiceSV, false, 200), ServiceEN: c.text("service_en", in.ServiceEN, false, 200),
		WorkerFirstName: c.text("worker_first_name", in.WorkerFirstName, false, 60), PriceCents: in.PriceCents}
	if c.err == nil && !v.EndsAt.After(v.StartsAt) {
		c.fail("ends_at", "must be after starts_at")
	}
	if !slices.Contains(portal.VisitStatuses, v.Status) {
		c.fail("status", "must be one of planned, confirmed, in_progress, done, cancelled_customer, cancelled_provider")
	}
	c.cents("price_cents", v.PriceCents, false)
	return v, c.result()
}

func (in *invoiceIn) domain() (portal.Invoice, error) {
	var c checker
	c.version(in.Version)
	c.ref("site_id", in.SiteID)
	inv := portal.Invoice{Number: c.text("number", in.Number, true, 40), PeriodStart: c.date("period_start", in.PeriodStart, true),
		PeriodEnd: c.date("period_end", in.PeriodEnd, true), IssuedOn: c.date("issued_on", in.IssuedOn, true),
		DueOn: c.date("due_on", in.DueOn, true), PaidOn: c.date("paid_on", in.PaidOn, false),
		Status: portal.InvoiceStatus(in.Status), IsCreditNote: in.IsCreditNote, TotalCents: in.TotalCents}
	if ref, err := payref.NormalizeReference(in.Reference); err != nil {
		c.fail("reference", "must be a Finnish reference number (4 to 20 digits, the last the 7-3-1 check digit of the others) "+
			"or an RF creditor reference whose mod-97 check digits are right and whose part after them is 1 to 21 digits")
	} else if ref != "" && !payref.Barcodeable(ref) {
		c.fail("reference", "an RF creditor reference must have digits only after its check digits, so the virtual barcode can carry it")
	} else {
		inv.Reference = ref
	}
	if c.err == nil {
		switch {
		case inv.PeriodEnd.Before(inv.PeriodStart):
			c.fail("period_end", "must not be before period_start")
		case inv.DueOn.Before(inv.IssuedOn):
			c.fail("due_on", "must not be before issued_on")
		}
	}
	switch inv.Status {
	case portal.InvoicePaid:
		if inv.PaidOn.IsZero() {
			c.fail("paid_on", "is required when status is paid")
		}
	case portal.InvoiceOpen, portal.InvoiceCredited:
	default:
		c.fail("status", "must be open, paid or credited")
	}
	c.cents("total_cents", inv.TotalCents, inv.IsCreditNote)
	if len(in.Lines) == 0 || len(in.Lines) > MaxLines {
		c.fail("lines", "must have 1 to "+strconv.Itoa(MaxLines)+" lines")
	}
	var sum int64
	for i, l := range in.Lines {
		p := "lines[" + strconv.Itoa(i) + "]."
		line := portal.InvoiceLine{Position: i + 1, Description: c.text(p+"description", l.Description, true, 500),
			DescriptionSV: c.text(p+"description_sv", l.DescriptionSV, false, 500),
			DescriptionEN: c.text(p+"description_en", l.DescriptionEN, false, 500),
			PerformedOn:   c.date(p+"performed_on", l.PerformedOn, true), QuantityMilli: l.QuantityMilli,
			UnitPriceCents: l.UnitPriceCents, VATRateBP: l.VATRateBP, NetCents: l.NetCents, VATCents: l.VATCents,
			TotalCents: l.TotalCents, IsWork: l.IsWork}
		if l.QuantityMilli < 0 && !in.IsCreditNote {
			c.fail(p+"quantity_milli", "must not be negative")
		}
		c.cents(p+"unit_price_cents", l.UnitPriceCents, in.IsCreditNote)
		c.cents(p+"net_cents", l.NetCents, in.IsCreditNote)
		if !slices.Contains(validVATRates, l.VATRateBP) {
			c.fail(p+"vat_rate_bp", "must be a Finnish VAT rate in basis points: 0, 1000, 1350, 1400, 2400 or 2550")
		} else if d := l.VATCents - portal.VATOf(l.NetCents, l.VATRateBP); d < -1 || d > 1 {
			c.fail(p+"vat_cents", "must be net_cents × vat_rate_bp / 10000, rounded to the cent")
		}
		if l.NetCents+l.VATCents != l.TotalCents {
			c.fail(p+"total_cents", "must be net_cents + vat_cents")
		}
		sum += l.TotalCents
		inv.Lines = append(inv.Lines, line)
	}
	if c.err == nil && sum != inv.TotalCents {
		c.fail("total_cents", "must be the sum of the lines' total_cents")
	}
	return inv, c.result()
}

// Answers.

type providerOut struct {
	ID         string `json:"id"`
	Version    int64  `json:"version"`
	Name       string `json:"name"`
	BusinessID string `json:"business_id"`
	City       string `json:"city"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	Active     bool   `json:"active"`
	IBAN       string `json:"iban"`
	BIC        string `json:"bic"`
}

type customerOut struct {
	ID        string  `json:"id"`
	Version   int64   `json:"version"`
	Name      string  `json:"name"`
	Email     string  `json:"email"`
	Phone     string  `json:"phone"`
	DeletedAt *string `json:"deleted_at"`
}

type siteOut struct {
	ID         string  `json:"id"`
	Version    int64   `json:"version"`
	CustomerID string  `json:"customer_id"`
	ProviderID string  `json:"provider_id"`
	Name       string  `json:"name"`
	Street     string  `json:"street"`
	PostalCode string  `json:"postal_code"`
	City       string  `json:"city"`
	DeletedAt  *string `json:"deleted_at"`
}

type contractOut struct {
	ID         string  `json:"id"`
	Version    int64   `json:"version"`
	SiteID     string  `json:"site_id"`
	Kind       string  `json:"kind"`
	Service    string  `json:"service"`
	ServiceSV  string  `json:"service_sv"`
	ServiceEN  string  `json:"service_en"`
	WorkType   string  `json:"work_type"`
	Rhythm     string  `json:"rhythm"`
	PriceCents int64   `json:"price_cents"`
	VATFree    bool    `json:"vat_free"`
	StartDate  string  `json:"start_date"`
	EndDate    *string `json:"end_date"`
	DeletedAt  *string `json:"deleted_at"`
}

type visitOut struct {
	ID              string  `json:"id"`
	Version         int64   `json:"version"`
	SiteID          string  `json:"site_id"`
	ContractID      *string `json:"contract_id"`
	StartsAt        string  `json:"starts_at"`
	EndsAt          string  `json:"ends_at"`
	Status          string  `json:"status"`
	Service         string  `json:"service"`
	ServiceSV       string  `json:"service_sv"`
	ServiceEN       string  `json:"service_en"`
	WorkerFirstName string  `json:"worker_first_name"`
	PriceCents      int64   `json:"price_cents"`
	CustomerNote    string  `json:"customer_note"`
	ProviderNote    string  `json:"provider_note"`
	DeletedAt       *string `json:"deleted_at"`
}

type invoiceOut struct {
	ID           string    `json:"id"`
	Version      int64     `json:"version"`
	SiteID       string    `json:"site_id"`
	Number       string    `json:"number"`
	PeriodStart  string    `json:"period_start"`
	PeriodEnd    string    `json:"period_end"`
	IssuedOn     string    `json:"issued_on"`
	DueOn        string    `json:"due_on"`
	PaidOn       *string   `json:"paid_on"`
	Status       string    `json:"status"`
	IsCreditNote bool      `json:"is_credit_note"`
	TotalCents   int64     `json:"total_cents"`
	Reference    string    `json:"reference"`
	Lines        []lineOut `json:"lines"`
	DeletedAt    *string   `json:"deleted_at"`
}

type lineOut struct {
	Position       int    `json:"position"`
	Description    string `json:"description"`
	DescriptionSV  string `json:"description_sv"`
	DescriptionEN  string `json:"description_en"`
	PerformedOn    string `json:"performed_on"`
	QuantityMilli  int64  `json:"quantity_milli"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	VATRateBP      int    `json:"vat_rate_bp"`
	NetCents       int64  `json:"net_cents"`
	VATCents       int64  `json:"vat_cents"`
	TotalCents     int64  `json:"total_cents"`
	IsWork         bool   `json:"is_work"`
}

// upsertOut is the answer to an upsert: what was done and the record as
// stored now (which keeps what the portal owns, e.g. a cancelled visit).
type upsertOut struct {
	Result string `json:"result"` // created, updated, unchanged
	Record any    `json:"record"`
}

// deleteOut is the answer to a deletion.
type deleteOut struct {
	Result    string `json:"result"` // deleted
	ID        string `json:"id"`
	Version   int64  `json:"version"`
	DeletedAt string `json:"deleted_at"`
}

// changeOut is one entry of the changes feed.
type changeOut struct {
	Seq        int64           `json:"seq"`
	At         string          `json:"at"`
	Kind       string          `json:"kind"`
	Entity     string          `json:"entity"`
	EntityID   *string         `json:"entity_id"`
	CustomerID *string         `json:"customer_id"`
	SiteID     *string         `json:"site_id"`
	Data       json.RawMessage `json:"data"`
	Actor      *actorOut       `json:"actor"`
}

// actorOut is who made a change on the customer's side (who did what):
// the portal's account id, the name shown for the person and their role on
// the site. A change by the provider, or one made before actors were
// kept, has none (null).
type actorOut struct {
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// actorOf is the feed's actor of a change (nil: none recorded).
func actorOf(a portal.Actor) *actorOut {
	if !a.Known() {
		return nil
	}
	return &actorOut{AccountID: a.AccountID, Name: a.Name, Role: string(a.Role)}
}

// changesOut is one page of the changes feed; next is the cursor for the
// following page (the last seq returned, or the one asked after).
type changesOut struct {
	Items   []changeOut `json:"items"`
	Next    int64       `json:"next"`
	HasMore bool        `json:"has_more"`
}

// errorOut is every error's body.
type errorOut struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// apiError is an answer other than success, mapped to its status in one
// place (Server.fail).
type apiError struct {
	Status  int
	Code    string
	Message string
	Field   string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func invalid(field, msg string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: msg, Field: field}
}

func timeOut(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timeOut(t)
	return &s
}

func optDate(d portal.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
