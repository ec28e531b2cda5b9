package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/mail/mailtest"
)

// TestNewcomerSignsUp is the seed's central promise in a real browser with
// a real SMTP peer: uusi@demo.example has records on file but no account;
// she signs up, reads the code from the mail, verifies, and sees the site,
// its next visit and latest billing summary. Back after signing out, the
// form holds her address.
func TestNewcomerSignsUp(t *testing.T) {
	smtp := mailtest.Start(t)
	srv := startServer(t, "--smtp", smtp.URL(), "--mail-from", "Asiakassivu <noreply@asiakassivu.example>")
	ctx := browser(t, 360, 740)
	const email, password = "uusi@demo.example", "Kahvi maistuu aamulla 42"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/luo-tili"]`)),
		// The sign-in page has an #email too: the wait is for the next page.
		leavePage(chromedp.Click(chromedp.CSS(`a[href="/luo-tili"]`))),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/luo-tili"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "signup-code")
	msg := smtp.WaitFor(t, email, 30*time.Second)
	code := msg.Code()
	if len(code) != 6 || !strings.Contains(msg.HTML, code) {
		t.Fatalf("mail %q has code %q", msg.Subject, code)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code[:3]+" "+code[3:]),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/vahvista"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS("#h-next")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Seuraava palveluvuoro", "Viimeisin laskutuskooste", "Palveluntuottaja"} {
		if !strings.Contains(text, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, text)
		}
	}
	for _, absent := range []string{"Ei tulevia palveluvuoroja", "Ei laskutuskoosteita"} {
		if strings.Contains(text, absent) {
			t.Errorf("dashboard says %q: the records on file did not appear", absent)
		}
	}
	shot(t, ctx, "signup-dashboard")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.CSS("#password")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email"))); v != email {
		t.Errorf("sign-in form holds %q, want %q", v, email)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/kirjaudu"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#h-next")),
	)
	if err != nil {
		t.Fatalf("sign in again: %v", err)
	}
}
