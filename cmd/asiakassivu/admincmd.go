package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// adminCmd is "asiakassivu admin create EMAIL": makes the verified account
// of an address a chain admin — how the first admin comes to be, since the
// console itself is for admins only. The person signs up in the portal
// first, so the address is proven before it gets the rights.
func adminCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	const want = `want "admin create EMAIL"`
	args = helpFor(args, "create")
	if len(args) == 0 || args[0] != "create" {
		return usageError{err: errors.New(want)}
	}
	var d dbFlags
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	d.register(fs)
	// The address comes first, then the flags.
	var rest []string
	flags := args[1:]
	if len(flags) > 0 && !strings.HasPrefix(flags[0], "-") {
		rest, flags = flags[:1], flags[1:]
	}
	if err := parse(fs, flags, getenv); err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{err: errors.New(want)}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	email := rest[0]
	err = app.New(db, nil, log).MakeAdmin(ctx, email)
	var invalid app.InvalidInput
	switch {
	case errors.As(err, &invalid):
		return usageError{err: fmt.Errorf("%q is not an email address", email)}
	case errors.Is(err, portal.ErrNotFound):
		return usageError{err: fmt.Errorf("no verified account has the address %s: sign up in the portal with it first (Luo tili, /luo-tili), enter the code from the mail, then run this again", email)}
	case errors.Is(err, app.ErrAlreadyAdmin):
		fmt.Fprintf(stdout, "%s is a chain admin already.\n", email)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "%s is now a chain admin: the console is at /yllapito (a second factor is set up at the next sign-in).\n", email)
	return nil
}
