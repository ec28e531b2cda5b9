// Package store persists the portal's data on SQLite (modernc.org/sqlite,
// the default) or PostgreSQL (pgx), with one SQL text for both engines.
// Every use case runs in one transaction: Read for queries, Write for
// changes. Driver errors are mapped to portal.ErrNotFound and
// portal.ErrConflict; a database that cannot be reached to
// portal.ErrUnavailable (see unreachable).
//
// # One clock
//
// The store owns the portal's only clock. cmd chooses it once (the wall
// clock) and passes it to Open; tests pass a storetest.Clock. Nothing
// below cmd reads time.Now for a decision (clock_test.go in this package
// enforces it): a transaction reads the clock once when it begins, and
// every rule in that use case acts at that reading (Tx.Now); code outside
// a transaction asks DB.Now, and app, web, jobs and mail get their time
// from the same DB. So a test that sets the store's clock has set every
// layer's.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"asiakassivu/internal/portal"
)

//go:embed migrations
var migrations embed.FS

// Engine names a database engine.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database. On SQLite it holds one writer connection and a
// pool of readers (WAL lets them run beside the writer); on PostgreSQL both
// are the same pool.
type DB struct {
	engine Engine
	w, r   *sql.DB
	now    func() time.Time
	// stmts caches prepared statements per pool and query text; database/sql
	// keeps each prepared once per connection, so a query is parsed once per
	// connection instead of once per use.
	stmts     sync.Map // stmtKey → *sql.Stmt
	preparing sync.Map // stmtKey → true while being prepared
	// prepared counts the background preparations still running: Close
	// waits for them, so that none opens a connection (and, on SQLite,
	// touches the files) after the database is closed.
	prepared sync.WaitGroup
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// IsPostgres reports whether dsn selects PostgreSQL rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN returns the connection string for a SQLite file with the
// pragmas every pooled connection needs.
func SQLiteDSN(path string, immediate bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	if immediate {
		q.Set("_txlock", "immediate")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Open connects to the database named by dsn: a postgres:// URL, or the
// path of a SQLite file (created if absent). clock is the portal's one
// clock (see the package comment); it is required. Open pings the
// database so that an unreachable server is reported here.
func Open(ctx context.Context, dsn string, clock func() time.Time) (*DB, error) {
	if clock == nil {
		return nil, errors.New("open database: no clock")
	}
	db := &DB{now: func() time.Time { return clock().UTC().Truncate(time.Microsecond) }}
	if IsPostgres(dsn) {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p.SetMaxOpenConns(20)
		p.SetMaxIdleConns(20) // as many as open (CloseIdle restores this)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.engine, db.w, db.r = Postgres, p, p
	} else {
		w, err := sql.Open("sqlite", SQLiteDSN(dsn, true))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", SQLiteDSN(dsn, false))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// Readers: a few per core (more did not serve more pages on two
		// cores), all kept open: with database/sql's default of two idle
		// connections the others are closed whenever load dips, and their
		// successors open the file and prepare every statement again.
		readers := max(4, runtime.NumCPU())
		r.SetMaxOpenConns(readers)
		r.SetMaxIdleConns(readers)
		db.engine, db.w, db.r = SQLite, w, r
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.w.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.engine, err)
	}
	return db, nil
}

// Now reads the clock: the time in UTC, to the microsecond both engines
// store. Inside a transaction use Tx.Now, the reading the transaction
// began with.
func (db *DB) Now() time.Time { return db.now() }

// Engine reports which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close closes every connection.
func (db *DB) Close() error {
	db.prepared.Wait()
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// SQL returns the writer pool, for tools that need raw access (migration
// tests, backups).
func (db *DB) SQL() *sql.DB { return db.w }

// Migrate brings the schema up to date. On PostgreSQL it runs under a
// session advisory lock so that instances starting together take turns.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path))
		}
	}
	return nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, db.w, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// MigrationNames lists the migration files of an engine, for the parity test.
func MigrationNames(e Engine) ([]string, error) {
	ents, err := fs.ReadDir(migrations, "migrations/"+string(e))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, nil
}

// Tx is one transaction; every store operation is a method on it.
type Tx struct {
	tx    *sql.Tx // nil in a PostgreSQL Read: statements run on the pool
	db    *DB
	pool  *sql.DB
	now   time.Time
	stmts map[string]*sql.Stmt
}

// Now is the transaction's clock reading, taken when it began: every rule
// and every write of the use case acts at this one instant.
func (tx *Tx) Now() time.Time { return tx.now }

// Read runs fn's queries. On SQLite they share a read transaction (a
// consistent snapshot). On PostgreSQL they run without one: under its
// READ COMMITTED isolation every statement takes a snapshot of its own even
// inside a transaction, so BEGIN and COMMIT would add two round trips and
// no consistency. fn must not write.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	if db.engine == Postgres {
		return marked(fn(&Tx{db: db, pool: db.r, now: db.now()}))
	}
	return marked(db.run(ctx, db.r, fn))
}

// ReadOne runs fn, which must run a single statement and not write,
// without a transaction on either engine: one statement reads one
// consistent snapshot by itself, so BEGIN and COMMIT would add work and no
// consistency. The session check and the dashboard's site summary use it.
func (db *DB) ReadOne(ctx context.Context, fn func(*Tx) error) error {
	return marked(fn(&Tx{db: db, pool: db.r, now: db.now()}))
}

// Write runs fn in a write transaction and commits when fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return marked(db.run(ctx, db.w, fn))
}

// marked wraps an error that says the database is unreachable, and that no
// store method has marked yet (a driver error a use case got from rows it
// scanned itself), with portal.ErrUnavailable.
func marked(err error) error {
	if err != nil && unreachable(err) {
		return fmt.Errorf("%w: %w", portal.ErrUnavailable, err)
	}
	return err
}

// CloseIdle closes the pools' idle connections; the next use opens new
// ones. An outage then shows at the next request instead of when a stale
// connection is next tried (the outage tests use it).
func (db *DB) CloseIdle() {
	for _, p := range []*sql.DB{db.w, db.r} {
		p.SetMaxIdleConns(0)
		p.SetMaxIdleConns(p.Stats().MaxOpenConnections) // as Open sets them: every open connection kept
	}
}

func (db *DB) run(ctx context.Context, pool *sql.DB, fn func(*Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	tx := &Tx{tx: sqlTx, db: db, pool: pool, now: db.now()}
	defer func() {
		for _, s := range tx.stmts {
			s.Close()
		}
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
			return
		}
		if cerr := sqlTx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", mapErr(cerr))
		}
	}()
	return fn(tx)
}

// stmt returns the statement of query bound to this transaction. Once a
// query has been seen, it is prepared on the pool (database/sql then keeps
// it prepared on each connection that runs it), so neither bulk loads nor
// busy pages re-parse their SQL. The pool-level preparation happens in the
// background: it needs a free connection, and the transaction holds one
// (on SQLite's single writer connection, the only one).
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	key := stmtKey{tx.pool, query}
	if tx.tx == nil {
		return tx.db.poolStmt(ctx, key)
	}
	var s *sql.Stmt
	if ps, ok := tx.db.stmts.Load(key); ok {
		s = tx.tx.StmtContext(ctx, ps.(*sql.Stmt))
	} else {
		var err error
		if s, err = tx.tx.PrepareContext(ctx, query); err != nil {
			return nil, mapErr(err)
		}
		if _, busy := tx.db.preparing.LoadOrStore(key, true); !busy {
			tx.db.prepared.Go(func() { tx.db.preparePool(key) })
		}
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = s
	return s, nil
}

// poolStmt returns the cached statement of key, preparing it now when it
// is not cached yet (outside a transaction no connection is held, so
// there is nothing to wait for).
func (db *DB) poolStmt(ctx context.Context, key stmtKey) (*sql.Stmt, error) {
	if ps, ok := db.stmts.Load(key); ok {
		return ps.(*sql.Stmt), nil
	}
	ps, err := key.pool.PrepareContext(ctx, key.query)
	if err != nil {
		return nil, mapErr(err)
	}
	if prev, loaded := db.stmts.LoadOrStore(key, ps); loaded {
		ps.Close()
		return prev.(*sql.Stmt), nil
	}
	return ps, nil
}

// preparePool prepares a statement on its pool for the cache.
func (db *DB) preparePool(key stmtKey) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ps, err := key.pool.PrepareContext(ctx, key.query)
	if err != nil {
		db.preparing.Delete(key) // try again on a later use
		return
	}
	if _, loaded := db.stmts.LoadOrStore(key, ps); loaded {
		ps.Close()
	}
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(ctx, args...)
	return res, mapErr(err)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := s.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return 0, mapErr(err)
	}
	return id, nil
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args...)
	return rows, mapErr(err)
}

// queryRow runs a query expected to return one row. A failure to prepare
// surfaces as the row's error.
func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := tx.stmt(ctx, query)
	if err != nil {
		if tx.tx == nil {
			return tx.pool.QueryRowContext(ctx, query, args...)
		}
		return tx.tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// mapErr turns driver errors into domain errors, keeping the original
// wrapped for the log.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", portal.ErrUnavailable, err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", portal.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", portal.ErrConflict, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %w", portal.ErrConflict, err)
	}
	return err
}

// unreachable reports whether err says the database cannot be reached
// rather than answering: PostgreSQL refusing a connection, or one lost
// mid-use (network errors, the server shutting down, class 08 codes);
// SQLite unable to open or read its file. The store is the one place that
// tells these apart, so no caller has to guess (portal.ErrUnavailable).
func unreachable(err error) bool {
	if errors.Is(err, portal.ErrUnavailable) {
		return false // marked already
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the request's own end, not the database's (a deadline is a net.Error too)
	}
	var (
		ce *pgconn.ConnectError
		ne net.Error
		pe *pgconn.PgError
		se *sqlite.Error
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &pe):
		// 08: connection exception; 57P01-03: shutting down or starting up.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR:
			return true
		}
	}
	return false
}

// scanAll reads every row with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" driver

// Schema returns every table of the schema (goose's own excepted) with its
// column names in alphabetical order, for the engine parity test.
func (db *DB) Schema(ctx context.Context) (map[string][]string, error) {
	q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
	if db.engine == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, mapErr(err)
		}
		out[t] = append(out[t], c)
	}
	for _, cols := range out {
		slices.Sort(cols)
	}
	return out, mapErr(rows.Err())
}

// QueryInt runs a query that returns one integer, for tests and reports.
func (tx *Tx) QueryInt(ctx context.Context, query string, dst *int64, args ...any) error {
	return mapErr(tx.queryRow(ctx, query, args...).Scan(dst))
}

// Analyze refreshes the query planner's statistics after a bulk load (an
// import, synthetic data). PostgreSQL's would stay those of an almost empty
// database until autovacuum gets to it, and its plans go badly wrong
// meanwhile (measured: 184 instead of 1 350 dashboards/s); SQLite gets
// "PRAGMA optimize", which analyses only where it helps.
func (db *DB) Analyze(ctx context.Context) error {
	q := `PRAGMA optimize`
	if db.engine == Postgres {
		q = `ANALYZE`
	}
	_, err := db.w.ExecContext(ctx, q)
	return mapErr(err)
}
