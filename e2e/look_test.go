package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
)

// TestTheMainPagesLookTheirPart opens the pages a person meets first (the
// dashboard, a bill, a visit, the provider's schedule) on a 360-px phone
// and a 1 280-px desktop: each carries the demo chain's name and logo,
// shows its statuses as badges with words, fits the viewport, and on the
// desktop lays the dashboard's cards out in more than one column. With
// ASIAKASSIVU_SCREENSHOTS set it saves each page there as a PNG.
func TestTheMainPagesLookTheirPart(t *testing.T) {
	srv := startServer(t)
	for _, width := range []int{360, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx := browser(t, width, 900)
			signIn(t, ctx, srv.url, "asiakas@demo.example", demo.Password)
			look(t, ctx, width, "dashboard")
			if width >= 1280 {
				cols, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Set([...document.querySelectorAll("main .card")].map((c) => Math.round(c.getBoundingClientRect().left))).size`))
				if err != nil || cols < 2 {
					t.Errorf("the dashboard's cards stand in %d column(s) at %d px (%v), want two or more", cols, width, err)
				}
			}
			follow(t, ctx, `nav.sections a[href$="/laskut"]`)
			follow(t, ctx, `table.billing tbody a[href*="/laskut/"]`)
			look(t, ctx, width, "bill")
			follow(t, ctx, `nav.sections a[href$="/palveluvuorot"]`)
			follow(t, ctx, `.visits a[href*="/palveluvuorot/"]`)
			look(t, ctx, width, "visit")
			badges(t, ctx, "visit")

			staff := browser(t, width, 900)
			signInTo(t, staff, srv.url, "tuottaja@demo.example", demo.Password, "main h1")
			// Today is empty for the demo provider; every demo home has a
			// visit two days ahead, so the schedule is shown on that day.
			if err := chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja?paiva="+isoDay(2)),
				chromedp.WaitReady(chromedp.CSS("main h1"))); err != nil {
				t.Fatalf("schedule: %v", err)
			}
			look(t, staff, width, "schedule")
			badges(t, staff, "schedule")
		})
	}
}

// follow clicks the first link that matches css and waits for its page.
func follow(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+fmt.Sprintf("%q", css)+`)?.href ?? ""`))
	if err != nil || href == "" {
		t.Fatalf("no link %s on the page (%v)", css, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(href), chromedp.WaitReady(chromedp.CSS("main h1"))); err != nil {
		t.Fatalf("%s: %v", href, err)
	}
}

// look checks the brand and the width of the page shown and saves its
// screenshot.
func look(t *testing.T, ctx context.Context, width int, name string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Logo, Title string
		Wide        bool
	}](`({
		logo: document.querySelector("header .brand img")?.alt ?? "",
		title: document.title,
		wide: document.documentElement.scrollWidth > window.innerWidth,
	})`))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got.Logo != demo.BrandName || !strings.HasSuffix(got.Title, "– "+demo.BrandName) {
		t.Errorf("%s at %d px: logo %q, title %q; want the demo chain %q in both", name, width, got.Logo, got.Title, demo.BrandName)
	}
	if got.Wide {
		t.Errorf("%s scrolls sideways at %d px", name, width)
	}
	shot(t, ctx, fmt.Sprintf("%s-%d", name, width))
}

// badges checks that every status badge on the page says its status in
// words and draws its icon.
func badges(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
		Text string
		Icon bool
	}](`[...document.querySelectorAll(".status-badge")].map((b) => ({text: b.textContent.trim(), icon: !!b.querySelector("svg")}))`))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(got) == 0 {
		t.Errorf("%s: no status badge", name)
	}
	for _, b := range got {
		if b.Text == "" || !b.Icon {
			t.Errorf("%s: a badge %q without words or icon", name, b.Text)
		}
	}
}
