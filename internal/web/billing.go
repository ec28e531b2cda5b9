package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/web/pdf"
)

// billingFormat formats the figures of billing pages in the page's
// language: VAT rates and hours.
type billingFormat struct{ lang i18n.Lang }

// Rate shows a VAT rate in basis points: "25,5 %" ("25.5%" in English).
func (f billingFormat) Rate(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%02d", r), "0")
	}
	if f.lang == i18n.English {
		return s + "%"
	}
	return strings.ReplaceAll(s, ".", ",") + "\u00a0%"
}

// Hours shows a quantity in thousandths of an hour: "1,5".
func (f billingFormat) Hours(milli int64) string {
	s := strconv.FormatInt(milli/1000, 10)
	if r := milli % 1000; r != 0 {
		if r < 0 {
			r = -r
		}
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", r), "0")
	}
	if f.lang == i18n.English {
		return s
	}
	return strings.ReplaceAll(s, ".", ",")
}

type billingPage struct {
	layout
	billingFormat
	B app.Billing
}

// yearParam reads ?vuosi=YYYY; 0 when absent or odd.
func yearParam(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("vuosi"))
	if err != nil || y < 2000 || y > 2100 {
		return 0
	}
	return y
}

// billing lists a site's billing summaries, by default of the latest year
// that has any.
func (s *Server) billing(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	year := yearParam(r)
	b, err := s.app.SiteBilling(r.Context(), v.Viewer, site, year)
	if err != nil {
		return err
	}
	if year == 0 && r.URL.Query().Get("vuosi") == "" && len(b.Years) > 0 {
		if b, err = s.app.SiteBilling(r.Context(), v.Viewer, site, b.Years[0]); err != nil {
			return err
		}
	}
	p := billingPage{layout: s.base(r, v, "billing.title"), B: b}
	p.billingFormat = billingFormat{p.L.Lang}
	p.CurrentSite, p.Section = site, "billing"
	return s.render(w, r, http.StatusOK, "invoices", p)
}

type invoicePage struct {
	layout
	billingFormat
	D   app.InvoiceDetail
	Pay payment
}

func (s *Server) invoiceIDs(r *http.Request) (site, invoice int64, err error) {
	if site, err = pathID(r, "site"); err != nil {
		return 0, 0, err
	}
	invoice, err = pathID(r, "invoice")
	return site, invoice, err
}

// invoice shows one billing summary; the page prints without menus.
func (s *Server) invoice(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, inv, err := s.invoiceIDs(r)
	if err != nil {
		return err
	}
	d, err := s.app.SiteInvoice(r.Context(), v.Viewer, site, inv)
	if err != nil {
		return err
	}
	p := invoicePage{layout: s.base(r, v, "billing.invoiceTitle"), D: d}
	p.billingFormat = billingFormat{p.L.Lang}
	p.Pay = paymentOf(d, p.Today)
	p.Title = p.L.T("billing.invoiceTitle") + " " + d.Invoice.Number
	p.CurrentSite, p.Section = site, "billing"
	return s.render(w, r, http.StatusOK, "invoice", p)
}

// invoicePDF sends one billing summary as a PDF.
func (s *Server) invoicePDF(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, inv, err := s.invoiceIDs(r)
	if err != nil {
		return err
	}
	d, err := s.app.SiteInvoice(r.Context(), v.Viewer, site, inv)
	if err != nil {
		return err
	}
	l := s.texts(r, v)
	b, err := invoicePDFBytes(l, d, paymentOf(d, s.today()))
	if err != nil {
		return err
	}
	return sendPDF(w, "lasku-"+d.Invoice.Number+".pdf", b)
}

func sendPDF(w http.ResponseWriter, name string, b []byte) error {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(name)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b)
	return err
}

// safeFileName keeps letters, digits, dots and dashes.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

// invoicePDFBytes lays out a billing summary as the invoice page shows it,
// with its payment details (pay) at the end.
func invoicePDFBytes(l texts, d app.InvoiceDetail, pay payment) ([]byte, error) {
	f := billingFormat{l.Lang}
	inv := d.Invoice
	title := l.T("billing.invoiceTitle") + " " + inv.Number
	if inv.IsCreditNote {
		title = l.T("invoice.credit") + " " + inv.Number
	}
	doc := pdf.New(title)
	issuer := issuerOf(d)
	doc.Field(l.T("billing.provider"), issuer.Name+parenthesised(issuer.BusinessID))
	doc.Field(l.T("billing.site"), d.Site.Site.Address())
	doc.Field(l.T("billing.period"), l.Day(inv.PeriodStart)+" – "+l.Day(inv.PeriodEnd))
	doc.Field(l.T("billing.issued"), l.Day(inv.IssuedOn))
	doc.Field(l.T("billing.due"), l.Day(inv.DueOn))
	if !inv.PaidOn.IsZero() {
		doc.Field(l.T("billing.paidOn"), l.Day(inv.PaidOn))
	}
	doc.Field(l.T("billing.state"), l.T("billing.state."+string(d.State)))
	doc.Gap(4)
	heads := []string{l.T("billing.col.description"), l.T("billing.col.hours"), l.T("billing.col.unit"),
		l.T("billing.col.vatRate"), l.T("billing.col.vat"), l.T("billing.col.total"), l.T("billing.col.kind")}
	rows := make([][]string, len(inv.Lines))
	for i, ln := range inv.Lines {
		kind := l.T("billing.kind.other")
		if ln.IsWork {
			kind = l.T("billing.kind.work")
		}
		rows[i] = []string{ln.DescriptionIn(l.lang()), f.Hours(ln.QuantityMilli), l.Money(ln.UnitPriceCents), f.Rate(ln.VATRateBP),
			l.Money(ln.VATCents), l.Money(ln.TotalCents), kind}
	}
	doc.Table([]float64{62, 16, 22, 16, 20, 24, 20}, "LRRRRRL", heads, rows)
	doc.Gap(3)
	doc.Font(true, 9)
	doc.RuledLine(l.T("billing.vatTotals"))
	doc.Font(false, 9)
	for _, t := range d.VATTotals {
		doc.Field(l.T("billing.vatLine", "rate", f.Rate(t.RateBP)),
			l.T("billing.vatLineValue", "net", l.Money(t.NetCents), "vat", l.Money(t.VATCents), "total", l.Money(t.TotalCents)))
	}
	doc.Gap(2)
	doc.Field(l.T("billing.workShare"), l.Money(d.WorkShareCents))
	doc.Field(l.T("billing.otherShare"), l.Money(d.OtherCents))
	doc.Font(true, 11)
	doc.Field(l.T("billing.total"), l.Money(inv.TotalCents))
	if err := paymentPDF(doc, l, pay); err != nil {
		return nil, err
	}
	return doc.Bytes()
}

type statementPage struct {
	layout
	billingFormat
	St    app.Statement
	Years []int
	Split int // the first payer's per cent with two payers; 0 for one payer
	// Base is the page's own address: the account's statement or one
	// home's (/kohteet/{site}/vuosikooste).
	Base string
}

// WorkType names a work type in the page's language.
func (p statementPage) WorkType(key string) string { return workTypeName(p.L, key) }

// workTypeName names a work type ("household", "care", ...) in the
// language; a type without a text shows as its key.
func workTypeName(l texts, key string) string {
	k := "worktype." + key
	if s := l.T(k); s != k {
		return s
	}
	return key
}

// statementParams reads the year (default: last year) and the split.
func (s *Server) statementParams(r *http.Request) (year, split int, shares []int) {
	year = yearParam(r)
	if year == 0 {
		year = s.today().Year - 1
	}
	if p, err := strconv.Atoi(r.URL.Query().Get("jako")); err == nil && p >= 1 && p <= 99 {
		split = p
		shares = []int{p * 100, 10000 - p*100}
	}
	return year, split, shares
}

// statement shows the account's yearly statement over all its records.
func (s *Server) statement(w http.ResponseWriter, r *http.Request, v *viewer) error {
	year, split, shares := s.statementParams(r)
	st, err := s.app.YearlyStatement(r.Context(), v.Viewer, year, shares)
	if err != nil {
		return err
	}
	return s.renderStatement(w, r, v, st, split, "/vuosikooste", 0)
}

// siteStatement is one home's yearly statement: what a caretaker sees of
// the home they look after (family access), and its owner too.
func (s *Server) siteStatement(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	year, split, shares := s.statementParams(r)
	st, err := s.app.SiteStatement(r.Context(), v.Viewer, site, year, shares)
	if err != nil {
		return err
	}
	return s.renderStatement(w, r, v, st, split, sitePath(site)+"/vuosikooste", site)
}

func (s *Server) renderStatement(w http.ResponseWriter, r *http.Request, v *viewer, st app.Statement, split int, base string, site int64) error {
	p := statementPage{layout: s.base(r, v, "statement.title"), St: st, Split: split, Base: base}
	if site != 0 {
		p.CurrentSite = site
	}
	p.billingFormat = billingFormat{p.L.Lang}
	for y := s.today().Year; y >= 2023; y-- {
		p.Years = append(p.Years, y)
	}
	p.Section = "statement"
	return s.render(w, r, http.StatusOK, "statement", p)
}

// statementPDF sends the yearly statement as a PDF.
func (s *Server) statementPDF(w http.ResponseWriter, r *http.Request, v *viewer) error {
	year, _, shares := s.statementParams(r)
	st, err := s.app.YearlyStatement(r.Context(), v.Viewer, year, shares)
	if err != nil {
		return err
	}
	l := s.texts(r, v)
	doc := pdf.New(l.T("statement.heading", "year", strconv.Itoa(st.Year)))
	for _, ss := range st.Sites {
		doc.Amount(siteLabel(ss.Site), l.Money(ss.WorkShareCents), false)
	}
	doc.Font(true, 10)
	doc.Amount(l.T("statement.total"), l.Money(st.WorkShareCents), true)
	doc.Font(false, 10)
	if len(st.Types) > 1 {
		doc.Gap(3)
		doc.Font(true, 10)
		doc.Heading(l.T("statement.byType", "year", strconv.Itoa(st.Year)))
		doc.Font(false, 10)
		for _, t := range st.Types {
			doc.Amount(workTypeName(l, t.WorkType), l.Money(t.WorkShareCents), false)
		}
	}
	doc.Gap(3)
	if !st.HasRule {
		doc.Line(l.T("statement.noRules", "year", strconv.Itoa(st.Year)))
	} else {
		f := billingFormat{l.Lang}
		for _, t := range st.Types {
			if !t.HasRule {
				doc.Line(l.T("statement.noRulesType", "type", workTypeName(l, t.WorkType),
					"year", strconv.Itoa(st.Year), "share", l.Money(t.WorkShareCents)))
				continue
			}
			args := []any{"rate", f.Rate(t.Rule.RateBP), "max", l.Money(t.Rule.MaxCents), "omavastuu", l.Money(t.Rule.OmavastuuCents)}
			if len(st.Types) == 1 {
				doc.Line(l.T("statement.rule", args...))
			} else {
				doc.Line(l.T("statement.ruleOf", append([]any{"type", workTypeName(l, t.WorkType)}, args...)...))
			}
		}
		if len(st.Types) > 1 {
			doc.Line(l.T("statement.typesNote"))
		}
		for i, p := range st.Payers {
			doc.Amount(l.T("statement.payerLine", "n", strconv.Itoa(i+1), "share", l.Money(p.WorkShareCents)), l.Money(p.DeductionCents), false)
		}
	}
	doc.Gap(3)
	doc.Note(l.T("statement.omavastuuNote"))
	doc.Note(l.T("statement.estimateNote"))
	b, err := doc.Bytes()
	if err != nil {
		return err
	}
	return sendPDF(w, fmt.Sprintf("vuosikooste-%d.pdf", st.Year), b)
}

func siteLabel(s portal.Site) string {
	if s.Name != "" {
		return s.Name + ", " + s.Address()
	}
	return s.Address()
}

type consentPage struct {
	layout
	Consents []app.ConsentView
	Form     form
	Customer int64 // the record the form's errors belong to
}

func (s *Server) consentPage(r *http.Request, v *viewer) (consentPage, error) {
	p := consentPage{layout: s.base(r, v, "consent.title"), Form: newForm()}
	p.Section = "consent"
	var err error
	p.Consents, err = s.app.Consents(r.Context(), v.Viewer)
	return p, err
}

// consent shows the deduction-sending consent of each of the account's
// customer records.
func (s *Server) consent(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.consentPage(r, v)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consent", p)
}

// setConsent turns a record's consent on (with payers) or off; the
// password is asked again unless the sign-in is recent.
func (s *Server) setConsent(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	customer, err := strconv.ParseInt(r.PostForm.Get("customer"), 10, 64)
	if err != nil || customer <= 0 {
		return portal.ErrNotFound
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"payer1name", "payer1code", "payer1share", "payer2name", "payer2code", "payer2share", "current"},
		Run: func(f url.Values) (string, string, error) {
			enabled := f.Get("enabled") == "1"
			var payers []app.PayerInput
			for _, n := range []string{"1", "2"} {
				name, code := f.Get("payer"+n+"name"), f.Get("payer"+n+"code")
				if n == "2" && strings.TrimSpace(name) == "" && strings.TrimSpace(code) == "" {
					continue
				}
				pct, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.Get("payer"+n+"share")), "%")))
				// An empty code keeps the stored code of the payer the row showed.
				payers = append(payers, app.PayerInput{Name: name, IdentityCode: code, ShareBP: pct * 100,
					Keep: clip(f.Get("payer"+n+"keep"), 64)})
			}
			if len(payers) == 1 && strings.TrimSpace(f.Get("payer1share")) == "" {
				payers[0].ShareBP = 10000
			}
			if pw := f.Get("current"); pw != "" {
				if err := s.app.Reauthenticate(r.Context(), v.Viewer, pw, s.client(r)); err != nil {
					return "", "", err
				}
				v.AuthAt = s.app.Now()
			}
			return "/kotitalousvahennys", "suostumus", s.app.SetConsent(r.Context(), v.Viewer, customer, enabled, payers)
		},
		Refuse: func(err error, f *form) int {
			if errors.Is(err, app.ErrReauthenticate) {
				f.fail("current", "consent.error.password")
				return http.StatusUnprocessableEntity
			}
			return 0
		},
		Page: func(f form, status int) error {
			p, err := s.consentPage(r, v)
			if err != nil {
				return err
			}
			owned := false
			for _, c := range p.Consents {
				owned = owned || c.CustomerID == customer
			}
			if !owned {
				return portal.ErrNotFound
			}
			// Names and shares come back; identity codes are never echoed.
			for _, k := range []string{"payer1name", "payer2name", "payer1share", "payer2share"} {
				f.Values[k] = clip(r.PostForm.Get(k), 2*app.MaxPayerName)
			}
			p.Form, p.Customer = f, customer
			return s.render(w, r, status, "consent", p)
		},
	})
}

// Pct shows a share in basis points as a percentage: "50" or "33,5".
func (p consentPage) Pct(bp int) string {
	return billingFormat{p.L.Lang}.Rate(bp)
}

// Stored returns the stored payer shown in row n ("1" or "2") of a
// record's form, or nil for an empty row.
func (p consentPage) Stored(c app.ConsentView, n string) *app.PayerView {
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > len(c.Payers) {
		return nil
	}
	return &c.Payers[i-1]
}

// Value is what a row's name or share field shows: after a refused post
// what was sent, otherwise the stored payer's name or share in per cent.
func (p consentPage) Value(c app.ConsentView, n, field string) string {
	if p.Customer == c.CustomerID {
		return p.Form.Values["payer"+n+field]
	}
	sp := p.Stored(c, n)
	switch {
	case sp == nil:
		return ""
	case field == "name":
		return sp.Name
	case sp.ShareBP%100 == 0:
		return strconv.Itoa(sp.ShareBP / 100)
	}
	return ""
}
