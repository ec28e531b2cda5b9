package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotSQLite is returned by the backup functions on PostgreSQL, whose
// backups are pg_dump's job: a consistent dump of a server database is not
// something a client library can do better.
var ErrNotSQLite = errors.New("backups by copy are for SQLite only; use pg_dump on PostgreSQL")

// BackupTables lists the tables whose row counts a backup reports and the
// crash drills compare: the customer data and what people wrote. Sessions
// and the job queue are left out because a running server changes them on
// its own (sign-ins, scheduled reminders), so their counts say nothing
// about whether a copy is complete.
func BackupTables() []string {
	return []string{"accounts", "customers", "sites", "contracts", "visits", "threads", "messages",
		"invoices", "feedback", "move_requests", "portal_feedback", "audit_log"}
}

// TableCount is the number of rows of one table.
type TableCount struct {
	Table string
	Rows  int64
}

// FileCheck is what CheckFile found in a SQLite file.
type FileCheck struct {
	// Integrity is "ok", or the problems PRAGMA integrity_check listed,
	// joined by "; ".
	Integrity string
	// ForeignKeyProblems counts rows whose parent row is missing (PRAGMA
	// foreign_key_check): a copy that is not one moment's snapshot shows
	// here, for example a message whose thread is not there.
	ForeignKeyProblems int
	// Counts holds the rows of BackupTables, in that order.
	Counts []TableCount
}

// OK reports whether the file passed both checks.
func (c FileCheck) OK() bool { return c.Integrity == "ok" && c.ForeignKeyProblems == 0 }

// BackupResult is what DB.Backup wrote, for the operator's report.
type BackupResult struct {
	Path  string // absolute
	Size  int64
	Took  time.Duration // the copy alone, without the checks
	Check FileCheck     // of the copy
}

// Backup writes a consistent copy of the live SQLite database to out with
// VACUUM INTO, which reads one snapshot while the server keeps writing
// (WAL). The copy goes to a temporary file beside out, is checked (PRAGMA
// integrity_check and foreign_key_check), synced, and only then takes the
// name out, so a failed or interrupted backup never leaves a file that
// looks like a good one. An existing out is replaced only with overwrite;
// otherwise Backup fails with an error matching fs.ErrExist. It returns
// ErrNotSQLite on PostgreSQL.
func (db *DB) Backup(ctx context.Context, out string, overwrite bool) (BackupResult, error) {
	if db.engine != SQLite {
		return BackupResult{}, ErrNotSQLite
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup path: %w", err)
	}
	if !overwrite {
		// Checked here too, so that a mistake is reported before minutes
		// of copying; the link below is what really refuses.
		if _, err := os.Lstat(abs); err == nil {
			return BackupResult{}, fmt.Errorf("backup %s: %w", abs, os.ErrExist)
		}
	}
	// CreateTemp makes the file with mode 0600 (the copy holds personal
	// data) and a name no one else uses; VACUUM INTO accepts an empty file.
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()
	b := BackupResult{Path: abs}
	began := time.Now()
	if err := db.VacuumInto(ctx, tmp); err != nil {
		return BackupResult{}, err
	}
	b.Took = time.Since(began)
	if b.Check, err = CheckFile(ctx, tmp); err != nil {
		return BackupResult{}, fmt.Errorf("check the copy: %w", err)
	}
	if !b.Check.OK() {
		return b, fmt.Errorf("the copy failed its check: integrity %q, %d foreign-key problems", b.Check.Integrity, b.Check.ForeignKeyProblems)
	}
	// VACUUM INTO writes without syncing; the copy must be on disk before
	// it takes the backup's name.
	if err := syncFile(tmp); err != nil {
		return BackupResult{}, fmt.Errorf("sync the copy: %w", err)
	}
	if overwrite {
		err = os.Rename(tmp, abs)
	} else {
		// A hard link never replaces an existing name, so a file that
		// appeared meanwhile is not overwritten either.
		if err = os.Link(tmp, abs); err == nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup %s: %w", abs, err)
	}
	done = true
	if err := syncFile(filepath.Dir(abs)); err != nil {
		return BackupResult{}, fmt.Errorf("sync the backup's directory: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	b.Size = fi.Size()
	return b, nil
}

// VacuumInto writes a compacted, consistent copy of the SQLite database to
// path, which must not exist or must be an empty file. The path is bound
// as a parameter: SQLite evaluates VACUUM INTO's argument as an
// expression, so no quoting of the file name is needed. An absolute path
// is used because a relative one starting with "file:" would be read as a
// URI. It returns ErrNotSQLite on PostgreSQL.
func (db *DB) VacuumInto(ctx context.Context, path string) error {
	if db.engine != SQLite {
		return ErrNotSQLite
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	// A reader connection: the copy is one read transaction on the
	// source, so the server's writer goes on meanwhile.
	if _, err := db.r.ExecContext(ctx, `VACUUM INTO $1`, abs); err != nil {
		return fmt.Errorf("vacuum into %s: %w", abs, mapErr(err))
	}
	return nil
}

// CheckFile opens the SQLite file at path without writing to it, runs PRAGMA
// integrity_check and foreign_key_check and counts the rows of
// BackupTables. It works on a copy and on a live database alike (WAL lets
// it read beside a running server). A missing file is an error, never a
// new empty database.
func CheckFile(ctx context.Context, path string) (FileCheck, error) {
	if _, err := os.Stat(path); err != nil {
		return FileCheck{}, fmt.Errorf("check database file: %w", err)
	}
	// query_only rather than mode=ro: a read-only connection cannot set up
	// the shared-memory index of a WAL file that has none yet. No
	// journal_mode pragma (SQLiteDSN's): that would convert a copy to WAL.
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return FileCheck{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var c FileCheck
	rows, err := conn.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return FileCheck{}, fmt.Errorf("integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return FileCheck{}, fmt.Errorf("integrity check: %w", err)
		}
		problems = append(problems, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return FileCheck{}, fmt.Errorf("integrity check: %w", err)
	}
	c.Integrity = strings.Join(problems, "; ")
	// Each row of foreign_key_check is one child row without its parent.
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&c.ForeignKeyProblems); err != nil {
		return FileCheck{}, fmt.Errorf("foreign key check: %w", err)
	}
	for _, t := range BackupTables() {
		n := TableCount{Table: t}
		// t comes from BackupTables, never from input.
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n.Rows); err != nil {
			return FileCheck{}, fmt.Errorf("count %s: %w", t, err)
		}
		c.Counts = append(c.Counts, n)
	}
	return c, nil
}

// syncFile flushes a file or directory to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
