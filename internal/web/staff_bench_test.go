package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/demo"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// envBench100k names the directory where BenchmarkStaffPages keeps its
// SQLite database of the demo and 100 000 synthetic customers between runs
// (on PostgreSQL, the database asiakassivu_bench100k of the test server).
// Loading takes minutes, so the benchmark is skipped without it.
const envBench100k = "ASIAKASSIVU_BENCH_100K"

// bench100kCustomers is the synthetic customers of the data set: each of
// the three demo providers gets some 33 000 homes.
const bench100kCustomers = 100_000

// BenchmarkStaffPages measures the provider's pages as the staff of a
// provider with 33 000 homes sees them (demo --customers 100000): each
// page's time (ms/op) and the size of its body (bodyB), one request at a
// time, on each engine. The target is < 50 ms and < 40 KB a page. Run with
//
//	ASIAKASSIVU_BENCH_100K=/tmp/bench100k go test ./internal/web -run '^$' -bench StaffPages -benchtime 50x
//
// (with ASIAKASSIVU_TEST_POSTGRES set for PostgreSQL too). The data set
// is loaded once into that directory or database and reused while it is
// there; its dates are around the day it was loaded.
func BenchmarkStaffPages(b *testing.B) {
	dir := os.Getenv(envBench100k)
	if dir == "" {
		b.Skip(envBench100k + " not set: the benchmark loads 100 000 customers")
	}
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) { benchStaffPages(b, engine, dir) })
	}
}

func benchStaffPages(b *testing.B, engine store.Engine, dir string) {
	ctx := context.Background()
	db := openBench100k(b, engine, dir)
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	h := newLoadServer(b, db, hasher)
	var token string
	var visit int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, "tuottaja@demo.example")
		if err != nil {
			return err
		}
		raw := make([]byte, 32)
		rand.Read(raw)
		token = base64.RawURLEncoding.EncodeToString(raw)
		sum := sha256.Sum256([]byte(token))
		if _, err := tx.CreateSession(ctx, portal.Session{AccountID: acc.ID, TokenHash: sum[:], AuthAt: tx.Now(),
			SecondFactorAt: tx.Now()}); err != nil {
			return err
		}
		return tx.QueryInt(ctx, `SELECT max(v.id) FROM visits v JOIN sites s ON s.id = v.site_id JOIN provider_staff ps
			ON ps.provider_id = s.provider_id WHERE ps.account_id = $1`, &visit, acc.ID)
	})
	if err != nil {
		b.Fatal(err)
	}
	tomorrow := portal.DateOf(time.Now()).AddDays(1).String()
	for _, pg := range []struct{ name, path string }{
		{"schedule", "/tuottaja"},
		{"schedule-page40", schedulePageBench(b, h, token, 40)},
		{"schedule-page40-bynumber", "/tuottaja?sivu=40"},
		{"schedule-all", "/tuottaja?tila=kaikki"},
		{"schedule-done", "/tuottaja?tila=tehdyt"},
		{"schedule-worker", "/tuottaja?tekija=Sanna"},
		{"schedule-tomorrow", "/tuottaja?paiva=" + tomorrow},
		{"inbox", "/tuottaja/viestit"},
		{"inbox-page200", inboxPageBench(b, h, token, 200)},
		{"feedback", "/tuottaja/palaute"},
		{"visit", fmt.Sprintf("/tuottaja/palveluvuorot/%d", visit)},
	} {
		b.Run(pg.name, func(b *testing.B) {
			var size int
			start := time.Now()
			n := 0
			for b.Loop() {
				req := httptest.NewRequest("GET", pg.path, nil)
				req.AddCookie(&http.Cookie{Name: "asiakassivu", Value: token})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", pg.path, rec.Code)
				}
				size = rec.Body.Len()
				n++
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(n), "ms/op")
			b.ReportMetric(float64(size), "bodyB")
		})
	}
}

// schedulePageBench follows the schedule's next links from today's first
// page to page n (or its last page) and returns that page's address, as
// the staff member reaches it (with the cursor where the page starts).
func schedulePageBench(b *testing.B, h http.Handler, token string, n int) string {
	path := "/tuottaja"
	for range n - 1 {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "asiakassivu", Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		next := scheduleNext.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || next == nil {
			b.Logf("the schedule ends before page %d", n)
			break
		}
		path = html.UnescapeString(next[1])
	}
	return path
}

// inboxPageBench follows the inbox's next links from its first page to
// page n (or its last page) and returns that page's address.
func inboxPageBench(b *testing.B, h http.Handler, token string, n int) string {
	path := "/tuottaja/viestit"
	for range n - 1 {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "asiakassivu", Value: token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		next := inboxNext.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || next == nil {
			b.Logf("the inbox ends before page %d", n)
			break
		}
		path = html.UnescapeString(next[1])
	}
	return path
}

// benchPostgresDB names the PostgreSQL database of the data set kept in
// dir: asiakassivu_bench100k, or with dir's name when that is not
// "bench100k" (so two data sets of different schema versions can live
// side by side), e.g. /tmp/inbox100k → asiakassivu_bench100k_inbox100k.
func benchPostgresDB(dir string) string {
	base := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, strings.ToLower(filepath.Base(dir)))
	if base == "" || base == "bench100k" || base == "staff100k" {
		return "asiakassivu_bench100k"
	}
	return "asiakassivu_bench100k_" + base
}

// openBench100k opens the data set of engine, loading it first when it is
// not there yet.
func openBench100k(b *testing.B, engine store.Engine, dir string) *store.DB {
	ctx := context.Background()
	var dsn string
	switch engine {
	case store.SQLite:
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
		dsn = filepath.Join(dir, "asiakassivu.db")
	default:
		server := os.Getenv(storetest.EnvPostgres)
		admin, err := sql.Open("pgx", server)
		if err != nil {
			b.Fatal(err)
		}
		var n int
		name := benchPostgresDB(dir)
		admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n)
		if n == 0 {
			if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
				b.Fatal(err)
			}
		}
		admin.Close()
		dsn = storetest.WithDatabase(server, name)
	}
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	var accounts, synthetic int64
	err = db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.QueryInt(ctx, `SELECT count(*) FROM accounts`, &accounts); err != nil {
			return err
		}
		return tx.QueryInt(ctx, `SELECT count(*) FROM customers WHERE source = $1`, &synthetic, demo.SyntheticSource)
	})
	if err != nil {
		b.Fatal(err)
	}
	if accounts == 0 {
		hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
		if _, err := demo.Load(ctx, db, demo.Options{Now: time.Now(),
			HashPassword: func(pw string) (string, error) { return hasher.Hash(ctx, pw) },
			Encrypt:      func(p []byte) ([]byte, error) { return p, nil }}); err != nil {
			b.Fatal(err)
		}
	}
	if synthetic < bench100kCustomers {
		b.Logf("%s: loading %d synthetic customers (minutes)", engine, bench100kCustomers)
		if err := demo.Synthetic(ctx, db, bench100kCustomers, time.Now(), nil); err != nil {
			b.Fatal(err)
		}
	}
	return db
}
