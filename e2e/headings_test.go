package e2e

import (
	"cmp"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
)

// TestHeadingsKeepTheirWords: on a 360-px phone, in every language, no
// word of a page heading (h1–h3) is wider than the heading, so no heading
// breaks a word in the middle (overflow-wrap would cut it where it runs
// out of room; hyphens: auto cannot be relied on, since browsers without
// a hyphenation dictionary for the page's language ignore it). A word
// may break after its hyphen or at a soft hyphen (U+00AD) that a text
// puts at a compound's seam. The pages are found by following links, as in
// TestEveryPageFitsANarrowPhone, signed out and as each kind of user.
func TestHeadingsKeepTheirWords(t *testing.T) {
	srv := startServer(t)
	for _, lang := range []string{"fi", "sv", "en"} {
		for _, who := range []struct{ email, home string }{
			{"", ""},
			{"asiakas@demo.example", "#h-next"},
			{"tuottaja@demo.example", "main h1"},
			{"yllapito@demo.example", "main h1"},
		} {
			t.Run(lang+"-"+cmp.Or(who.email, "signed-out"), func(t *testing.T) {
				ctx := browser(t, 360, 640)
				if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "asiakassivu_lang", Value: lang, URL: srv.url}); err != nil {
					t.Fatal(err)
				}
				if who.email != "" {
					signInTo(t, ctx, srv.url, who.email, demo.Password, who.home)
				}
				base, _ := url.Parse(srv.url)
				seen, shapes := map[string]bool{}, map[string]int{}
				queue := []string{"/"}
				for len(queue) > 0 && len(seen) < 60 {
					path := queue[0]
					queue = queue[1:]
					p, _, _ := strings.Cut(path, "?")
					shape := digits.ReplaceAllString(p, "N")
					if seen[p] || shapes[shape] == 2 {
						continue
					}
					seen[p] = true
					shapes[shape]++
					if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					// Each word is measured on one line in the heading's own
					// font; the room is the heading's content width.
					broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
						const out = [];
						for (const h of document.querySelectorAll("h1, h2, h3")) {
							if (h.offsetParent === null) continue;
							const cs = getComputedStyle(h);
							const room = h.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
							const probe = document.createElement("span");
							probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;left:0;top:0";
							h.appendChild(probe);
							// A line may end after a hyphen or at a soft hyphen:
							// those are the word's own break points.
							for (const w of (h.textContent || "").split(/\s+|(?<=[-\u00ad])/)) {
								if (w.length < 8) continue;
								probe.textContent = w;
								const width = probe.getBoundingClientRect().width;
								if (width > room + 0.5) out.push(h.tagName.toLowerCase() + " " + JSON.stringify(w) + " " + Math.round(width) + " px in " + Math.round(room) + " px");
							}
							probe.remove();
						}
						return out;
					})()`))
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					for _, b := range broken {
						t.Errorf("%s %s: a heading word is wider than the heading, so it breaks mid-word: %s", lang, path, b)
					}
					links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a[href]")].map((a) => a.href)`))
					if err != nil {
						t.Fatalf("%s: links: %v", path, err)
					}
					for _, l := range links {
						u, err := url.Parse(l)
						if err != nil || u.Host != base.Host || followSkip(u.Path) || u.Path == "/kirjaudu-ulos" {
							continue
						}
						if !seen[u.Path] {
							queue = append(queue, u.RequestURI())
						}
					}
				}
				if len(seen) < 4 {
					t.Errorf("only %d pages reached", len(seen))
				}
			})
		}
	}
}
