package e2e

import (
	"cmp"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
)

// TestEveryPageFitsANarrowPhone: on a 320-px-wide phone, no page that a
// visitor, a customer, provider staff or a chain admin can reach by
// following links scrolls sideways (wide tables scroll inside their own region). The pages
// are found by following the links of each page from the front page, so a
// new page is covered without a list to keep.
func TestEveryPageFitsANarrowPhone(t *testing.T) {
	srv := startServer(t)
	for _, who := range []struct{ email, home string }{
		{"", ""}, // signed out: the sign-in, sign-up and reset pages
		{"asiakas@demo.example", "#h-next"},
		{"tuottaja@demo.example", "main h1"},
		{"yllapito@demo.example", "main h1"},
	} {
		t.Run(cmp.Or(who.email, "signed-out"), func(t *testing.T) {
			ctx := browser(t, 320, 640)
			if who.email != "" {
				signInTo(t, ctx, srv.url, who.email, demo.Password, who.home)
			}
			base, _ := url.Parse(srv.url)
			// A path is checked once, with the first query it was found with
			// (the rules page of each year and work type is one page), and
			// a shape of path (ids as N: one site's visit pages) at most
			// three times, so that every kind of page is reached.
			seen, shapes := map[string]bool{}, map[string]int{}
			queue := []string{"/"}
			const maxPages = 80
			for len(queue) > 0 && len(seen) < maxPages {
				path := queue[0]
				queue = queue[1:]
				p, _, _ := strings.Cut(path, "?")
				shape := digits.ReplaceAllString(p, "N")
				if seen[p] || shapes[shape] == 3 {
					continue
				}
				seen[p] = true
				shapes[shape]++
				// signInTo returns once its last page is in: no navigation
				// of the sign-in is left under way to abort this one.
				if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				// The elements that reach past the right edge, for the
				// message: the innermost few.
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
					if (document.documentElement.scrollWidth <= window.innerWidth) return [];
					const out = [];
					for (const el of document.querySelectorAll("body *")) {
						const r = el.getBoundingClientRect();
						if (r.right > window.innerWidth + 1 && el.closest(".table-wrap") === null && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1)) {
							out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + ": " + (el.textContent || "").trim().slice(0, 40));
						}
					}
					return out.length ? out.slice(0, 5) : ["(the page, no single element)"];
				})()`))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if len(wide) > 0 {
					t.Errorf("%s scrolls sideways at 320 px: %s", path, strings.Join(wide, "; "))
					shot(t, ctx, "narrow"+strings.ReplaceAll(path, "/", "-"))
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
				t.Errorf("only %d pages reached: %v", len(seen), seen)
			}
			t.Logf("%d pages of %d kinds checked: %v", len(seen), len(shapes), slices.Sorted(maps.Keys(shapes)))
		})
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
