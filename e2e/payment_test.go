package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// checkDigit731 computes a Finnish reference number's check digit the way
// the bankers' association's guide describes it, independently of the
// portal's code: the base's digits from the right times 7, 3, 1, 7, …,
// and the difference of the sum to the next ten.
func checkDigit731(base string) int {
	w := []int{7, 3, 1}
	sum := 0
	for i := range len(base) {
		sum += int(base[len(base)-1-i]-'0') * w[i%3]
	}
	return (10 - sum%10) % 10
}

// mod97 is the remainder of a string of digits and letters (A = 10 …) by
// 97, as IBAN and RF check digits are computed.
func mod97(s string) int {
	var digits strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			digits.WriteString(strconv.Itoa(int(r-'A') + 10))
		} else {
			digits.WriteRune(r)
		}
	}
	rem := 0
	for _, r := range digits.String() {
		rem = (rem*10 + int(r-'0')) % 97
	}
	return rem
}

func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// TestPayOpenBillInBrowser: the demo customer opens an open bill from the
// bills list's "Maksutiedot" link. The page shows the payee, IBAN,
// reference, due date, amount and virtual barcode; the test checks the
// reference's check digit and the IBAN's by its own arithmetic, decodes
// the virtual barcode back to IBAN, amount, reference and due date and
// finds each as the page shows it, copies the reference with its button,
// and sees nothing wider than a 360-px phone.
func TestPayOpenBillInBrowser(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/kohteet"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	sites, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll("main a[href^='/kohteet/']")]
		.map((a) => a.getAttribute("href").match(/^\/kohteet\/\d+/)).filter(Boolean).map((m) => m[0]))]`))
	if err != nil || len(sites) == 0 {
		t.Fatalf("no sites: %v", err)
	}
	var bill string
	for _, s := range sites {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+s+"/laskut?vuosi=0"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		bill, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("a[href$='#maksu']") || {href: ""}).href`))
		if bill != "" {
			break
		}
	}
	if bill == "" {
		t.Fatal("no open bill links to its payment details in the demo")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(bill), chromedp.WaitVisible(chromedp.CSS("#maksu #pay-barcode"))); err != nil {
		t.Fatal(err)
	}
	read := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#"+id)))
		if err != nil || strings.TrimSpace(s) == "" {
			t.Fatalf("#%s: %q, %v", id, s, err)
		}
		return strings.TrimSpace(s)
	}
	payee, iban, ref, due, amount, code := read("pay-payee"), read("pay-iban"), read("pay-ref"), read("pay-due"),
		read("pay-amount"), read("pay-barcode")
	t.Logf("payee %q, IBAN %q, reference %q, due %q, amount %q, barcode %s", payee, iban, ref, due, amount, code)

	// The reference and the IBAN check out by the test's own arithmetic.
	refRaw, ibanRaw := compact(ref), compact(iban)
	if strings.HasPrefix(refRaw, "RF") {
		if mod97(refRaw[4:]+refRaw[:4]) != 1 {
			t.Errorf("RF reference %s: check digits do not match", ref)
		}
	} else if len(refRaw) < 4 || checkDigit731(refRaw[:len(refRaw)-1]) != int(refRaw[len(refRaw)-1]-'0') {
		t.Errorf("reference %s: the last digit is not the 7-3-1 check digit %d", ref, checkDigit731(refRaw[:len(refRaw)-1]))
	}
	if len(ibanRaw) != 18 || !strings.HasPrefix(ibanRaw, "FI") || mod97(ibanRaw[4:]+ibanRaw[:4]) != 1 {
		t.Errorf("IBAN %s: not a Finnish IBAN with right check digits", iban)
	}

	// The virtual barcode decodes back to what the page shows.
	if len(code) != 54 {
		t.Fatalf("virtual barcode %q: %d digits, want 54", code, len(code))
	}
	if got := "FI" + code[1:17]; got != ibanRaw {
		t.Errorf("barcode account %s, page %s", got, ibanRaw)
	}
	euros, _ := strconv.Atoi(code[17:23])
	cents, _ := strconv.Atoi(code[23:25])
	if got, want := fmt.Sprintf("%d%02d", euros, cents), strings.TrimLeft(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, amount), "0"); got != want {
		t.Errorf("barcode amount %d,%02d, page %q", euros, cents, amount)
	}
	switch code[0] {
	case '4':
		if code[25:28] != "000" || strings.TrimLeft(code[28:48], "0") != refRaw {
			t.Errorf("barcode (version 4) reference %s, page %s", code[28:48], refRaw)
		}
	case '5':
		if got := "RF" + code[25:27] + strings.TrimLeft(code[27:48], "0"); got != refRaw {
			t.Errorf("barcode (version 5) reference %s, page %s", got, refRaw)
		}
	default:
		t.Errorf("barcode version %c, want 4 or 5", code[0])
	}
	parts := strings.Split(due, ".")
	if len(parts) != 3 {
		t.Fatalf("due date %q is not d.m.yyyy", due)
	}
	d, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	y, _ := strconv.Atoi(parts[2])
	if got, want := code[48:], fmt.Sprintf("%02d%02d%02d", y%100, m, d); got != want {
		t.Errorf("barcode due date %s, page %s", got, due)
	}

	// With JavaScript the copy buttons show, and one copies the
	// reference without its spaces.
	visible, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#maksu button.copy")].filter((b) => !b.hidden && b.offsetWidth > 0).length`))
	if visible != 6 {
		t.Errorf("%d copy buttons shown, want 6", visible)
	}
	if _, err := chromedp.Call(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-write", AllowWithoutSanitization: true},
		Setting:    cdpbrowser.PermissionSettingGranted}); err != nil {
		t.Logf("clipboard permission: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-read"}, Setting: cdpbrowser.PermissionSettingGranted}); err != nil {
		t.Logf("clipboard permission: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pay-ref + button.copy"))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const s = document.getElementById("pay-status").textContent; return s || false; })()`))
	if err != nil || !strings.HasPrefix(status, "Kopioitu") {
		t.Errorf("after copying the reference the status says %q (%v)", status, err)
	}
	copied, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || copied != refRaw {
		t.Errorf("clipboard holds %q (%v), want %q", copied, err, refRaw)
	}

	// Nothing is cut on a phone: the page never scrolls sideways, and the
	// barcode's box is no wider than the page.
	wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth ||
		document.getElementById("maksu").getBoundingClientRect().right > window.innerWidth`))
	if wide {
		t.Error("the bill's payment details are wider than a 360-px phone")
	}
	if os.Getenv("ASIAKASSIVU_AXE") != "" || os.Getenv("CI") == "true" {
		checkAxe(t, ctx, axeSource(t), "open bill")
	}
	shot(t, ctx, "pay-bill-360")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#maksu"))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "pay-bill-1280")
}
