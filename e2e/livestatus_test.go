package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// addTodaysVisit adds a visit at the demo's first home (Tampere) starting
// now (to the minute), so that the home has a visit today whatever the
// hour the test runs at; the demo's own visits are days ahead, except an
// in-progress one during the working day. It returns nothing: the test
// follows the visit the customer's dashboard shows next, which is today's
// either way.
func addTodaysVisit(t *testing.T, srv *server) {
	t.Helper()
	addTodaysVisitTo(t, "sqlite", store.SQLiteDSN(filepath.Join(srv.dataDir, "asiakassivu.db"), true))
}

// addTodaysVisitTo is addTodaysVisit on the database driver and dsn name.
func addTodaysVisitTo(t *testing.T, driver, dsn string) {
	t.Helper()
	now := time.Now().Truncate(time.Minute)
	// A visit started in the last minutes before midnight would be of
	// yesterday by the time the worker taps: wait for the new day.
	if l := now.In(portal.Helsinki); l.Hour() == 23 && l.Minute() >= 57 {
		time.Sleep(time.Duration(60-l.Minute()) * time.Minute)
		now = time.Now().Truncate(time.Minute)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`INSERT INTO visits (site_id, provider_id, source, external_id, starts_at, ends_at, status, service,
		worker_first_name, price_cents, sequence, created_at, updated_at)
		SELECT 1, provider_id, 'e2e', 'live-today', $1, $2, 'confirmed', 'Siivous', 'Sanna', 8900, 0, $1, $1 FROM sites WHERE id = 1`,
		now.UTC(), now.Add(2*time.Hour).UTC())
	if err != nil {
		t.Fatal(err)
	}
}

// seen polls the customer's page for want in the visit's status line for
// at most within, and reports whether it came. The page must not reload:
// window.sameLoad, set before, must still be there.
func seen(t *testing.T, ctx context.Context, line, want string, within time.Duration) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.sameLoad === true && (document.querySelector(`+jsString(line)+`)?.innerText ?? "").includes(`+jsString(want)+`)`,
		chromedp.WithPollingTimeout(within), chromedp.WithPollingInterval(50*time.Millisecond)))
	return err == nil && ok
}

// TestLiveStatusInBrowser: the customer has their dashboard open on a
// phone; the provider's staff member, on another phone, taps "Lähdin
// matkaan" with 15 minutes on today's visit, then "Perillä", then
// "Valmis" with a note. Each step shows on the customer's open page within
// 2 seconds without a reload, and the done visit offers the rating.
func TestLiveStatusInBrowser(t *testing.T) {
	srv := startServer(t)
	addTodaysVisit(t, srv)
	customer := browser(t, 360, 740)
	signIn(t, customer, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	err := chromedp.Do(customer, chromedp.Navigate(srv.url+"/kohteet/1"), chromedp.WaitVisible(chromedp.CSS("#h-next")))
	if err != nil {
		t.Fatal(err)
	}
	id, err := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector("#h-next").closest("section").querySelector("p.live")?.id ?? ""`))
	if err != nil || !strings.HasPrefix(id, "live-") {
		t.Fatalf("the dashboard's next visit has no live status line: %q %v", id, err)
	}
	line := "#" + id
	visit := strings.TrimPrefix(id, "live-")
	axeIfSet(t, customer, "dashboard with a live status line")
	if err := chromedp.Do(customer, chromedp.Evaluate[chromedp.Void](`window.sameLoad = true`)); err != nil {
		t.Fatal(err)
	}

	staff := browser(t, 360, 740)
	signInTo(t, staff, srv.url, "tuottaja@demo.example", "demo-salasana-2025", "nav.tabs")
	// The schedule of today offers the visit's first step.
	err = chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/tuottaja/palveluvuorot/`+visit+`/matkalla"] button`)))
	if err != nil {
		t.Fatalf("the schedule offers no Lähdin matkaan for visit %s: %v", visit, err)
	}
	shot(t, staff, "live-schedule-360")
	pvisit := srv.url + "/tuottaja/palveluvuorot/" + visit
	err = chromedp.Do(staff, chromedp.Navigate(pvisit), chromedp.WaitVisible(chromedp.CSS("#depart-eta")))
	if err != nil {
		t.Fatal(err)
	}
	axeIfSet(t, staff, "the worker's visit page")
	shot(t, staff, "live-visit-360")

	// Lähdin matkaan, 15 minutes.
	tapped := time.Now()
	err = chromedp.Do(staff, chromedp.SendKeys(chromedp.CSS("#depart-eta"), "15"),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/matkalla"] button[type=submit]`))))
	if err != nil {
		t.Fatal(err)
	}
	eta := tapped.Add(15 * time.Minute).In(portal.Helsinki)
	if !seen(t, customer, line, "on matkalla, perillä noin klo", 2*time.Second) {
		text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("the customer's page did not show the worker on the way within 2 s:\n%s", text)
	}
	// The page's clock has no leading zero ("klo 0.59", "klo 9.05").
	fiClock := i18n.Printer{Lang: i18n.Finnish}.Clock
	if text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS(line))); !strings.Contains(text, "klo "+fiClock(eta)) &&
		!strings.Contains(text, "klo "+fiClock(eta.Add(-time.Minute))) {
		t.Errorf("the arrival estimate: %q, want about %s", text, fiClock(eta))
	}
	shot(t, customer, "live-customer-on-the-way-360")

	// Perillä.
	err = chromedp.Do(staff, chromedp.WaitVisible(chromedp.CSS(`form[action$="/perilla"] button`)),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/perilla"] button[type=submit]`))))
	if err != nil {
		t.Fatal(err)
	}
	if !seen(t, customer, line, "on perillä", 2*time.Second) {
		t.Fatal("the customer's page did not show the arrival within 2 s")
	}

	// Valmis, with a note.
	err = chromedp.Do(staff, chromedp.WaitVisible(chromedp.CSS("#done-note")),
		chromedp.SendKeys(chromedp.CSS("#done-note"), "Kukat kastelin, terveisiä!"),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/tehty"] button[type=submit]`))))
	if err != nil {
		t.Fatal(err)
	}
	if !seen(t, customer, line, "Kukat kastelin, terveisiä!", 2*time.Second) || !seen(t, customer, line, "Valmis klo", time.Second) {
		text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS(line)))
		t.Fatalf("the customer's page did not show the visit done within 2 s: %q", text)
	}
	shot(t, customer, "live-customer-done-360")
	axeIfSet(t, customer, "dashboard after the visit is done")

	// The customer is offered the rating.
	err = chromedp.Do(customer, leavePage(chromedp.Click(chromedp.CSS(line+` a[href$="#h-rating"]`))),
		chromedp.WaitVisible(chromedp.CSS("#h-rating")))
	if err != nil {
		t.Fatalf("the rating offered after done: %v", err)
	}
	if text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Valmis klo") {
		t.Errorf("the visit page after done:\n%s", text)
	}
}

// getBody fetches a page with a signed-in client.
func getBody(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d", u, r.StatusCode)
	}
	return string(b)
}

// TestTwoInstancesShareLiveStatus: the worker's "on the way" given
// through instance A reaches the customer's live stream served by
// instance B (PostgreSQL LISTEN/NOTIFY), as messages do.
func TestTwoInstancesShareLiveStatus(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" && os.Getenv("CI") == "true" {
		t.Fatal(storetest.EnvPostgres + " must be set in CI")
	}
	dsn := storetest.EmptyPostgres(t)
	key := filepath.Join(t.TempDir(), "secret.key")
	a := startServer(t, "--database", dsn, "--secret-key-file", key)
	b := startServer(t, "--database", dsn, "--secret-key-file", key)
	addTodaysVisitTo(t, "pgx", dsn)
	customer := client(t, b.url, "asiakas@demo.example")
	staff := client(t, a.url, "tuottaja@demo.example")

	page := getBody(t, customer, b.url+"/kohteet/1")
	m := regexp.MustCompile(`id="live-(\d+)" aria-live="polite" data-stream="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no live status line on the dashboard:\n%s", page)
	}
	visit, streamPath := m[1], strings.ReplaceAll(m[2], "&amp;", "&")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.url+streamPath, nil)
	r, err := customer.Do(req)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("the live stream on B: %v %v", r, err)
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		defer r.Body.Close()
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				events <- line[6:]
			}
		}
	}()
	time.Sleep(200 * time.Millisecond) // the stream subscribes before the step

	pvisit := a.url + "/tuottaja/palveluvuorot/" + visit
	seq := regexp.MustCompile(`name="sequence" value="(\d+)"`).FindStringSubmatch(getBody(t, staff, pvisit))
	if seq == nil {
		t.Fatal("no sequence on the worker's visit page")
	}
	resp, err := staff.PostForm(pvisit+"/matkalla", url.Values{"sequence": {seq[1]}, "eta": {"15"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("on the way through A: %d", resp.StatusCode)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case data := <-events:
			if strings.Contains(data, "id=\"live-"+visit+"\"") && strings.Contains(data, "on matkalla") {
				return
			}
		case <-deadline:
			t.Fatal("B's live stream did not hear of the step within 10 s")
		}
	}
}
