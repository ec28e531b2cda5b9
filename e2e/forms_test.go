package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
)

// TestFormLandsOnSummaryAndNotice: on the long profile page of a 360-px
// phone, a wrong current password shows the page again with the error
// summary inside the viewport and focused, not thousands of pixels below;
// a successful change shows the notice inside the viewport, focused.
func TestFormLandsOnSummaryAndNotice(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", demo.Password)

	// where tells whether the element is wholly inside the viewport and
	// has the focus, and how tall the page is.
	type place struct {
		Found, Inside, Focused bool
		Top, PageHeight        float64
	}
	where := func(sel string) place {
		t.Helper()
		// Autofocus runs at the page's first rendering; wait for it.
		_, _ = chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement?.matches(`+quote(sel)+`) ?? false`,
			chromedp.WithPollingTimeout(3*time.Second)))
		p, err := chromedp.Run(ctx, chromedp.Evaluate[place](`(() => {
			const el = document.querySelector(`+quote(sel)+`);
			if (!el) return {found: false};
			const r = el.getBoundingClientRect();
			return {found: true, inside: r.top >= 0 && r.bottom <= window.innerHeight,
				focused: document.activeElement === el, top: r.top, pageHeight: document.documentElement.scrollHeight};
		})()`))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return p
	}
	submit := func(current, password string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.url+"/profiili/kirjautuminen"),
			chromedp.WaitVisible(chromedp.CSS("#pw-current")),
			chromedp.SendKeys(chromedp.CSS("#pw-current"), current),
			chromedp.SendKeys(chromedp.CSS("#pw-password"), password),
			leavePage(chromedp.Click(chromedp.CSS(`form[action="/profiili/salasana"] button[type=submit]`))),
		)
		if err != nil {
			t.Fatalf("change password: %v", err)
		}
	}

	submit("väärä-salasana", "Omenapuu-kukkii-kesakuussa-47")
	if p := where(".error-summary"); !p.Found || !p.Inside || !p.Focused {
		t.Errorf("wrong current password: error summary found %v, in the viewport %v (top %.0f px of a %.0f-px page), focused %v",
			p.Found, p.Inside, p.Top, p.PageHeight, p.Focused)
	}
	shot(t, ctx, "profile-password-refused")

	submit(demo.Password, "Omenapuu-kukkii-kesakuussa-47")
	if p := where("#ilmoitus"); !p.Found || !p.Inside || !p.Focused {
		t.Errorf("password changed: notice found %v, in the viewport %v (top %.0f px), focused %v", p.Found, p.Inside, p.Top, p.Focused)
	}
	shot(t, ctx, "profile-password-changed")
}

// quote makes a CSS selector a JavaScript string literal.
func quote(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
