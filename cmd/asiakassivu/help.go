package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// command is one subcommand of asiakassivu: what the overview says of it
// and the function that runs it. Every command answers --help with its
// flags (TestEveryCommandHelps ranges over this table).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, log *slog.Logger) error
}

// commands lists the subcommands in the order the overview shows them.
func commands() []command {
	return []command{
		{"serve", "run the portal (migrates the database first)",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return serve(ctx, args, getenv, stdout, log)
			}},
		{"migrate", "bring the database schema up to date and exit",
			func(ctx context.Context, args []string, getenv func(string) string, _, _ io.Writer, log *slog.Logger) error {
				return migrate(ctx, args, getenv, log)
			}},
		{"demo", "load the demo data into an empty database, or --customers N synthetic customers", demoCmd},
		{"rules", "set a household-deduction rule: rules set --year Y --work-type T --rate-bp N --max-cents N --omavastuu-cents N",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return rulesCmd(ctx, args, getenv, stdout, log)
			}},
		{"deduction", "write the yearly household-deduction report: deduction export --year Y --out DIR",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return deductionCmd(ctx, args, getenv, stdout, log)
			}},
		{"import", "import the old extranet's export: import legacy [--dry-run] FILE|DIR (docs/legacy-import.md)", importCmd},
		{"policy", "change the chain policies: policy set [--cancel-deadline-days N] [--legacy-retirement YYYY-MM-DD] …",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return policyCmd(ctx, args, getenv, stdout, log)
			}},
		{"token", "bearer tokens of the ERP sync API: token create NAME [--provider ID] | token list | token revoke NAME|ID",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return tokenCmd(ctx, args, getenv, stdout, log)
			}},
		{"backup", "copy the live SQLite database while the server runs: backup --out FILE [--overwrite]",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return backupCmd(ctx, args, getenv, stdout, log)
			}},
		{"admin", "chain admins: admin create EMAIL (the address must have signed up first)",
			func(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, log *slog.Logger) error {
				return adminCmd(ctx, args, getenv, stdout, log)
			}},
		{"version", "print the version", versionCmd},
	}
}

// overview is the usage of the program as a whole.
func overview() string {
	var b strings.Builder
	b.WriteString("Käyttö / usage: asiakassivu <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nEvery flag can also be set as an environment variable ASIAKASSIVU_<NAME>\n" +
		"(--data-dir → ASIAKASSIVU_DATA_DIR); a flag beats the variable.\n" +
		"Run \"asiakassivu help <command>\" or \"asiakassivu <command> --help\" for the flags of a command.\n")
	return b.String()
}

// synopsis is the usage line of a flag set, by its name: the command and
// the arguments it takes besides the flags.
func synopsis(name string) string {
	switch name {
	case "import legacy":
		return "import legacy [flags] FILE|DIR"
	case "token":
		return "token create NAME [--provider ID] [flags] | token list [flags] | token revoke NAME|ID [flags]"
	case "token create":
		return "token create NAME [flags]"
	case "token revoke":
		return "token revoke NAME|ID [flags]"
	case "admin create":
		return "admin create EMAIL [flags]"
	}
	return name + " [flags]"
}

// isHelp reports whether an argument asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// helpFor lets "CMD --help" of a command that takes a subcommand show the
// flags of that subcommand (sub), as "CMD sub --help" does.
func helpFor(args []string, sub string) []string {
	if len(args) > 0 && isHelp(args[0]) {
		return []string{sub, "--help"}
	}
	return args
}

// helpError is a request for a flag set's help (-h or --help): its usage
// goes to stdout and the exit code is 0.
type helpError struct{ fs *flag.FlagSet }

func (e helpError) Error() string { return flag.ErrHelp.Error() }
func (e helpError) Unwrap() error { return flag.ErrHelp }

// printUsage writes a flag set's usage: the synopsis, then every flag with
// its default and the environment variable that also sets it.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprintf(w, "Usage: asiakassivu %s\n", fs.Name())
	} else {
		fmt.Fprintf(w, "Usage: asiakassivu %s\n", synopsis(fs.Name()))
	}
	name, _, _ := strings.Cut(fs.Name(), " ")
	for _, c := range commands() {
		if c.name == name {
			fmt.Fprintf(w, "\n%s\n", strings.ToUpper(c.summary[:1])+c.summary[1:]+".")
		}
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\nFlags (each also an environment variable; a flag beats the variable):\n")
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "        %s\n", text)
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			fmt.Fprintf(w, "        default: %s\n", d)
		}
		fmt.Fprintf(w, "        env: %s\n", envName(f.Name))
	})
}

// versionCmd prints the version.
func versionCmd(_ context.Context, args []string, getenv func(string) string, stdout, _ io.Writer, _ *slog.Logger) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "asiakassivu", version())
	return nil
}
