package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/legacy"
	"asiakassivu/internal/legacyimport"
	"asiakassivu/internal/store"
)

// importCmd runs "import legacy [flags] FILE|DIR". Refused rows are
// reported and do not make the command fail: they are the expected
// outcome of importing real data, and the good rows are in. Only what
// stops the import (unreadable files, the database) is an error.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, log *slog.Logger) error {
	args = helpFor(args, "legacy")
	if len(args) == 0 || args[0] != "legacy" {
		return usageError{err: errors.New("usage: import legacy [--dry-run] [--database DSN] FILE|DIR")}
	}
	var d dbFlags
	var dryRun bool
	var batch int
	var secretKeyFile string
	fs := flag.NewFlagSet("import legacy", flag.ContinueOnError)
	d.register(fs)
	fs.BoolVar(&dryRun, "dry-run", false, "check everything and print the report, but write nothing")
	fs.IntVar(&batch, "batch", legacyimport.DefaultBatch, "customers per transaction")
	fs.StringVar(&secretKeyFile, "secret-key-file", "", "file holding the data encryption key (default: secret.key in the data directory)")
	paths, err := parseWithArgs(fs, args[1:], getenv)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usageError{err: errors.New("want one export file or directory: import legacy [--dry-run] FILE|DIR")}
	}
	if batch < 1 || batch > 100_000 {
		return usageError{err: fmt.Errorf("--batch %d: want 1 to 100000", batch)}
	}
	if secretKeyFile == "" {
		secretKeyFile = d.dataDir + "/secret.key"
	}
	// Identity codes are sealed with the portal's key. A new key is made
	// only beside a new SQLite database (as serve does); for PostgreSQL the
	// key must be the server's, or the codes could never be opened.
	if _, err := os.Stat(secretKeyFile); err != nil && store.IsPostgres(d.database) {
		return startError{fmt.Errorf("secret key file %s: %w (give the portal's key with --secret-key-file)", secretKeyFile, err)}
	}
	start := time.Now()
	x, err := legacy.ReadPath(paths[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Read %d files in %s.\n", len(x.Files), time.Since(start).Round(time.Millisecond))
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	sealer, err := openSealer(secretKeyFile, log)
	if err != nil {
		return err
	}
	im := legacyimport.Importer{DB: db, Hasher: app.NewHasher(app.DefaultArgon2), Sealer: sealer}
	bar := newProgress(stderr, "customers")
	bar.every = time.Second
	rep, err := im.Import(ctx, x, legacyimport.Options{DryRun: dryRun, BatchSize: batch, Progress: bar.update})
	bar.done()
	if err != nil {
		return err
	}
	if rep.Changed() {
		if err := db.Analyze(ctx); err != nil {
			return fmt.Errorf("refresh planner statistics: %w", err)
		}
	}
	printImportReport(stdout, rep, time.Since(start))
	return nil
}

// parseWithArgs parses flags that may come before and after positional
// arguments (the environment first, as parse does) and returns the
// positional ones.
func parseWithArgs(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	if err := parse(fs, nil, getenv); err != nil {
		return nil, err
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, parseError(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// printImportReport writes the refused rows and the summary per kind.
func printImportReport(w io.Writer, rep *legacyimport.Report, took time.Duration) {
	if len(rep.Refused) > 0 {
		fmt.Fprintf(w, "Refused rows (%d):\n", len(rep.Refused))
		for _, e := range rep.Refused {
			fmt.Fprintf(w, "  %s\n", e.Error())
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-14s %9s %9s %9s %9s\n", "kind", "inserted", "updated", "unchanged", "refused")
	for _, k := range legacy.Kinds {
		c := rep.Counts[k]
		fmt.Fprintf(w, "%-14s %9d %9d %9d %9d\n", k, c.Inserted, c.Updated, c.Unchanged, c.Refused)
	}
	if rep.Hashed > 0 {
		fmt.Fprintf(w, "Credentials wrapped in argon2id: %d, %s of hashing (%.1f per second per core).\n", rep.Hashed,
			rep.HashTime.Round(time.Millisecond), float64(rep.Hashed)/max(rep.HashTime.Seconds(), 1e-9))
	}
	switch {
	case rep.DryRun:
		fmt.Fprintf(w, "Dry run: nothing was written (%s).\n", took.Round(time.Millisecond))
	case !rep.Changed():
		fmt.Fprintf(w, "Nothing changed: every row is as imported before; nothing was written (%s).\n", took.Round(time.Millisecond))
	default:
		fmt.Fprintf(w, "Imported in %s as import run %d (input checksum %s).\n", took.Round(time.Millisecond), rep.RunID, rep.Checksum)
	}
}
