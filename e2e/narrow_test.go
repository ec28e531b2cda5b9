package e2e

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/web"
)

// widths are the viewports every page is checked at: a small phone, a
// common phone and a desktop.
var widths = []int64{320, 360, 1280}

// TestEveryPageFitsANarrowPhone: at 320, 360 and 1 280 px, in Finnish,
// Swedish and English, no page that a visitor, a customer, provider staff
// or a chain admin can reach scrolls sideways or has an element reaching
// past the right edge (except inside a box made to scroll, such as a wide
// console table's region), and at 360 px no heading breaks inside a word.
// The pages are found by following the links of each page from the front
// page (and a few reached only by a form or a mail), so a new page is
// covered without a list to keep; at the end every GET page of the route
// table must have been reached by someone, or be named below with why not.
func TestEveryPageFitsANarrowPhone(t *testing.T) {
	srv := startServer(t)
	var mu sync.Mutex
	reached := map[string]bool{} // paths shown as themselves (no redirect)
	for _, who := range []struct{ email, home string }{
		{"", ""}, // signed out: the sign-in, sign-up and reset pages
		{"asiakas@demo.example", "#h-next"},
		{"tuottaja@demo.example", "main h1"},
		{"yllapito@demo.example", "main h1"},
	} {
		t.Run(cmp.Or(who.email, "signed-out"), func(t *testing.T) {
			ctx := browserWithin(t, 360, 740, 8*time.Minute)
			if who.email != "" {
				signInTo(t, ctx, srv.url, who.email, demo.Password, who.home)
			}
			base, _ := url.Parse(srv.url)
			var found []string // the paths the Finnish walk found, for the other languages
			for _, lang := range []string{"fi", "sv", "en"} {
				setLanguage(t, ctx, srv.url, lang)
				// A path is checked once, with the first query it was found
				// with (the rules page of each year and work type is one
				// page), and a shape of path (ids as N: one site's visit
				// pages) at most three times in Finnish and once in the
				// other languages, so that every kind of page is reached.
				seen, shapes := map[string]bool{}, map[string]int{}
				perShape := 3
				// Every demo home has a visit two days from today: the
				// schedule of that day leads to a provider's visit page.
				queue := append([]string{"/tuottaja?paiva=" + isoDay(2), "/"}, extraPages...)
				if lang != "fi" {
					perShape, queue = 1, found
				}
				const maxPages = 80
				for len(queue) > 0 && len(seen) < maxPages {
					path := queue[0]
					queue = queue[1:]
					p, _, _ := strings.Cut(path, "?")
					shape := digits.ReplaceAllString(p, "N")
					if seen[p] || shapes[shape] >= perShape {
						continue
					}
					seen[p] = true
					shapes[shape]++
					if lang == "fi" {
						found = append(found, path)
					}
					// signInTo returns once its last page is in: no navigation
					// of the sign-in is left under way to abort this one.
					if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					at, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Path, Lang string }](`({path: location.pathname, lang: document.documentElement.lang})`))
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					if at.Path == p {
						mu.Lock()
						reached[p] = true
						mu.Unlock()
					}
					if at.Lang != lang && at.Path == p {
						t.Errorf("%s is in %q, not %s", path, at.Lang, lang)
					}
					for _, w := range widths {
						checkFits(t, ctx, fmt.Sprintf("%s %s at %d px", lang, path, w), w, w == 360)
					}
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
						t.Fatal(err)
					}
					if lang != "fi" {
						continue
					}
					links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a[href]")].map((a) => a.href)`))
					if err != nil {
						t.Fatalf("%s: links: %v", path, err)
					}
					for _, l := range links {
						u, err := url.Parse(l)
						if err != nil || u.Host != base.Host || followSkip(u.Path) {
							continue
						}
						if !seen[u.Path] {
							queue = append(queue, u.RequestURI())
						}
					}
				}
				if len(seen) < 4 {
					t.Errorf("%s: only %d pages reached: %v", lang, len(seen), seen)
				}
				t.Logf("%s: %d pages of %d kinds checked: %v", lang, len(seen), len(shapes), slices.Sorted(maps.Keys(shapes)))
			}
		})
	}
	for _, pattern := range web.PagePatterns() {
		if why, ok := notWalked[pattern]; ok {
			if why == "" {
				t.Errorf("%s: no reason given", pattern)
			}
			continue
		}
		if followSkip(pattern) {
			continue
		}
		re := patternRegexp(pattern)
		if !slices.ContainsFunc(slices.Collect(maps.Keys(reached)), re.MatchString) {
			t.Errorf("no one reached a page of %s: link it from a page, add it to extraPages, or say in notWalked why it is no page to check", pattern)
		}
	}
}

// extraPages are pages no link leads to: reached by a form or from a mail.
// Those a role may not open send it on elsewhere, which is checked too.
var extraPages = []string{
	"/kirjaudu/extranet", "/kaksivaihe/kayttoon", "/offline",
	// A home's own statement is linked from a relative's bills page
	// (family access); its owner may open it too.
	"/kohteet/1/vuosikooste",
}

// notWalked are the route table's GET pages the walk does not check, and
// why.
var notWalked = map[string]string{
	"/kutsu/{token}":                       "needs an invitation's secret link from a mail: TestFamilyAccess opens it on a 360-px phone and checks it with axe",
	"/{$}":                                 "sends every visitor on (to the sign-in, a home, or staff's and admins' own pages), which are walked",
	"/unohtunut-salasana/koodi":            "shown only while a password reset is under way; without one it sends back to its first step",
	"/profiili/sahkoposti":                 "shown only while an email change waits for its code; without one it sends back to the profile",
	"/kaksivaihe":                          "the second step of a staff or admin sign-in, shown inside signInTo only",
	"/vahvista":                            "an unverified sign-up's page (signup_test.go walks it)",
	"/kohteet/{site}/viestit/tapahtumat":   "the live message stream, no page",
	"/palveluvuorot/tapahtumat":            "the live visit status stream, no page",
	"/profiili/omat-tiedot.json":           "the data download, JSON",
	"/offline/kopio":                       "the service worker's JSON list of the offline copy, no page",
	"/kohteet/{site}/laskut/{invoice}/pdf": "a PDF",
	"/vuosikooste/pdf":                     "a PDF",
	"/dev/posti":                           "the development outbox, no part of the portal",
}

// patternRegexp matches the paths of a ServeMux path pattern ("/a/{id}").
func patternRegexp(pattern string) *regexp.Regexp {
	p := regexp.QuoteMeta(pattern)
	p = strings.ReplaceAll(p, `\{\$\}`, "")
	p = regexp.MustCompile(`\\\{[a-z]+\\\}`).ReplaceAllString(p, `[^/]+`)
	return regexp.MustCompile("^" + p + "$")
}

// setLanguage chooses the language as the language buttons do (the
// account keeps it, the cookie too).
func setLanguage(t *testing.T, ctx context.Context, base, lang string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/offline"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`fetch("/kieli", {method: "POST", body: new URLSearchParams({lang: "`+lang+`", next: "/"}), redirect: "manual"}).then((r) => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || (status != 0 && status != 303) {
		t.Fatalf("choose %s: %d %v", lang, status, err)
	}
}

// checkFits fails when the page shown, at width px, reaches past the
// right edge outside a scrolling box, or (headings) when a heading's word
// is broken over two lines.
func checkFits(t *testing.T, ctx context.Context, page string, width int64, headings bool) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Wide, Broken []string }](`(() => {
		const scrolls = (el) => {
			for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
				const o = getComputedStyle(a).overflowX;
				if ((o === "auto" || o === "scroll") && a.getBoundingClientRect().right <= window.innerWidth + 1) return true;
			}
			return false;
		};
		const wide = [];
		const over = (el) => el.getBoundingClientRect().right > window.innerWidth + 1;
		for (const el of document.querySelectorAll("body *")) {
			if (over(el) && !scrolls(el) && ![...el.children].some(over) && getComputedStyle(el).visibility !== "hidden") {
				wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + ": " + (el.textContent || "").trim().slice(0, 40));
			}
		}
		if (document.documentElement.scrollWidth > window.innerWidth && wide.length === 0) wide.push("(the page, no single element)");
		const broken = [];
		if (`+fmt.Sprint(headings)+`) {
			for (const h of document.querySelectorAll("h1, h2, h3")) {
				const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
				for (let n = walker.nextNode(); n; n = walker.nextNode()) {
					for (const m of n.data.matchAll(/[^\s\u00ad\u2013\u2014-]+/g)) {
						const r = document.createRange();
						r.setStart(n, m.index);
						r.setEnd(n, m.index + m[0].length);
						// A break at a soft hyphen draws the hyphen at the end of
						// the line before: that is no break inside the word.
						const rects = [...r.getClientRects()].filter((x) => x.width > 0);
						if (m.index > 0 && n.data[m.index - 1] === "\u00ad") rects.shift();
						const tops = new Set(rects.map((x) => Math.round(x.top)));
						if (tops.size > 1) broken.push(h.tagName.toLowerCase() + ": " + m[0]);
					}
				}
			}
		}
		return {wide: wide.slice(0, 5), broken};
	})()`))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(got.Wide) > 0 {
		t.Errorf("%s reaches past the right edge: %s", page, strings.Join(got.Wide, "; "))
		shot(t, ctx, "narrow-"+strings.NewReplacer("/", "-", " ", "_").Replace(page))
	}
	if len(got.Broken) > 0 {
		t.Errorf("%s: a heading breaks inside a word: %s", page, strings.Join(got.Broken, "; "))
	}
}

var digits = regexp.MustCompile(`[0-9]+`)

// followSkip reports whether the page walk leaves a link alone: files,
// downloads and feeds are no pages, the development outbox is no part of
// the portal.
func followSkip(path string) bool {
	for _, suffix := range []string{".pdf", "/pdf", ".json", ".webmanifest", ".js", ".css", ".png", ".ics"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	for _, prefix := range []string{"/static/", "/kalenteri/", "/dev/", "/api/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}
