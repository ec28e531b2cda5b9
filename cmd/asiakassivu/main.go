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
// variable. "asiakassivu help CMD" or "asiakassivu CMD --help" lists a
// command's flags with their defaults and variables.
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

// run executes one subcommand and returns the process exit code: 0 on
// success, 1 on a failure while running, 2 on bad usage or an unreachable
// database.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, overview())
		return 2
	}
	name, rest := args[0], args[1:]
	if isHelp(name) {
		if len(rest) == 0 {
			fmt.Fprint(stdout, overview())
			return 0
		}
		// "asiakassivu help serve" is "asiakassivu serve --help".
		name, rest = rest[0], []string{"--help"}
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "asiakassivu: unknown command %q\n\n%s", name, overview())
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	err := cmd.run(ctx, rest, getenv, stdout, stderr, log)
	var ue usageError
	var he helpError
	var se startError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &he):
		printUsage(stdout, he.fs)
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", name, oneLine(ue.err))
		if ue.fs != nil {
			// A flag the command does not know: show the ones it does.
			fmt.Fprintln(stderr)
			printUsage(stderr, ue.fs)
		}
		return 2
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", name, oneLine(se.err))
		return 2
	default:
		fmt.Fprintf(stderr, "asiakassivu %s: %s\n", name, oneLine(err))
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
