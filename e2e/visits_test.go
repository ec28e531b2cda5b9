package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// helsinkiDay is the Finnish date ("5.12.2026") of today + days in
// Helsinki, as the visit lists show it.
func helsinkiDay(days int) string {
	loc, _ := time.LoadLocation("Europe/Helsinki")
	d := time.Now().In(loc).AddDate(0, 0, days)
	return fmt.Sprintf("%d.%d.%d", d.Day(), int(d.Month()), d.Year())
}

// isoDay is the Helsinki day days from today as the schedule's paiva.
func isoDay(days int) string {
	loc, _ := time.LoadLocation("Europe/Helsinki")
	return time.Now().In(loc).AddDate(0, 0, days).Format(time.DateOnly)
}

// openVisitOn clicks the visit of the list shown whose time starts with
// the given day, and waits for its page.
func openVisitOn(t *testing.T, ctx context.Context, day string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { for (const a of document.querySelectorAll("ul.visits h2 a")) {
		if (a.textContent.includes(%q)) { a.click(); return true } } return false })()`, day)
	if err := chromedp.Do(ctx, leavePage(clickBy(js)), chromedp.WaitVisible(chromedp.CSS("p.crumbs"))); err != nil {
		list, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("the visit on %s: %v\n%s", day, err, list)
	}
}

// clickBy is an action that clicks with a script, which returns whether it
// found what to click.
func clickBy(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
		if err == nil && !ok {
			err = errors.New("nothing to click")
		}
		return err
	})
}

// openParentsVisits switches the signed-in demo customer to her parent's
// home from the menu and opens its visits.
func openParentsVisits(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.WaitVisible(chromedp.CSS(".switcher")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The page before was a home's dashboard too: the waits are for the
	// next page.
	err = chromedp.Do(ctx, leavePage(clickBy(`(() => { for (const a of document.querySelectorAll(".switcher a")) {
		if (a.textContent.includes("Äidin koti")) { a.click(); return true } } return false })()`)))
	if err != nil {
		t.Fatalf("the parent's home from the menu: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#h-next")),
		leavePage(chromedp.Click(chromedp.CSS(`nav.sections a[href$="/palveluvuorot"]`))),
		chromedp.WaitVisible(chromedp.CSS("ul.visits")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, ctx); !strings.Contains(text, "Mannerheimintie") {
		t.Fatalf("not the parent's home:\n%s", text)
	}
}

func mainText(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestCustomerCancelsAndRatesVisits is the visits issue's browser test:
// the demo customer opens her parent's home, cancels the visit at +10
// days for free, is shown the fee of the one at +2 days before
// confirming and asks to move it instead, and rates a past visit; the
// provider's staff member sees the cancellation, the move request and the
// rating.
func TestCustomerCancelsAndRatesVisits(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	openParentsVisits(t, ctx)

	// +10 days: free until the deadline; cancel and see it cancelled.
	openVisitOn(t, ctx, helsinkiDay(10))
	text := mainText(t, ctx)
	deadline := helsinkiDay(3)
	if !strings.Contains(text, "Peruminen on maksutonta "+deadline) {
		t.Errorf("visit at +10 days does not say it is free until %s:\n%s", deadline, text)
	}
	shot(t, ctx, "visit-free-cancel")
	err := chromedp.Do(ctx,
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	text = mainText(t, ctx)
	if !strings.Contains(text, "Käynti on peruttu.") || !strings.Contains(text, "Peruttu (asiakas perui)") {
		t.Errorf("after cancelling:\n%s", text)
	}
	cancelledURL, _ := chromedp.Run(ctx, chromedp.Location())

	// +2 days: the fee is shown before confirming; nothing is cancelled.
	err = chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS("p.crumbs a"))), chromedp.WaitVisible(chromedp.CSS("ul.visits")))
	if err != nil {
		t.Fatal(err)
	}
	openVisitOn(t, ctx, helsinkiDay(2))
	text = mainText(t, ctx)
	button, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#cancel-price`)))
	if !strings.Contains(text, "Maksuton peruminen päättyi") || !strings.Contains(text, "myöhäisen perumisen maksun") ||
		!strings.Contains(button, "€") || !strings.Contains(text, "sairauden vuoksi") {
		t.Errorf("visit at +2 days does not show the fee first (price %q):\n%s", button, text)
	}
	shot(t, ctx, "visit-fee-shown")

	// Ask to move it instead: the form opens from its heading.
	loc, _ := time.LoadLocation("Europe/Helsinki")
	proposed := time.Now().In(loc).AddDate(0, 0, 5).Format("2006-01-02")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details#move > summary")),
		chromedp.WaitVisible(chromedp.CSS("#move-option1")),
		chromedp.SetValue(chromedp.CSS("#move-option1"), proposed),
		chromedp.SetValue(chromedp.CSS("#move-time1"), "13:00"),
		chromedp.SendKeys(chromedp.CSS("#move-message"), "Äidillä on silloin lääkäri."),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/siirto"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, ctx); !strings.Contains(text, "Siirtopyyntö on lähetetty") || !strings.Contains(text, "klo 13.00") {
		t.Errorf("after the move request:\n%s", text)
	}

	// A past visit: rate it.
	err = chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS("p.crumbs a"))), chromedp.WaitVisible(chromedp.CSS("ul.visits")),
		leavePage(chromedp.Click(chromedp.CSS(`nav.tabs a[href="?menneet=1"]`))), chromedp.WaitVisible(chromedp.CSS(`nav.tabs a[aria-current][href="?menneet=1"]`)))
	if err != nil {
		t.Fatal(err)
	}
	rated := false
	for i := 1; i <= 4 && !rated; i++ {
		err := chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(fmt.Sprintf("ul.visits > li:nth-child(%d) h2 a", i)))),
			chromedp.WaitVisible(chromedp.CSS("p.crumbs")))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#h-rating").length`)); n == 1 {
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`input[name=rating][value="5"]`)),
				chromedp.SendKeys(chromedp.CSS("#comment"), "Sanna oli taas ihana, kiitos!"),
				leavePage(chromedp.Click(chromedp.CSS(`form[action$="/arvio"] button[type=submit]`))),
				chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
			)
			if err != nil {
				t.Fatal(err)
			}
			if text := mainText(t, ctx); !strings.Contains(text, "Kiitos arviosta!") {
				t.Errorf("after rating:\n%s", text)
			}
			rated = true
			break
		}
		chromedp.Do(ctx, chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS("ul.visits")))
	}
	if !rated {
		t.Fatal("no past visit of the parent's home could be rated")
	}
	shot(t, ctx, "visit-rated")

	// The staff member of the home's provider sees both.
	staff := browser(t, 1280, 900)
	signInTo(t, staff, srv.url, "lahimmainen@demo.example", "demo-salasana-2025", "nav.tabs")
	// The schedule shows one day, cancelled visits only when asked.
	if err := chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja?tila=kaikki&paiva="+isoDay(10)), chromedp.WaitVisible(chromedp.CSS("nav.tabs"))); err != nil {
		t.Fatal(err)
	}
	text = mainText(t, staff)
	if !strings.Contains(text, "Kohteidesi palveluvuorot") || !strings.Contains(text, "Peruttu (asiakas perui)") ||
		!strings.Contains(text, "Siirtopyynnöt") {
		t.Errorf("staff schedule does not show the cancellation:\n%s", text)
	}
	visitID := cancelledURL[strings.LastIndex(cancelledURL, "/")+1:]
	if i := strings.Index(visitID, "?"); i >= 0 {
		visitID = visitID[:i]
	}
	err = chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja/palveluvuorot/"+visitID), chromedp.WaitVisible(chromedp.CSS("p.crumbs")))
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, staff); !strings.Contains(text, "Peruttu (asiakas perui)") || !strings.Contains(text, "Mannerheimintie") {
		t.Errorf("staff's page of the cancelled visit:\n%s", text)
	}
	shot(t, staff, "provider-visit")
	err = chromedp.Do(staff, leavePage(chromedp.Click(chromedp.CSS("p.crumbs a"))), chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		leavePage(chromedp.Click(chromedp.CSS(`nav.tabs a[href="/tuottaja/palaute"]`))),
		chromedp.WaitVisible(chromedp.CSS(`nav.tabs a[aria-current][href="/tuottaja/palaute"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, staff); !strings.Contains(text, "Sanna oli taas ihana, kiitos!") || !strings.Contains(text, "5 tähteä") {
		t.Errorf("staff's feedback page lacks the rating:\n%s", text)
	}
	shot(t, staff, "provider-feedback")
}
