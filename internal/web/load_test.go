package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/demo"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// loadConns is the number of concurrent connections of the load benchmark.
const loadConns = 64

// BenchmarkDashboardLoad measures the signed-in dashboard of a site under
// 64 concurrent connections on loopback, each a different signed-in
// customer, beside a bare net/http handler measured the same way in the
// same run. It reports requests per second and latency percentiles.
// Sub-benchmarks: each engine, with the demo data only and with 100 000
// synthetic customers more (loading those takes about a minute on SQLite
// and a few on PostgreSQL); customers=100000-grants is the latter with
// family access in the access rule: each connection's customer also looks
// after another customer's home (a caretaker grant), so every query of
// their sites takes the grants' branch of the rule, and they ask for both
// homes' dashboards in turn. Run with e.g.
//
//	go test ./internal/web -run '^$' -bench DashboardLoad -benchtime 20000x
func BenchmarkDashboardLoad(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, extra := range []int{0, 100_000} {
			b.Run(fmt.Sprintf("%s/customers=%d", engine, extra), func(b *testing.B) {
				benchDashboard(b, engine, extra, false)
			})
		}
		b.Run(fmt.Sprintf("%s/customers=100000-grants", engine), func(b *testing.B) {
			benchDashboard(b, engine, 100_000, true)
		})
	}
}

func benchDashboard(b *testing.B, engine store.Engine, extra int, grants bool) {
	ctx := context.Background()
	db, hasher := loadDemo(b, engine)
	if extra > 0 {
		if err := demo.Synthetic(ctx, db, extra, time.Now(), nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	// One signed-in customer per connection: synthetic ones spread over
	// the data when there are any, else the demo customer.
	users := make([]loadUser, loadConns)
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range users {
			email := "asiakas@demo.example"
			if extra > 0 {
				email = fmt.Sprintf("asiakas-%06d@synthetic.example", 1+i*(extra/loadConns))
			}
			acc, err := tx.VerifiedAccountByEmail(ctx, email)
			if err != nil {
				id, cerr := tx.CreateAccount(ctx, portal.Account{Email: email, PasswordHash: "-", VerifiedAt: tx.Now()})
				if cerr != nil {
					return cerr
				}
				acc.ID = id
			}
			sites, err := tx.Sites(ctx, store.Scope{EmailNorm: emailaddr.Normalize(email)})
			if err != nil || len(sites) == 0 {
				return fmt.Errorf("sites of %s: %v", email, err)
			}
			token, err := newLoadSession(ctx, tx, acc.ID)
			if err != nil {
				return err
			}
			users[i] = loadUser{token, []string{fmt.Sprintf("/kohteet/%d", sites[len(sites)-1].Site.ID)}}
		}
		if !grants {
			return nil
		}
		// Each customer looks after the next one's home.
		for i := range users {
			email := fmt.Sprintf("asiakas-%06d@synthetic.example", 1+i*(extra/loadConns))
			next := fmt.Sprintf("asiakas-%06d@synthetic.example", 1+((i+1)%loadConns)*(extra/loadConns))
			acc, err := tx.VerifiedAccountByEmail(ctx, email)
			if err != nil {
				return err
			}
			theirs, err := tx.Sites(ctx, store.Scope{EmailNorm: next})
			if err != nil {
				return err
			}
			h := sha256.Sum256([]byte("bench grant " + email))
			id, err := tx.InsertGrant(ctx, portal.Grant{SiteID: theirs[0].Site.ID, Role: portal.GrantCaretaker, Email: email,
				EmailNorm: email, Language: "fi", ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, h[:])
			if err != nil {
				return err
			}
			if err := tx.AcceptGrant(ctx, id, acc.ID); err != nil {
				return err
			}
			users[i].paths = append(users[i].paths, fmt.Sprintf("/kohteet/%d", theirs[0].Site.ID))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	loadRun(b, newLoadServer(b, db, hasher), users)
}

// loadDemo opens a database of the engine with the demo data loaded, the
// base of every load benchmark.
func loadDemo(b *testing.B, engine store.Engine) (*store.DB, *app.Hasher) {
	ctx := context.Background()
	db := storetest.Open(b, engine, nil)
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	if _, err := demo.Load(ctx, db, demo.Options{Now: time.Now(),
		HashPassword: func(pw string) (string, error) { return hasher.Hash(ctx, pw) },
		Encrypt:      func(p []byte) ([]byte, error) { return p, nil }}); err != nil {
		b.Fatal(err)
	}
	return db, hasher
}

// newLoadServer is the portal as served, on the wall clock.
func newLoadServer(b *testing.B, db *store.DB, hasher *app.Hasher) *Server {
	u, _ := url.Parse("http://127.0.0.1")
	s, err := New(Config{BaseURL: u}, app.New(db, hasher, nil))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// newLoadSession makes a session for the account directly: signing 64
// customers in through the form would spend the setup on password hashing.
func newLoadSession(ctx context.Context, tx *store.Tx, accountID int64) (string, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	h := sha256.Sum256([]byte(token))
	_, err := tx.CreateSession(ctx, portal.Session{AccountID: accountID, TokenHash: h[:], AuthAt: tx.Now()})
	return token, err
}

// loadUser is the customer behind one connection of a load benchmark: its
// session and the pages it requests in turn.
type loadUser struct {
	token string
	paths []string
}

// loadRun drives h on loopback from loadConns connections, connection w
// as users[w] (they must be loadConns), then a bare net/http handler the
// same way in the same run, so that a figure can be read against what this
// machine manages at that moment. It reports requests per second, latency
// percentiles and the portal's share of the bare handler's rate.
func loadRun(b *testing.B, h http.Handler, users []loadUser) {
	if len(users) != loadConns {
		b.Fatalf("%d users for %d connections", len(users), loadConns)
	}
	served := httptest.NewServer(h)
	defer served.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	}))
	defer bare.Close()

	run := func(base string, cookie bool) (rps float64, lat []time.Duration) {
		tr := &http.Transport{MaxIdleConnsPerHost: loadConns, MaxConnsPerHost: loadConns}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		per := max(1, b.N/loadConns)
		lats := make([][]time.Duration, loadConns)
		var wg sync.WaitGroup
		start := time.Now()
		for w := range loadConns {
			wg.Go(func() {
				paths := users[w].paths
				reqs := make([]*http.Request, len(paths))
				for i, p := range paths {
					reqs[i], _ = http.NewRequest("GET", base+p, nil)
					if cookie {
						reqs[i].Header.Set("Cookie", "asiakassivu="+users[w].token)
					}
				}
				// Connections start at different pages so that every
				// moment of the run sees the whole mix.
				for i := range per {
					req := reqs[(w+i)%len(reqs)]
					t0 := time.Now()
					r, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
					if r.StatusCode != 200 {
						b.Errorf("status %d for %s", r.StatusCode, req.URL)
						return
					}
					lats[w] = append(lats[w], time.Since(t0))
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		for _, l := range lats {
			lat = append(lat, l...)
		}
		slices.Sort(lat)
		return float64(len(lat)) / elapsed.Seconds(), lat
	}
	pct := func(lat []time.Duration, p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	run(served.URL, true) // warm up caches and connections
	b.ResetTimer()
	rps, lat := run(served.URL, true)
	b.StopTimer()
	bareRPS, bareLat := run(bare.URL, false)
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(bareRPS, "bare-req/s")
	b.ReportMetric(pct(bareLat, 0.99), "bare-p99-ms")
	b.ReportMetric(100*rps/bareRPS, "%-of-bare")
}
