package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/mail/mailtest"
	"asiakassivu/internal/portal"
)

// TestLegacyCustomerMovesOver is the legacy bridge in a real browser on a
// phone: the demo's old extranet customer signs in with the old username
// and password, is led to create the new account for the address on file,
// verifies it with the mailed code and sees the home on the dashboard. The
// old credentials are refused afterwards, and once the retirement date has
// come the form gives way to the explanation of the new way in.
func TestLegacyCustomerMovesOver(t *testing.T) {
	smtp := mailtest.Start(t)
	srv := startServer(t, "--smtp", smtp.URL(), "--mail-from", "Asiakassivu <noreply@asiakassivu.example>")
	ctx := browser(t, 360, 740)
	const email, password = "vanha@demo.example", "Kahvi maistuu aamulla 42"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/kirjaudu"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/kirjaudu/extranet"]`)),
		leavePage(chromedp.Click(chromedp.CSS(`a[href="/kirjaudu/extranet"]`))),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demo.LegacyUsername),
		chromedp.SendKeys(chromedp.CSS("#password"), "väärä salasana"),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/kirjaudu/extranet"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "Tarkista käyttäjätunnus ja salasana") {
		t.Errorf("a wrong password is not explained:\n%s", text)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#username"))); v != demo.LegacyUsername {
		t.Errorf("the form lost the username: %q", v)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), demo.LegacyPassword),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/kirjaudu/extranet"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/kirjaudu/extranet/uusi-tili"] #password`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "legacy-new-account")
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "v***@d***.example") || strings.Contains(text, email) {
		t.Errorf("the page should show the record's address masked:\n%s", text)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/kirjaudu/extranet/uusi-tili"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	code := smtp.WaitFor(t, email, 30*time.Second).Code()
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/vahvista"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS("#h-next")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "legacy-dashboard")
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Kalevankatu 20 A 9", "Seuraava palveluvuoro", "Viimeisin laskutuskooste"} {
		if !strings.Contains(text, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, text)
		}
	}
	// Signed out, the old credentials open nothing any more.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.Navigate(srv.url+"/kirjaudu/extranet"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), demo.LegacyUsername),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.LegacyPassword),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/kirjaudu/extranet"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The chain retires the old extranet today.
	today := time.Now().In(portal.Helsinki).Format(time.DateOnly)
	out, err := exec.Command(srv.bin, "policy", "set", "--data-dir", srv.dataDir, "--legacy-retirement", today).CombinedOutput()
	if err != nil {
		t.Fatalf("policy set: %v\n%s", err, out)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/kirjaudu/extranet"),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/luo-tili"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "legacy-closed")
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "poistuivat käytöstä") || !strings.Contains(text, "luo uusi tili") {
		t.Errorf("after retirement the page should explain the new way:\n%s", text)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#username").length`)); n != 0 {
		t.Error("after retirement the old-credentials form is still there")
	}
}
