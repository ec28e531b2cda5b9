package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// rulesCmd is "asiakassivu rules set --year Y --work-type T --rate-bp N
// --max-cents N --omavastuu-cents N": sets a household-deduction rule.
func rulesCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	args = helpFor(args, "set")
	if len(args) == 0 || args[0] != "set" {
		return usageError{err: errors.New(`want "rules set --year Y --work-type T --rate-bp N --max-cents N --omavastuu-cents N"`)}
	}
	var d dbFlags
	var r portal.DeductionRule
	var maxCents, omavastuu int64 = -1, -1
	fs := flag.NewFlagSet("rules set", flag.ContinueOnError)
	d.register(fs)
	fs.IntVar(&r.Year, "year", 0, "tax year")
	fs.StringVar(&r.WorkType, "work-type", "", "work type: household, care, renovation, oil_heating, …")
	fs.IntVar(&r.RateBP, "rate-bp", 0, "deduction rate in basis points (35 % = 3500)")
	fs.Int64Var(&maxCents, "max-cents", -1, "maximum deduction per person in cents")
	fs.Int64Var(&omavastuu, "omavastuu-cents", -1, "deductible (omavastuu) per person in cents")
	if err := parse(fs, args[1:], getenv); err != nil {
		return err
	}
	r.MaxCents, r.OmavastuuCents = maxCents, omavastuu
	if p := r.Check(); p != "" {
		return usageError{err: errors.New(p)}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := app.New(db, nil, log).SetDeductionRule(ctx, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Rule %d %s: %d bp, max %d cents, omavastuu %d cents.\n", r.Year, r.WorkType, r.RateBP, r.MaxCents,
		r.OmavastuuCents)
	return nil
}

// deductionCmd is "asiakassivu deduction export --year Y --out DIR": the
// yearly report of every consenting customer, in CSV and JSON, written by
// the file sender and recorded with its checksums.
func deductionCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	args = helpFor(args, "export")
	if len(args) == 0 || args[0] != "export" {
		return usageError{err: errors.New(`want "deduction export --year Y --out DIR"`)}
	}
	var d dbFlags
	var year int
	var out, secretKeyFile string
	fs := flag.NewFlagSet("deduction export", flag.ContinueOnError)
	d.register(fs)
	fs.IntVar(&year, "year", 0, "tax year (payment date decides)")
	fs.StringVar(&out, "out", "", "directory to write the CSV and JSON files into")
	fs.StringVar(&secretKeyFile, "secret-key-file", "", "file holding the data encryption key (default: secret.key in the data directory)")
	if err := parse(fs, args[1:], getenv); err != nil {
		return err
	}
	if year < 2000 || year > 2100 {
		return usageError{err: fmt.Errorf("--year %d: want 2000 to 2100", year)}
	}
	if out == "" {
		return usageError{err: errors.New("--out is required")}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if secretKeyFile == "" {
		secretKeyFile = d.dataDir + "/secret.key"
	}
	key, _, err := app.LoadOrCreateKey(secretKeyFile)
	if err != nil {
		return startError{err}
	}
	sealer, err := app.NewSealer(key)
	if err != nil {
		return startError{err}
	}
	a := app.New(db, nil, log, app.WithSealer(sealer))
	e, err := a.ExportDeduction(ctx, year, app.FileSender{Dir: out})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported %d customers for %d.\n%s  sha256 %s\n%s  sha256 %s\n", e.Customers, year,
		e.CSVName, e.CSVSHA256, e.JSONName, e.JSONSHA256)
	return nil
}
