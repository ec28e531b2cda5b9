package e2e

import (
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/mail/mailtest"

	"github.com/chromedp/chromedp"
)

// TestProviderSeesWhoCancelled is family access's "who did what" in the
// browser: Maija (asiakas@), asioiden hoitaja of Aino's (aiti@) home in
// Lahti, finds it in the menu marked as looked after and its pages say
// whose home it is; she cancels its visit ten days ahead (free); the
// provider's staff (lahimmainen@) read "Peruttu: Maija Virtanen (asioiden
// hoitaja)" on the visit's page; Aino gets a mail about it (a real SMTP
// peer).
func TestProviderSeesWhoCancelled(t *testing.T) {
	smtp := mailtest.Start(t)
	srv := startServer(t, "--smtp", smtp.URL(), "--mail-from", "Asiakassivu <noreply@asiakassivu.example>")
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	const banner = "Hoidat kohdetta Aino Virtasen puolesta"
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.menu > summary")), chromedp.WaitVisible(chromedp.CSS(".switcher"))); err != nil {
		t.Fatal(err)
	}
	owners, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".switcher .site-owner")].map(e => e.innerText)`))
	if err != nil || len(owners) != 1 || owners[0] != banner {
		t.Fatalf("the switcher marks %q (%v), want one %q", owners, err, banner)
	}
	shot(t, ctx, "family-switcher")
	err = chromedp.Do(ctx, leavePage(clickBy(`(() => { for (const a of document.querySelectorAll(".switcher a")) {
		if (a.textContent.includes("Lahti")) { a.click(); return true } } return false })()`)),
		chromedp.WaitVisible(chromedp.CSS("p.on-behalf")))
	if err != nil {
		t.Fatalf("Aino's home from the menu: %v", err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.on-behalf"))); got != banner {
		t.Errorf("the home's page says %q, want %q", got, banner)
	}
	shot(t, ctx, "family-dashboard")
	axeIfSet(t, ctx, "a looked-after home's dashboard")
	if err := chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`nav.sections a[href$="/palveluvuorot"]`))),
		chromedp.WaitVisible(chromedp.CSS("ul.visits"))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.on-behalf"))); got != banner {
		t.Errorf("the visits page says %q, want %q", got, banner)
	}
	openVisitOn(t, ctx, helsinkiDay(10))
	err = chromedp.Do(ctx,
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, ctx); !strings.Contains(text, "Käynti on peruttu.") {
		t.Fatalf("after cancelling:\n%s", text)
	}
	visitURL, _ := chromedp.Run(ctx, chromedp.Location())
	visitID := visitURL[strings.LastIndex(visitURL, "/")+1:]
	if i := strings.Index(visitID, "?"); i >= 0 {
		visitID = visitID[:i]
	}

	// The provider sees who cancelled, on the visit's page and the day's
	// schedule.
	staff := browser(t, 1280, 900)
	signInTo(t, staff, srv.url, "lahimmainen@demo.example", "demo-salasana-2025", "nav.tabs")
	const who = "Peruttu: Maija Virtanen (asioiden hoitaja)"
	err = chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja/palveluvuorot/"+visitID), chromedp.WaitVisible(chromedp.CSS("p.crumbs")))
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, staff); !strings.Contains(text, who) || !strings.Contains(text, "Vesijärvenkatu") {
		t.Errorf("the provider's page of the visit lacks %q:\n%s", who, text)
	}
	shot(t, staff, "family-provider-visit")
	axeIfSet(t, staff, "the provider's page of a visit a relative cancelled")
	if err := chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja?tila=kaikki&paiva="+isoDay(10)), chromedp.WaitVisible(chromedp.CSS("nav.tabs"))); err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, staff); !strings.Contains(text, who) {
		t.Errorf("the provider's schedule lacks %q:\n%s", who, text)
	}

	// Aino is told.
	msg := smtp.WaitFor(t, "aiti@demo.example", 30*time.Second)
	if msg.Subject != "Palveluvuoro peruttiin puolestasi" || !strings.Contains(msg.Text, "Maija Virtanen (asioiden hoitaja) perui palveluvuoron") ||
		!strings.Contains(msg.Text, "Vesijärvenkatu") {
		t.Errorf("Aino's mail %q:\n%s", msg.Subject, msg.Text)
	}
}
