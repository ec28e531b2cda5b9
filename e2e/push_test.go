package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestProfileOffersNotifications: in Chromium, which has the Push API, the
// profile's script (a module under the page's CSP) replaces the "needs a
// browser that can show notifications" text with the button, and the page
// carries the server's VAPID key, made at the first start.
func TestProfileOffersNotifications(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/profiili/ilmoitukset"), chromedp.WaitVisible(chromedp.CSS("#push-form button"))); err != nil {
		t.Fatalf("the notifications button does not appear: %v", err)
	}
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("push-unsupported").hidden`))
	if err != nil || !hidden {
		t.Errorf("the no-support text still shows (%v)", err)
	}
	key, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("push").dataset.key`))
	if err != nil || len(key) != 87 {
		t.Errorf("VAPID key on the page: %q (%v), want 65 bytes of base64url", key, err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ilmoitukset")))
	for _, want := range []string{"Ota ilmoitukset käyttöön tällä laitteella", "Lisää Koti-valikkoon", "Uusi laskutuskooste"} {
		if !strings.Contains(text, want) {
			t.Errorf("notifications section lacks %q", want)
		}
	}
}
