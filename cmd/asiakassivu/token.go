package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// tokenCmd is "asiakassivu token create NAME [--provider ID] | list |
// revoke NAME|ID": the bearer tokens of the ERP sync API
// (docs/sync-api.md). A new token is printed once, to stdout and never to
// the log; only its SHA-256 is kept. --provider limits the token to the
// records of the provider with that ERP id.
func tokenCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	const want = `want "token create NAME [--provider ID]", "token list" or "token revoke NAME|ID"`
	if len(args) == 0 {
		return usageError{err: errors.New(want)}
	}
	sub, name := args[0], "token "+args[0]
	if isHelp(sub) {
		// "token --help" shows the three forms, with create's flags.
		sub, name, args = "create", "token", []string{"create", "--help"}
	}
	var d dbFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	d.register(fs)
	provider := ""
	if sub == "create" {
		fs.StringVar(&provider, "provider", "", "limit the token to the records of the provider with this ERP id")
	}
	// The name may come before the flags or after them.
	var rest []string
	flags := args[1:]
	if len(flags) > 0 && !strings.HasPrefix(flags[0], "-") {
		rest, flags = flags[:1], flags[1:]
	}
	if err := parse(fs, flags, getenv); err != nil {
		return err
	}
	rest = append(rest, fs.Args()...)
	switch {
	case sub == "list" && len(rest) == 0:
	case (sub == "create" || sub == "revoke") && len(rest) == 1:
	default:
		return usageError{err: errors.New(want)}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a := app.New(db, nil, log)
	switch sub {
	case "create":
		token, t, err := a.CreateScopedAPIToken(ctx, rest[0], provider)
		switch {
		case errors.Is(err, app.ErrTokenName):
			return usageError{err: err}
		case errors.Is(err, app.ErrTokenProvider):
			return usageError{err: fmt.Errorf("--provider %q: %w (the provider's id in the ERP, as the API names it)", provider, err)}
		case errors.Is(err, portal.ErrConflict):
			return usageError{err: fmt.Errorf("a token named %q is in use; revoke it first or choose another name", rest[0])}
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "Token %d %q created (%s). It is shown only now; give it to the integration:\n\n%s\n\n"+
			"Send it as \"Authorization: Bearer TOKEN\". Revoke it with: asiakassivu token revoke %s\n", t.ID, t.Name, scope(t),
			token, t.Name)
	case "list":
		ts, err := a.APITokens(ctx)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			fmt.Fprintln(stdout, "No tokens. Create one with: asiakassivu token create NAME")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tLAST USED\tREVOKED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, scope(t), stamp(t.CreatedAt), stamp(t.LastUsedAt),
				stamp(t.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		t, err := a.RevokeAPIToken(ctx, rest[0])
		if errors.Is(err, portal.ErrNotFound) {
			return usageError{err: fmt.Errorf("no token in use is named or numbered %q (see: asiakassivu token list)", rest[0])}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Token %d %q revoked.\n", t.ID, t.Name)
	}
	return nil
}

// scope shows what a token may write and read: "all" providers' records,
// or "provider:ID" (the provider's ERP id).
func scope(t store.APIToken) string {
	if t.ProviderID == 0 {
		return "all"
	}
	return "provider:" + t.ProviderRef
}

// stamp shows a time in UTC to the minute, "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}
