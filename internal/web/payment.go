package web

import (
	"strconv"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/web/pdf"
)

// payment is what an open bill shows so that it can be paid (C14): the
// payee, account, reference, due date, amount and virtual barcode, each
// as shown and as copied. The invoice page and its PDF both use it.
type payment struct {
	// Show is true for a bill that is still to be paid (open or
	// overdue); paid bills, credit notes and credited bills show nothing.
	Show bool
	// Complete is true when the account and the reference are both
	// known; otherwise the page says the details come with the bill
	// instead of showing half of them.
	Complete bool
	Payee    string
	IBAN     string // in groups of four
	IBANRaw  string // electronic form, what the copy button copies
	BIC      string
	Ref      string // as printed: groups of five, or RF in groups of four
	RefRaw   string
	Due      portal.Date
	Cents    int64
	// Barcode is the 54-digit virtual barcode; empty when the account is
	// not Finnish (the payer types the details).
	Barcode string
	// OverdueDays counts the days since the due date; 0 when not overdue.
	OverdueDays int
}

// issuerOf is the provider a bill names and is paid to: the one stamped
// on it when it was issued, so a bill issued before its site moved to
// another provider still names and pays the first. Only an invoice with no
// stamp at all falls back to the site's provider.
func issuerOf(d app.InvoiceDetail) portal.Issuer {
	if d.Invoice.Issuer.Stamped {
		return d.Invoice.Issuer
	}
	p := d.Site.Provider
	return portal.Issuer{Name: p.Name, BusinessID: p.BusinessID, IBAN: p.IBAN, BIC: p.BIC}
}

// paymentOf builds the payment details of a billing summary on day today.
func paymentOf(d app.InvoiceDetail, today portal.Date) payment {
	inv, prov := d.Invoice, issuerOf(d)
	st := inv.StateOn(today)
	p := payment{Show: st == portal.StateOpen || st == portal.StateOverdue}
	if !p.Show {
		return p
	}
	iban, errIBAN := payref.NormalizeIBAN(prov.IBAN)
	ref, errRef := payref.NormalizeReference(inv.Reference)
	p.Complete = errIBAN == nil && errRef == nil && iban != "" && ref != ""
	p.Payee, p.Due, p.Cents = prov.Name, inv.DueOn, inv.TotalCents
	if st == portal.StateOverdue {
		p.OverdueDays = int(today.Time().Sub(inv.DueOn.Time()).Hours() / 24)
	}
	if !p.Complete {
		return p
	}
	p.IBAN, p.IBANRaw, p.BIC = payref.FormatIBAN(iban), iban, prov.BIC
	p.Ref, p.RefRaw = payref.FormatReference(ref), ref
	if code, err := payref.VirtualBarcode(iban, inv.TotalCents, ref, inv.DueOn.Time()); err == nil {
		p.Barcode = code
	}
	return p
}

// paymentPDF writes the payment details of a bill still to be paid at the
// end of its PDF: the same fields as the page, and the virtual barcode
// drawn as Code 128 for bank apps to scan.
func paymentPDF(doc *pdf.Doc, l texts, pay payment) error {
	if !pay.Show {
		return nil
	}
	doc.Gap(5)
	doc.Font(true, 11)
	doc.RuledLine(l.T("pay.heading"))
	doc.Font(false, 10)
	if pay.OverdueDays > 0 {
		doc.Font(true, 10)
		doc.Line(l.N("pay.overdue", pay.OverdueDays))
		doc.Font(false, 10)
	}
	if !pay.Complete {
		doc.Line(l.T("pay.missing"))
		doc.Field(l.T("pay.due"), l.Day(pay.Due))
		doc.Field(l.T("pay.amount"), l.Money(pay.Cents))
		return nil
	}
	doc.Field(l.T("pay.payee"), pay.Payee)
	doc.Field(l.T("pay.iban"), pay.IBAN)
	if pay.BIC != "" {
		doc.Field(l.T("pay.bic"), pay.BIC)
	}
	doc.Field(l.T("pay.reference"), pay.Ref)
	doc.Field(l.T("pay.due"), l.Day(pay.Due))
	doc.Field(l.T("pay.amount"), l.Money(pay.Cents))
	if pay.Barcode == "" {
		doc.Note(l.T("pay.noBarcode"))
		return nil
	}
	doc.Field(l.T("pay.barcode"), pay.Barcode)
	doc.Gap(2)
	if err := doc.Barcode(pay.Barcode); err != nil {
		return err
	}
	doc.Font(false, 9)
	doc.Note(l.T("pay.pdfScan"))
	return nil
}

// payable reports whether a bill in a list is still to be paid, so its row
// links to its payment details.
func payable(inv portal.Invoice, today portal.Date) bool {
	st := inv.StateOn(today)
	return st == portal.StateOpen || st == portal.StateOverdue
}

// copyAmount is the amount as a bank's form takes it: "1234,50" ("1234.50"
// in English), no currency, no grouping.
func (l texts) copyAmount(cents int64) string {
	sep := ","
	if l.Lang == i18n.English {
		sep = "."
	}
	c := cents % 100
	if c < 0 {
		c = -c
	}
	return strconv.FormatInt(cents/100, 10) + sep + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
}
