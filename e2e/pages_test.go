package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNewcomerSeesCreateAccountAtOnce: on a 360×640 phone the sign-in
// page shows a newcomer the way to an account ("Luo tili") within the
// first screen, without scrolling; and the contact page is a footer link
// away.
func TestNewcomerSeesCreateAccountAtOnce(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 640)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/kirjaudu"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/kirjaudu"]`)),
	); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "signin-360")
	type box struct {
		Top, Bottom, Left, Right, Height, Width float64
		Text                                    string
	}
	b, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => {
		const a = [...document.querySelectorAll('a[href="/luo-tili"]')][0];
		const r = a.getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, Height: innerHeight, Width: innerWidth, Text: a.textContent.trim()};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Text != "Luo tili" || b.Top < 0 || b.Bottom > b.Height || b.Left < 0 || b.Right > b.Width || b.Height != 640 {
		t.Errorf("the first sign-up link %q is at %.0f–%.0f × %.0f–%.0f of a %.0f×%.0f viewport", b.Text, b.Top, b.Bottom, b.Left, b.Right, b.Width, b.Height)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('footer a[href="/yhteystiedot"]').getAttribute("href")`))
	if err != nil || href != "/yhteystiedot" {
		t.Errorf("no footer link to the contact page: %q %v", href, err)
	}
}
