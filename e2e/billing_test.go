package e2e

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/pdftest"
)

// TestBillingInBrowser: the demo customer opens the summer cottage's
// billing, downloads an invoice's PDF (it parses and holds the invoice
// number and total) and opens the yearly statement; with axe-core at hand
// every billing page is checked.
func TestBillingInBrowser(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	var axe string
	if os.Getenv("ASIAKASSIVU_AXE") != "" || os.Getenv("CI") == "true" {
		axe = axeSource(t)
	}
	check := func(name string) {
		if axe != "" {
			checkAxe(t, ctx, axe, name)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/kohteet"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	site, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const a = [...document.querySelectorAll("main a[href^='/kohteet/']")].find((a) => a.textContent.includes("Kesämökki"));
		return a ? a.getAttribute("href") : "";
	})()`))
	if err != nil || site == "" {
		t.Fatalf("no summer cottage link: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+site+"/laskut"), chromedp.WaitVisible(chromedp.CSS("table.billing"))); err != nil {
		t.Fatal(err)
	}
	check("billing list")
	shot(t, ctx, "billing-list")
	href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("table.billing tbody tr:not(.credit) th a").getAttribute("href")`))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+href), chromedp.WaitVisible(chromedp.CSS("table.lines"))); err != nil {
		t.Fatal(err)
	}
	check("invoice")
	// On a phone the wide tables scroll inside their own region, never the page.
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the invoice page scrolls sideways at 360 px")
	}
	shot(t, ctx, "billing-invoice")
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	total, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".totals dd strong")))
	number := h1[strings.LastIndex(h1, " ")+1:]
	if number == "" || total == "" {
		t.Fatalf("invoice page: h1 %q total %q", h1, total)
	}
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("a[href$='/pdf']").href)
		.then((r) => r.arrayBuffer()).then((b) => {
			const u = new Uint8Array(b); let s = "";
			for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
			return btoa(s);
		})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download PDF: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("not a PDF (%d bytes): %v", len(pdf), err)
	}
	text := pdftest.Streams(pdf)
	for _, want := range []string{number, strings.TrimSpace(total)} {
		if !bytes.Contains(text, pdftest.UTF16BE(want)) {
			t.Errorf("the PDF does not hold %q", want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/vuosikooste"), chromedp.WaitVisible(chromedp.CSS("#h-deduction"))); err != nil {
		t.Fatal(err)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Vuosikooste", "Kesämökki", "Omavastuu"} {
		if !strings.Contains(body, want) {
			t.Errorf("statement lacks %q", want)
		}
	}
	check("yearly statement")
	shot(t, ctx, "billing-statement")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/kotitalousvahennys"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	check("deduction consent")
	shot(t, ctx, "billing-consent")
}
