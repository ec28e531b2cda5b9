// Package storetest opens real databases for tests: a SQLite file in the
// test's temporary directory always, and a fresh PostgreSQL database when
// ASIAKASSIVU_TEST_POSTGRES holds a server DSN. PostgreSQL databases are
// copied from a template migrated once per test binary, and dropped when
// the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"

	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

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

// Engines lists the engines the suites run on here.
func Engines() []store.Engine {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	return []store.Engine{store.SQLite}
}

// Each runs fn as a subtest per engine, each with a fresh, migrated
// database.
func Each(t *testing.T, now func() time.Time, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e, now))
		})
	}
}

// Open returns a fresh, migrated database of engine e, closed (and on
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB, e store.Engine, now func() time.Time) *store.DB {
	t.Helper()
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
		db, err := store.Open(context.Background(), WithDatabase(server, tplName), nil)
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
