package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"asiakassivu/internal/store"
)

// backupCmd is "asiakassivu backup --out FILE [--overwrite]": a consistent
// copy of the live SQLite database, taken while the server runs. On
// PostgreSQL it says how to use pg_dump instead (exit 2).
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	var d dbFlags
	var out string
	var overwrite bool
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	d.register(fs)
	fs.StringVar(&out, "out", "", "file to write the copy to (required; not replaced unless --overwrite)")
	fs.BoolVar(&overwrite, "overwrite", false, "replace --out if it exists")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if store.IsPostgres(d.database) {
		return usageError{err: fmt.Errorf("the database is PostgreSQL: back it up with pg_dump, for example: pg_dump --format=custom --file=%s --dbname='%s' (restore with pg_restore; see the README)",
			pgDumpFile(out), redactDSN(d.database))}
	}
	if out == "" {
		return usageError{err: errors.New("--out FILE is required")}
	}
	// The database must exist already: opening a wrong path would create
	// an empty database and back that up. Nor is it migrated: the running
	// server owns its schema.
	path := d.database
	if path == "" {
		path = filepath.Join(d.dataDir, "asiakassivu.db")
	}
	if _, err := os.Stat(path); err != nil {
		return startError{fmt.Errorf("no database at %s (give --data-dir or --database): %w", path, err)}
	}
	db, err := store.Open(ctx, path, time.Now)
	if err != nil {
		return startError{err}
	}
	defer db.Close()
	b, err := db.Backup(ctx, out, overwrite)
	if errors.Is(err, os.ErrExist) {
		return usageError{err: fmt.Errorf("%s exists already: choose another --out, or add --overwrite to replace it", out)}
	}
	if err != nil {
		return err
	}
	log.Info("backup written", "path", b.Path, "bytes", b.Size, "took_ms", b.Took.Milliseconds())
	fmt.Fprintf(stdout, "Backup written to %s: %s, copied in %s; integrity check ok.\n", b.Path, byteSize(b.Size), b.Took.Round(time.Millisecond))
	fmt.Fprintln(stdout, "Rows:")
	for _, c := range b.Check.Counts {
		fmt.Fprintf(stdout, "  %-16s %d\n", c.Table, c.Rows)
	}
	// The identity codes in the copy are encrypted with the data
	// directory's key, which the copy does not hold (and should not sit
	// beside).
	fmt.Fprintln(stdout, "The secret key (secret.key in the data directory, or --secret-key-file) is not in the backup: keep a copy of it apart from the backups; without it the identity codes cannot be read.")
	return nil
}

// pgDumpFile is the file name suggested to pg_dump: --out when given.
func pgDumpFile(out string) string {
	if out == "" {
		return "asiakassivu-$(date +%F).dump"
	}
	return out
}

// redactDSN hides the password of a PostgreSQL URL, so that the suggested
// command line can be shown on a screen or pasted into a ticket; pg_dump
// reads the password from PGPASSWORD or ~/.pgpass instead.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// byteSize says a file size the way a person reads it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
