package e2e

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// calendarButton is the calendar section's main button, the one that
// opens the feed in the calendar app.
const calendarButton = "section.calendar a.button.primary"

// TestCalendarLinkInBrowser: the subscribe button the person taps in
// Chromium is a webcal: link to the feed on the portal's own host (not the
// #ZgotmplZ that html/template once made of it), the https address beside
// it is the same feed, the copy button appears with JavaScript, and the
// feed names each visit's home. On a 360-px phone and a 1 280-px desktop.
func TestCalendarLinkInBrowser(t *testing.T) {
	// The portal's address is its base URL; the feed's link must be on
	// that host, which here differs from the address the browser opens.
	srv := startServer(t, "--base-url", "http://localhost:{port}")
	base, err := url.Parse(strings.Replace(srv.url, "127.0.0.1", "localhost", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"phone", 360, 740}, {"desktop", 1280, 900}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser(t, size.width, size.height)
			signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
			err := chromedp.Do(ctx,
				chromedp.Navigate(srv.url+"/profiili/kalenteri"),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/profiili/kalenteri"] button[type=submit]`)),
				leavePage(chromedp.Click(chromedp.CSS(`form[action="/profiili/kalenteri"] button[type=submit]`))),
				chromedp.WaitVisible(chromedp.CSS(calendarButton)),
				// The copy button is the script's: it shows once calendar.js ran.
				chromedp.WaitVisible(chromedp.CSS("button[data-copy]")),
			)
			if err != nil {
				t.Fatalf("make a feed address: %v", err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Href, Attr, Feed string }](strings.ReplaceAll(`({
				href: document.querySelector(SEL).href,
				attr: document.querySelector(SEL).getAttribute("href"),
				feed: document.getElementById("calendar-url").textContent.trim(),
			})`, "SEL", strconv.Quote(calendarButton))))
			if err != nil {
				t.Fatal(err)
			}
			link, err := url.Parse(got.Href)
			if err != nil || link.Scheme != "webcal" || link.Host != base.Host || !strings.HasPrefix(link.Path, "/kalenteri/") || got.Attr != got.Href {
				t.Fatalf("the calendar button links to %q (attribute %q), want webcal://%s/kalenteri/…", got.Href, got.Attr, base.Host)
			}
			if want := "http://" + link.Host + link.Path; got.Feed != want {
				t.Errorf("the address to copy is %q, want the button's feed %q", got.Feed, want)
			}
			shot(t, ctx, "calendar-"+size.name)

			// The copy button says how it went (the headless browser may
			// not give the clipboard; then the address is selected).
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button[data-copy]"))); err != nil {
				t.Fatal(err)
			}
			status, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("calendar-copy-status").textContent || null`))
			if err != nil || (status != "Osoite on kopioitu." && status != "Kopiointi ei onnistunut. Valitse osoite ja kopioi se itse.") {
				t.Errorf("after the copy button: %q %v", status, err)
			}

			// The feed behind the link names the demo customer's homes.
			r, err := http.Get(got.Feed)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			feed := strings.ReplaceAll(string(b), "\r\n ", "")
			if r.StatusCode != 200 || !strings.Contains(feed, `Koti\, Tampere`) || !strings.Contains(feed, `Äidin koti\, Helsinki`) {
				t.Errorf("the feed (%d) does not name the homes:\n%s", r.StatusCode, feed)
			}
			if strings.Contains(feed, "LOCATION") {
				t.Errorf("the feed has a LOCATION though the address was not turned on")
			}
			if os.Getenv("ASIAKASSIVU_AXE") != "" {
				checkAxe(t, ctx, axeSource(t), "calendar ("+size.name+")")
			}
		})
	}
}

// TestCalendarWithoutJavaScript: without scripts the page still works: the
// subscribe button is the same webcal: link, the https address is plain
// text to select, and the copy button, which would do nothing, is not
// shown.
func TestCalendarWithoutJavaScript(t *testing.T) {
	srv := startServer(t, "--base-url", "http://localhost:{port}")
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/profiili/kalenteri"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/profiili/kalenteri"] button[type=submit]`)),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/profiili/kalenteri"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(calendarButton)),
	)
	if err != nil {
		t.Fatalf("make a feed address without JavaScript: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Href, Feed, Copy, Select string
	}](strings.ReplaceAll(`({
		href: document.querySelector(SEL).getAttribute("href"),
		feed: document.getElementById("calendar-url").textContent.trim(),
		copy: getComputedStyle(document.querySelector("button[data-copy]")).display,
		select: getComputedStyle(document.getElementById("calendar-url")).userSelect,
	})`, "SEL", strconv.Quote(calendarButton))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Href, "webcal://localhost:") || !strings.HasPrefix(got.Feed, "http://localhost:") ||
		strings.TrimPrefix(got.Href, "webcal://") != strings.TrimPrefix(got.Feed, "http://") {
		t.Errorf("without JavaScript: link %q, address %q", got.Href, got.Feed)
	}
	if got.Copy != "none" {
		t.Errorf("the copy button shows without JavaScript (display %q)", got.Copy)
	}
	if got.Select == "none" {
		t.Errorf("the address cannot be selected")
	}
}
