package web

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/boombuler/barcode/code128"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/pdftest"
	"asiakassivu/internal/portal"
)

// rectOp is a filled rectangle of a PDF content stream: x y w h re f.
var rectOp = regexp.MustCompile(`(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f`)

// pdfBars returns the widths of the bars and of the spaces between them
// (bar, space, bar, …) of the barcode drawn in a PDF, in modules of
// module points: the filled rectangles as tall as the barcode's bars.
func pdfBars(t *testing.T, content []byte, module, height float64) []int {
	t.Helper()
	type bar struct{ x, w float64 }
	var bars []bar
	for _, m := range rectOp.FindAllSubmatch(content, -1) {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
		}
		if math.Abs(math.Abs(v[3])-height) < 0.05 {
			bars = append(bars, bar{v[0], v[2]})
		}
	}
	slices.SortFunc(bars, func(a, b bar) int { return int(math.Round((a.x - b.x) * 100)) })
	var out []int
	for i, b := range bars {
		if i > 0 {
			out = append(out, int(math.Round((b.x-bars[i-1].x-bars[i-1].w)/module)))
		}
		out = append(out, int(math.Round(b.w/module)))
	}
	return out
}

// code128C decodes the element widths of a Code 128 symbol in set C into
// its digits, checking the start code, the checksum (start value plus
// each symbol's value times its position, mod 103) and the stop pattern.
// The widths of the 100 digit pairs come from encoding each pair.
func code128C(t *testing.T, widths []int) string {
	t.Helper()
	runs := func(s string) string { // the element widths of modules 11–21: the first symbol after the start
		bc, err := code128.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		var w []int
		prev, n := true, 0
		for x := 11; x < 22; x++ {
			r, _, _, _ := bc.At(x, 0).RGBA()
			dark := r < 0x8000
			if x > 11 && dark != prev {
				w = append(w, n)
				n = 0
			}
			prev = dark
			n++
		}
		return fmt.Sprint(append(w, n))
	}
	value := map[string]int{}
	for v := range 100 {
		// Four digits, so that the encoder picks set C (two alone may go in set B).
		value[runs(fmt.Sprintf("%02d%02d", v, v))] = v
	}
	// Start C is 2 1 1 2 3 2, stop 2 3 3 1 1 1 2 (ISO/IEC 15417 table 1).
	if len(widths) < 13 || fmt.Sprint(widths[:6]) != "[2 1 1 2 3 2]" || fmt.Sprint(widths[len(widths)-7:]) != "[2 3 3 1 1 1 2]" {
		t.Fatalf("not a Code 128 set C symbol: %v", widths)
	}
	body := widths[6 : len(widths)-7]
	if len(body)%6 != 0 {
		t.Fatalf("Code 128 symbols of six elements: %d elements", len(body))
	}
	var digits []byte
	sum := 105
	var vals []int
	for i := 0; i < len(body); i += 6 {
		v, ok := value[fmt.Sprint(body[i:i+6])]
		if !ok {
			t.Fatalf("symbol %d (%v) is not a set C value", i/6+1, body[i:i+6])
		}
		vals = append(vals, v)
	}
	check := vals[len(vals)-1]
	for i, v := range vals[:len(vals)-1] {
		sum += (i + 1) * v
		digits = fmt.Appendf(digits, "%02d", v)
	}
	if sum%103 != check {
		t.Fatalf("checksum %d, want %d", check, sum%103)
	}
	return string(digits)
}

// TestInvoicePDFPayment: the PDF of an open bill carries the payee, IBAN,
// reference, due date, amount and virtual barcode as text, and draws the
// virtual barcode as a Code 128 (set C) symbol that decodes back to the
// same 54 digits; a paid bill's PDF has none of them.
func TestInvoicePDFPayment(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	l := texts{c.Printer(i18n.Finnish)}
	due := portal.NewDate(2026, 12, 17)
	d := app.InvoiceDetail{Invoice: portal.Invoice{Number: "2026-004243", TotalCents: 11257, DueOn: due,
		Status: portal.InvoiceOpen, Reference: "1234561", Lines: []portal.InvoiceLine{{Description: "Siivous", QuantityMilli: 1000,
			UnitPriceCents: 8970, VATRateBP: 2550, NetCents: 8970, VATCents: 2287, TotalCents: 11257, IsWork: true}}},
		State: portal.StateOpen}
	d.Site.Provider = portal.Provider{Name: "Siivouspalvelu Kotikulma Oy", IBAN: "FI2112345600000785", BIC: "OKOYFIHH"}
	pay := paymentOf(d, portal.NewDate(2026, 12, 7))
	if !pay.Complete || len(pay.Barcode) != 54 {
		t.Fatalf("payment = %+v", pay)
	}
	b, err := invoicePDFBytes(l, d, pay)
	if err != nil {
		t.Fatal(err)
	}
	content := pdftest.Streams(b)
	for _, want := range []string{"Maksutiedot", "Siivouspalvelu Kotikulma Oy", "FI21 1234 5600 0007 85", "OKOYFIHH", "12 34561",
		"17.12.2026", "112,57\u00a0€", pay.Barcode} {
		if !bytes.Contains(content, pdftest.UTF16BE(want)) {
			t.Errorf("the PDF's text has no %q", want)
		}
	}
	// fpdf writes rectangles in points: 0.3 mm modules, 15 mm bars.
	const k = 72 / 25.4
	widths := pdfBars(t, content, 0.3*k, 15*k)
	modules := 0
	for _, w := range widths {
		modules += w
	}
	// Start C, 27 digit pairs, the checksum (11 modules each) and the
	// stop (13): set C all through, as bank apps read the code.
	if modules != 11+27*11+11+13 {
		t.Errorf("the barcode is %d modules, want 332 (Code 128 set C of 54 digits)", modules)
	}
	if got := code128C(t, widths); got != pay.Barcode {
		t.Errorf("the drawn barcode reads %s, want %s", got, pay.Barcode)
	}

	// Paid: no payment details, no bars.
	d.Invoice.Status, d.Invoice.PaidOn, d.State = portal.InvoicePaid, portal.NewDate(2026, 12, 1), portal.StatePaid
	b, err = invoicePDFBytes(l, d, paymentOf(d, portal.NewDate(2026, 12, 7)))
	if err != nil {
		t.Fatal(err)
	}
	content = pdftest.Streams(b)
	if bytes.Contains(content, pdftest.UTF16BE("FI21 1234")) || len(pdfBars(t, content, 0.3*k, 15*k)) != 0 {
		t.Error("a paid bill's PDF shows payment details")
	}
}
