package web

import (
	"strings"
	"time"

	"github.com/a-h/templ"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// texts is the language of one request: the translated strings plus the
// portal's own formats (visit times, statuses) built on them. Page
// components reach it as p.L.
type texts struct{ i18n.Printer }

// lang is the page's language code, for the names the ERP may give in
// Swedish and English too (portal.InLanguage).
func (l texts) lang() string { return string(l.Lang) }

// dashboard is what the site page shows of a site summary, formatted in
// the page's language.
type dashboard struct {
	VisitTime, VisitWorker, VisitStatus      string // of the next visit
	InvoiceTotal, InvoiceText, InvoiceStatus string // of the latest billing summary
	Unread                                   string
	Contracts                                []contractLine
}

// contractLine is a contract as the site page lists it.
type contractLine struct{ Service, Rhythm, Price, State string }

// dashboard formats sum for the site page on day today.
func (l texts) dashboard(sum portal.SiteSummary, today portal.Date) dashboard {
	var d dashboard
	if v := sum.NextVisit; v != nil {
		d.VisitTime, d.VisitStatus = l.VisitTime(*v), l.VisitStatus(v.Status)
		if v.WorkerFirstName != "" {
			d.VisitWorker = l.T("site.worker", "name", v.WorkerFirstName)
		}
	}
	if inv := sum.LatestInvoice; inv != nil {
		d.InvoiceTotal = l.Money(inv.TotalCents)
		d.InvoiceText = l.T("dashboard.invoice", "number", inv.Number, "from", l.Day(inv.PeriodStart), "to", l.Day(inv.PeriodEnd))
		d.InvoiceStatus = l.InvoiceStatus(*inv, today)
	}
	if sum.Unread != 0 {
		d.Unread = l.N("dashboard.unread", sum.Unread)
	}
	for _, c := range sum.Contracts {
		d.Contracts = append(d.Contracts, contractLine{Service: c.ServiceIn(l.lang()), Rhythm: l.Rhythm(c.Rhythm),
			Price: l.T("site.perVisit", "price", l.Money(c.PriceCents)), State: l.ContractState(c, today)})
	}
	return d
}

// field is the data of fieldView: one labelled input with its hint and
// error. Passwords are never echoed back.
type field struct {
	ID, Name, Label, Type, Autocomplete string
	Value, Error, Hint                  string
}

// newField describes an input of form f: id (unique in the page), name,
// label key, input type, autocomplete token and an optional hint key.
func newField(f form, id, name, label, typ, autocomplete, hint string) field {
	fd := field{ID: id, Name: name, Label: label, Type: typ, Autocomplete: autocomplete, Error: f.Errors[name], Hint: hint}
	if typ != "password" {
		fd.Value = f.Values[name]
	}
	return fd
}

// textArea is the data of textAreaView: a labelled multi-line input with
// an optional hint and its error ({max} characters), its texts, maxlength
// (four bytes a character) and aria-describedby ids computed.
type textArea struct {
	ID, Name, Label, Hint, Value, Error string
	Rows, Max                           int
	LabelText, HintText, ErrorText      string
	MaxLength                           int
	DescribedBy                         string
}

// textArea describes a text area of form f.
func (l texts) textArea(f form, id, name, label, hint string, rows, max int) textArea {
	ta := textArea{ID: id, Name: name, Label: label, Hint: hint, Value: f.Values[name], Error: f.Errors[name], Rows: rows, Max: max,
		LabelText: l.T(label), MaxLength: 4 * max}
	var describedBy []string
	if ta.Hint != "" {
		ta.HintText = l.T(ta.Hint)
		describedBy = append(describedBy, id+"-hint")
	}
	if ta.Error != "" {
		ta.ErrorText = l.T(ta.Error, "max", max)
		describedBy = append(describedBy, id+"-error")
	}
	ta.DescribedBy = strings.Join(describedBy, " ")
	return ta
}

// accessAreas are the text areas of the access instructions form f, in
// order.
func (l texts) accessAreas(f form) []textArea {
	names := [...]string{"access_keys", "access_door_code", "access_pets", "access_parking", "access_other"}
	out := make([]textArea, len(names))
	for i, name := range names {
		out[i] = l.textArea(f, name, name, "access."+name, "", 2, app.MaxAccessField)
	}
	return out
}

// When formats a moment in Helsinki time: "28.11.2026 klo 18.40".
func (l texts) When(t time.Time) string {
	t = t.In(portal.Helsinki)
	return l.T("time.at", "date", l.Date(t.Date()), "time", l.Clock(t))
}

// Day formats a calendar date.
func (l texts) Day(d portal.Date) string { return l.Date(d.Year, d.Month, d.Day) }

// VisitTime shows a visit's day and time window in Helsinki:
// "ti 1.12.2026 klo 9.00–12.00".
func (l texts) VisitTime(v portal.Visit) string {
	return l.Span(v.StartsAt.In(portal.Helsinki), v.EndsAt.In(portal.Helsinki))
}

// Rhythm names how often a contract's visits come.
func (l texts) Rhythm(r string) string {
	switch r {
	case "weekly", "biweekly", "monthly":
		return l.T("rhythm." + r)
	case "":
		return l.T("rhythm.once")
	}
	return r
}

// VisitStatus names a visit's status in words (never by colour alone).
func (l texts) VisitStatus(st portal.VisitStatus) string { return l.T("visit.status." + string(st)) }

// InvoiceStatus names the state of a billing summary; an open one past its
// due date is overdue.
func (l texts) InvoiceStatus(inv portal.Invoice, today portal.Date) string {
	switch {
	case inv.IsCreditNote:
		return l.T("invoice.credit")
	case inv.Status == portal.InvoicePaid:
		return l.T("invoice.paid", "date", l.Day(inv.PaidOn))
	case inv.Status == portal.InvoiceCredited:
		return l.T("invoice.credited")
	case inv.DueOn.Before(today):
		return l.T("invoice.overdue", "date", l.Day(inv.DueOn))
	}
	return l.T("invoice.open", "date", l.Day(inv.DueOn))
}

// ContractState says whether a contract is in force, and since or until when.
func (l texts) ContractState(c portal.Contract, today portal.Date) string {
	switch {
	case today.Before(c.Start):
		return l.T("contract.starts", "date", l.Day(c.Start))
	case !c.End.IsZero() && c.End.Before(today):
		return l.T("contract.ended", "date", l.Day(c.End))
	case !c.End.IsZero():
		return l.T("contract.until", "date", l.Day(c.End))
	}
	return l.T("contract.since", "date", l.Day(c.Start))
}

// tel turns a phone number into a tel: link target. Only digits and a
// leading plus pass, which is what makes the URL safe to mark as such.
func tel(phone string) templ.SafeURL {
	var b strings.Builder
	for i, r := range phone {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return templ.SafeURL("tel:" + b.String())
}
