// Package storetest opens real databases for tests: a SQLite file in the
// test's temporary directory always, and a fresh PostgreSQL database when
// ASIAKASSIVU_TEST_POSTGRES holds a server DSN. PostgreSQL databases are
// copied from a template migrated once per test binary, and dropped when
// the test ends.
//
// Every database runs on a clock the test chose, never the wall clock
// (the store's package comment: one clock, which app, web and jobs read
// through the store). A test either passes its own Clock, stopped at the
// fixed instant its data is written for, or passes nil and gets the suite
// clock: stopped at Start, which ASIAKASSIVU_TEST_NOW moves, so that its
// data must be built relative to the clock. AcrossInstants runs such
// tests again at the instants where dates go wrong.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL server DSN.
const EnvPostgres = "ASIAKASSIVU_TEST_POSTGRES"

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// EnvNow names the variable that sets the suite clock's instant, as RFC
// 3339 or as "2006-01-02 15:04" in Helsinki time.
const EnvNow = "ASIAKASSIVU_TEST_NOW"

// DefaultStart is the suite clock's instant when EnvNow is not set: a
// plain Saturday noon in Helsinki.
var DefaultStart = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// Instants are where AcrossInstants runs date-sensitive tests: a plain
// weekday, the night of the spring change to summer time in Helsinki
// (03.30 does not exist there that night; Go reads it as 04.30 summer
// time), and the last minute of a year.
var Instants = []string{"2026-06-10 09:15", "2027-03-28 03:30", "2030-12-31 23:59"}

// Start returns the suite clock's instant: EnvNow when set, else
// DefaultStart. A value that cannot be read panics: a suite run at an
// instant nobody meant proves nothing.
func Start() time.Time {
	v := os.Getenv(EnvNow)
	if v == "" {
		return DefaultStart
	}
	t, err := ParseInstant(v)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseInstant reads an instant as RFC 3339 or as "2006-01-02 15:04" in
// Helsinki time.
func ParseInstant(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", v, portal.Helsinki)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s=%q: want RFC 3339 or 2006-01-02 15:04 (Helsinki)", EnvNow, v)
	}
	return t, nil
}

// SuiteClock returns a clock stopped at Start.
func SuiteClock() *Clock { return NewClock(Start()) }

// AcrossInstants runs this test binary's tests that match run again at
// each of Instants, with EnvNow set there, each in a process of its own
// and on SQLite only (CI's race run covers PostgreSQL at another instant);
// it fails with the other run's output when one fails. Inside such a run
// it does nothing (so it does not call itself).
func AcrossInstants(t *testing.T, run string) {
	t.Helper()
	if os.Getenv(EnvNow) != "" {
		t.Skip("already running at a chosen instant")
	}
	for _, at := range Instants {
		t.Run(strings.ReplaceAll(at, " ", "T"), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1")
			cmd.Env = append(os.Environ(), EnvNow+"="+at, EnvPostgres+"=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("at %s (%s=%q): %v\n%s", at, EnvNow, at, err, out)
			}
			if strings.Contains(string(out), "no tests to run") {
				t.Fatalf("at %s: no test matches %q", at, run)
			}
		})
	}
}

// Engines lists the engines the suites run on here.
func Engines() []store.Engine {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// Each runs fn as a subtest per engine, each with a fresh, migrated
// database on clock now (nil: a suite clock of its own, stopped at Start).
func Each(t *testing.T, now func() time.Time, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e, now))
		})
	}
}

// Open returns a fresh, migrated database of engine e on clock now (nil:
// a suite clock of its own, stopped at Start), closed (and on PostgreSQL
// dropped) when the test ends.
func Open(t testing.TB, e store.Engine, now func() time.Time) *store.DB {
	t.Helper()
	if now == nil {
		now = SuiteClock().Now
	}
	dsn := DSN(t, e)
	db, err := store.Open(context.Background(), dsn, now)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if e == store.SQLite {
		if err := db.Migrate(context.Background(), nil); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	return db
}

// DSN returns the DSN of a fresh database of engine e: an empty SQLite file
// path, or a PostgreSQL database already migrated (copied from the
// template).
func DSN(t testing.TB, e store.Engine) string {
	t.Helper()
	// Read the suite's instant while the test runs, so that go test's
	// result cache tells runs at different instants apart even when the
	// instant was first read at package initialisation (a package's t0).
	os.Getenv(EnvNow)
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "test.db")
	}
	server := os.Getenv(EnvPostgres)
	if server == "" {
		t.Skip(EnvPostgres + " not set")
	}
	tpl, err := template(server)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	name := "asiakassivu_t_" + randHex(6)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tpl); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return WithDatabase(server, name)
}

// EmptyPostgres returns the DSN of a fresh, empty (unmigrated) PostgreSQL
// database, dropped when the test ends.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvPostgres)
	if server == "" {
		t.Skip(EnvPostgres + " not set")
	}
	name := "asiakassivu_e_" + randHex(6)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return WithDatabase(server, name)
}

// WithDatabase returns the server DSN pointed at another database.
func WithDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// template migrates one template database per test binary (dropped by
// Main when the binary ends).
func template(server string) (string, error) {
	tplOnce.Do(func() {
		tplName = "asiakassivu_tpl_" + randHex(6)
		admin, err := sql.Open("pgx", server)
		if err != nil {
			tplErr = err
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE DATABASE ` + tplName); err != nil {
			tplErr = err
			return
		}
		db, err := store.Open(context.Background(), WithDatabase(server, tplName), SuiteClock().Now)
		if err != nil {
			tplErr = err
			return
		}
		tplErr = db.Migrate(context.Background(), nil)
		db.Close()
	})
	return tplName, tplErr
}

// DropTemplate removes this binary's template database; call it from
// TestMain after m.Run.
func DropTemplate() {
	server := os.Getenv(EnvPostgres)
	if server == "" || tplName == "" {
		return
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec(`DROP DATABASE IF EXISTS ` + tplName + ` WITH (FORCE)`)
}

// Main is a TestMain for packages that use this helper: it runs the tests
// and drops the template database afterwards.
func Main(m *testing.M) {
	code := m.Run()
	DropTemplate()
	os.Exit(code)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
