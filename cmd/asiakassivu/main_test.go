package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagBeatsEnvironment(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		wantAddr string
		wantBase string
		wantDemo bool
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", "http://localhost:8080", false},
		{"env", nil, map[string]string{"ASIAKASSIVU_ADDR": "127.0.0.1:9000", "ASIAKASSIVU_DEMO": "true"}, "127.0.0.1:9000", "http://localhost:9000", true},
		{"flag wins", []string{"--addr", "127.0.0.1:9001", "--demo=false"}, map[string]string{"ASIAKASSIVU_ADDR": "127.0.0.1:9000", "ASIAKASSIVU_DEMO": "true"}, "127.0.0.1:9001", "http://localhost:9001", false},
		{"every interface", []string{"--addr", ":8080"}, nil, ":8080", "http://localhost:8080", false},
		{"ipv6 loopback", []string{"--addr", "[::1]:8080"}, nil, "[::1]:8080", "http://localhost:8080", false},
		{"other address", []string{"--addr", "192.0.2.7:8080"}, nil, "192.0.2.7:8080", "http://192.0.2.7:8080", false},
		{"base url", []string{"--base-url", "https://asiakassivu.example"}, nil, "127.0.0.1:8080", "https://asiakassivu.example", false},
	}
	for _, c := range cases {
		got, err := parseServe(c.args, env(c.env))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.addr != c.wantAddr || got.base.String() != c.wantBase || got.demo != c.wantDemo {
			t.Errorf("%s: addr %q base %q demo %v", c.name, got.addr, got.base, got.demo)
		}
		if got.secretKeyFile != filepath.Join("./data", "secret.key") {
			t.Errorf("%s: secret key file %q", c.name, got.secretKeyFile)
		}
	}
	got, _ := parseServe([]string{"--data-dir", "/srv/a"}, env(map[string]string{"ASIAKASSIVU_DATA_DIR": "/srv/b"}))
	if got.dataDir != "/srv/a" {
		t.Errorf("data dir %q, want the flag's", got.dataDir)
	}
}

// TestBadUsageExitsTwo: a bad flag, value or unreachable database gives one
// clear line and exit code 2.
func TestBadUsageExitsTwo(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"serve", "--nope"}, nil, "flag provided but not defined"},
		{"bad env value", []string{"serve"}, map[string]string{"ASIAKASSIVU_DEMO": "maybe"}, "ASIAKASSIVU_DEMO"},
		{"bad addr", []string{"serve", "--addr", "localhost"}, nil, "--addr"},
		{"bad base url", []string{"serve", "--base-url", "ftp://x"}, nil, "--base-url"},
		{"unreachable database", []string{"migrate", "--database", "postgres://postgres@127.0.0.1:1/nothing?connect_timeout=2"}, nil, "connect to postgres database"},
		{"unknown command", []string{"launch"}, nil, "unknown command"},
		{"stray argument", []string{"migrate", "extra"}, nil, "unexpected argument"},
		{"negative customers", []string{"demo", "--customers", "-5", "--data-dir", t.TempDir()}, nil, "--customers"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, env(c.env), &out, &errb)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", c.name, code, errb.String())
		}
		if !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s: stderr %q lacks %q", c.name, errb.String(), c.want)
		}
		// An unknown command or flag is followed by the usage; the
		// rest is one line.
		if c.name != "unknown command" && c.name != "unknown flag" && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%s: more than one line on stderr: %q", c.name, errb.String())
		}
	}
}

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, env(nil), &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "asiakassivu ") {
		t.Errorf("version: %d %q", code, out.String())
	}
}

// TestDemoLoadsOnce: demo data goes into an empty database only; a second
// run says so and loads nothing. The sign-ins are printed for the person,
// not logged.
func TestDemoLoadsOnce(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--data-dir", dir}, env(nil), &out, &errb); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "asiakas@demo.example") || strings.Contains(errb.String(), "asiakas@demo.example") {
		t.Errorf("sign-ins must go to stdout only:\nstdout %s\nstderr %s", out.String(), errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"demo", "--data-dir", dir}, env(nil), &out, &errb); code != 0 {
		t.Fatalf("second demo: exit %d", code)
	}
	if !strings.Contains(out.String(), "already holds data") {
		t.Errorf("second demo: %q", out.String())
	}
}

// TestMigrateTogether: two instances migrating one PostgreSQL database at
// once both succeed (goose's advisory lock makes them take turns).
func TestMigrateTogether(t *testing.T) {
	dsn := storetest.EmptyPostgres(t)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	errs := make([]bytes.Buffer, 2)
	for i := range 2 {
		wg.Go(func() {
			var out bytes.Buffer
			codes[i] = run(context.Background(), []string{"migrate", "--database", dsn}, env(nil), &out, &errs[i])
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("instance %d: exit %d\n%s", i, c, errs[i].String())
		}
	}
}
