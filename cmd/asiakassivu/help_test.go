package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// invocations names every command of the table with its subcommands, as
// a person types them before the flags. TestEveryCommandHelps fails when
// a command is missing here.
var invocations = [][]string{
	{"serve"}, {"migrate"}, {"demo"}, {"rules", "set"}, {"deduction", "export"}, {"import", "legacy"},
	{"policy", "set"}, {"token", "create"}, {"token", "list"}, {"token", "revoke"}, {"backup"},
	{"admin", "create"}, {"version"},
}

// TestEveryCommandHelps: "CMD --help", "CMD -h", "help CMD" and, for
// commands with subcommands, "CMD SUB --help" print to stdout the usage
// line and every flag with its environment variable, and exit 0; an
// unknown flag prints the error and the usage to stderr and exits 2.
func TestEveryCommandHelps(t *testing.T) {
	for _, c := range commands() {
		if !slices.ContainsFunc(invocations, func(inv []string) bool { return inv[0] == c.name }) {
			t.Errorf("command %q has no case in invocations", c.name)
		}
	}
	flagLine := regexp.MustCompile(`(?m)^  --([a-z-]+)`)
	envLine := regexp.MustCompile(`(?m)^        env: (ASIAKASSIVU_[A-Z_]+)$`)
	for _, inv := range invocations {
		forms := [][]string{
			append(slices.Clone(inv), "--help"),
			append(slices.Clone(inv), "-h"),
			{inv[0], "--help"},
			{"help", inv[0]},
		}
		for _, args := range forms {
			name := strings.Join(args, " ")
			var out, errb bytes.Buffer
			code := run(context.Background(), args, env(nil), &out, &errb)
			if code != 0 || errb.Len() != 0 {
				t.Errorf("%s: exit %d, stderr %q; want 0 and nothing", name, code, errb.String())
				continue
			}
			text := out.String()
			if !strings.HasPrefix(text, "Usage: asiakassivu "+inv[0]) {
				t.Errorf("%s: stdout does not begin with the usage line:\n%s", name, text)
			}
			flags := flagLine.FindAllStringSubmatch(text, -1)
			envs := envLine.FindAllStringSubmatch(text, -1)
			if inv[0] != "version" && len(flags) == 0 {
				t.Errorf("%s: no flags listed:\n%s", name, text)
			}
			if len(flags) != len(envs) {
				t.Errorf("%s: %d flags but %d environment variables:\n%s", name, len(flags), len(envs), text)
				continue
			}
			for i := range flags {
				if want := envName(flags[i][1]); envs[i][1] != want {
					t.Errorf("%s: --%s listed with %s, want %s", name, flags[i][1], envs[i][1], want)
				}
			}
		}

		args := append(slices.Clone(inv), "--no-such-flag")
		var out, errb bytes.Buffer
		code := run(context.Background(), args, env(nil), &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "flag provided but not defined: -no-such-flag") ||
			!strings.Contains(errb.String(), "\nUsage: asiakassivu "+strings.Join(inv, " ")) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2, the error and the usage on stderr", strings.Join(args, " "), code,
				out.String(), errb.String())
		}
	}
}

// TestServeHelpShowsDefaults: serve's help names each flag's default and
// variable, and the overview (--help, help) goes to stdout with exit 0
// while no command at all is bad usage (stderr, 2).
func TestServeHelpShowsDefaults(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, env(nil), &out, &errb); code != 0 {
		t.Fatalf("serve --help: exit %d", code)
	}
	for _, want := range []string{
		"  --addr string\n        address to listen on\n        default: 127.0.0.1:8080\n        env: ASIAKASSIVU_ADDR\n",
		"  --data-dir string\n", "default: ./data\n        env: ASIAKASSIVU_DATA_DIR\n",
		"  --mail-from string\n", "default: Asiakassivu <noreply@localhost>\n        env: ASIAKASSIVU_MAIL_FROM\n",
		"  --dev\n", "env: ASIAKASSIVU_DEV\n",
		"  --trusted-proxy CIDR[,CIDR]\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out.String())
		}
	}
	// A bad variable does not keep the help from being shown.
	out.Reset()
	if code := run(context.Background(), []string{"serve", "-h"}, env(map[string]string{"ASIAKASSIVU_DEMO": "maybe"}), &out, &errb); code != 0 || !strings.Contains(out.String(), "--demo") {
		t.Errorf("serve -h with a bad ASIAKASSIVU_DEMO: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out.Reset()
		errb.Reset()
		code := run(context.Background(), args, env(nil), &out, &errb)
		if code != 0 || errb.Len() != 0 || !strings.Contains(out.String(), "  serve ") || !strings.Contains(out.String(), "ASIAKASSIVU_") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), nil, env(nil), &out, &errb); code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "Commands:") {
		t.Errorf("no command: exit %d, stdout %q, stderr %q; want 2 and the overview on stderr", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"help", "launch"}, env(nil), &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown command "launch"`) {
		t.Errorf("help launch: exit %d, stderr %q", code, errb.String())
	}
}
