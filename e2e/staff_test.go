package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStaffRooms: provider staff land on their day schedule and never on a
// customer page; the admin console's sections stay on one line at 1 280
// px in every language. Screenshots of the schedule at 360 and 1 280 px
// go to ASIAKASSIVU_SCREENSHOTS.
func TestStaffRooms(t *testing.T) {
	srv := startServer(t)
	for _, width := range []int{360, 1280} {
		ctx := browser(t, width, 900)
		signInTo(t, ctx, srv.url, "tuottaja@demo.example", "demo-salasana-2025", "nav.sched-days")
		page, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			Path  string
			Days  int
			Cards int
		}](`({path: location.pathname, days: document.querySelectorAll("nav.sched-days a").length,
			cards: document.querySelectorAll("ul.sched li").length})`))
		if err != nil || page.Path != "/tuottaja" || page.Days < 2 {
			t.Fatalf("%d px: staff landed on %+v, %v", width, page, err)
		}
		shot(t, ctx, "staff-schedule-"+strconv.Itoa(width))
		// A customer page sends staff back to their own.
		for _, path := range []string{"/kohteet", "/vuosikooste", "/kotitalousvahennys"} {
			err := chromedp.Do(ctx, leavePage(chromedp.Navigate(srv.url+path)))
			if err != nil {
				t.Fatal(err)
			}
			at, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
			if at != "/tuottaja" {
				t.Errorf("staff opening %s see %s", path, at)
			}
		}
	}
	ctx := browser(t, 1280, 900)
	signInTo(t, ctx, srv.url, "yllapito@demo.example", "demo-salasana-2025", "nav.tabs")
	for _, lang := range []string{"fi", "sv", "en"} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.url+"/yllapito/tapahtumaloki"),
			chromedp.WaitVisible(chromedp.CSS("nav.console-tabs")),
		)
		if err != nil {
			t.Fatal(err)
		}
		if lang != "fi" {
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("details.menu summary")),
				leavePage(chromedp.Click(chromedp.CSS(`form.lang button[value="`+lang+`"]`))),
				chromedp.WaitVisible(chromedp.CSS("nav.console-tabs")),
			)
			if err != nil {
				t.Fatal(err)
			}
		}
		nav, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			Lines, Links int
			Text         string
		}](`(() => {
			const links = [...document.querySelectorAll("nav.console-tabs a")];
			const tops = new Set(links.map(a => Math.round(a.getBoundingClientRect().top)));
			return {lines: tops.size, links: links.length, text: document.querySelector("main").innerText};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if nav.Links < 6 || nav.Lines != 1 {
			t.Errorf("%s: the console's %d sections take %d lines at 1280 px", lang, nav.Links, nav.Lines)
		}
		for _, code := range []string{"provider.visits.list", "visit.cancelled_by_provider", "site.access_changed"} {
			if strings.Contains(nav.Text, code) {
				t.Errorf("%s: the audit log shows the code %s", lang, code)
			}
		}
		shot(t, ctx, "console-audit-"+lang+"-1280")
	}
}
