package web

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// firstVisitBudget is what a first visit may fetch: the page and every
// file it names (stylesheet, scripts, icons, logo, manifest), before any
// is cached. The portal serves them uncompressed, so this is what goes
// over the wire.
const firstVisitBudget = 50_000

// TestFirstVisitBudget: the sign-in page a newcomer opens first, and a
// customer's dashboard opened with nothing cached, each stay within 50 KB
// with everything they load, with the demo chain's logo.
func TestFirstVisitBudget(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	s, err := New(Config{Brand: Brand{Name: demo.BrandName, Color: demo.BrandColor, Logo: demo.BrandLogo, LogoName: "brand-logo.svg"}}, e.server.app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := e.client(t)
	files := regexp.MustCompile(`(?:href|src)="(/static/[^"]+|/manifest\.webmanifest)"`)
	weigh := func(path string) {
		t.Helper()
		page := do(t, c, "GET", srv.URL+path, nil)
		if page.StatusCode != 200 {
			t.Fatalf("%s: %d", path, page.StatusCode)
		}
		total, seen := len(page.body), map[string]bool{}
		for _, m := range files.FindAllStringSubmatch(page.body, -1) {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			f := do(t, c, "GET", srv.URL+m[1], nil)
			if f.StatusCode != 200 {
				t.Errorf("%s: %s answers %d", path, m[1], f.StatusCode)
			}
			total += len(f.body)
		}
		if len(seen) < 4 {
			t.Errorf("%s names only %d files: %v", path, len(seen), seen)
		}
		t.Logf("%s: %d bytes with %d files", path, total, len(seen))
		if total > firstVisitBudget {
			t.Errorf("%s: a first visit fetches %d bytes, over the budget of %d", path, total, firstVisitBudget)
		}
	}
	weigh("/kirjaudu")
	e.signIn(t, c, "maija@example.fi")
	weigh("/kohteet/" + itoa(e.sites["koti"]))
}
