// Command asiakassivu runs the customer portal and its maintenance tasks.
//
//	asiakassivu serve [flags]      run the portal (migrates first)
//	asiakassivu migrate [flags]    bring the database schema up to date
//	asiakassivu demo [flags]       load demo data, or --customers N synthetic ones
//	asiakassivu rules set [flags]  set a household-deduction rule
//	asiakassivu deduction export [flags]  write the yearly deduction report
//	asiakassivu import legacy [flags] FILE|DIR  import the old extranet's export
//	asiakassivu token create NAME  issue a sync API token (also: token list, token revoke NAME|ID)
//	asiakassivu backup --out FILE  copy the live SQLite database (PostgreSQL: pg_dump)
//	asiakassivu admin create EMAIL make a signed-up account a chain admin
//	asiakassivu version            print the version
//
// Every flag can also be given as an environment variable
// ASIAKASSIVU_<NAME> (--data-dir → ASIAKASSIVU_DATA_DIR); a flag beats the
// variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `Käyttö / usage: asiakassivu <command> [flags]

Commands:
  serve     run the portal (migrates the database first)
  migrate   bring the database schema up to date
  demo      load the demo data into an empty database, or --customers N synthetic customers
  rules     set a household-deduction rule: rules set --year Y --work-type T --rate-bp N --max-cents N --omavastuu-cents N
  deduction export the yearly household-deduction report: deduction export --year Y --out DIR
  import    import the old extranet's export: import legacy [--dry-run] FILE|DIR (docs/legacy-import.md)
  policy    change the chain policies: policy set [--cancel-deadline-days N] [--legacy-retirement YYYY-MM-DD] …
  token     bearer tokens of the ERP sync API: token create NAME [--provider ID] | token list | token revoke NAME|ID
  backup    copy the live SQLite database while the server runs: backup --out FILE [--overwrite]
  admin     chain admins: admin create EMAIL (the address must have signed up first)
  version   print the version

Run "asiakassivu <command> -h" for the flags of a command.
`

// run executes one subcommand and returns the process exit code: 0 on
// success, 1 on a failure while running, 2 on bad usage or an unreachable
// database.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], getenv, stdout, log)
	case "migrate":
		err = migrate(ctx, args[1:], getenv, log)
	case "demo":
		err = demoCmd(ctx, args[1:], getenv, stdout, stderr, log)
	case "rules":
		err = rulesCmd(ctx, args[1:], getenv, stdout, log)
	case "deduction":
		err = deductionCmd(ctx, args[1:], getenv, stdout, log)
	case "import":
		err = importCmd(ctx, args[1:], getenv, stdout, stderr, log)
	case "policy":
		err = policyCmd(ctx, args[1:], getenv, stdout, log)
	case "token":
		err = tokenCmd(ctx, args[1:], getenv, stdout, log)
	case "backup":
		err = backupCmd(ctx, args[1:], getenv, stdout, log)
	case "admin":
		err = adminCmd(ctx, args[1:], getenv, stdout, log)
	case "version":
		fmt.Fprintln(stdout, "asiakassivu", version())
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "asiakassivu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	var se startError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", args[0], oneLine(ue.err))
		return 2
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", args[0], oneLine(se.err))
		return 2
	default:
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", args[0], oneLine(err))
		return 1
	}
}

// startError is a failure to reach what the command needs (the database):
// one line, exit code 2.
type startError struct{ err error }

func (e startError) Error() string { return e.err.Error() }
func (e startError) Unwrap() error { return e.err }

// version is the module version, or the VCS revision of a source build.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return "devel"
}

// oneLine folds a multi-line error (pgx lists every address it tried) into
// the one line a person reads at the terminal.
func oneLine(err error) string {
	lines := strings.FieldsFunc(err.Error(), func(r rune) bool { return r == '\n' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}
