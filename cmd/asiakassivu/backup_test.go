package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asiakassivu/internal/store"
)

// TestBackupCommand: the demo database is copied, checked and its rows
// reported; the copy has the source's counts; an existing file is refused
// unless --overwrite is given; usage mistakes exit 2 with one line.
func TestBackupCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"demo", "--data-dir", dir}, env(nil), &out, &errb); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errb.String())
	}
	file := filepath.Join(t.TempDir(), "varmuuskopio.db")
	out.Reset()
	if code := run(ctx, []string{"backup", "--data-dir", dir, "--out", file}, env(nil), &out, &errb); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"Backup written to " + file, "integrity check ok", "messages", "secret.key"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	live, err := store.CheckFile(ctx, filepath.Join(dir, "asiakassivu.db"))
	if err != nil {
		t.Fatal(err)
	}
	copied, err := store.CheckFile(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if !copied.OK() {
		t.Errorf("copy: %+v", copied)
	}
	for i, c := range copied.Counts {
		if c != live.Counts[i] {
			t.Errorf("%s: got %d rows in the copy, want %d", c.Table, c.Rows, live.Counts[i].Rows)
		}
		if c.Table == "messages" && c.Rows == 0 {
			t.Error("the demo copy has no messages")
		}
	}

	// Once more to the same file: refused, then replaced on request.
	errb.Reset()
	if code := run(ctx, []string{"backup", "--data-dir", dir, "--out", file}, env(nil), &out, &errb); code != 2 || !strings.Contains(errb.String(), "--overwrite") {
		t.Errorf("second backup: exit %d, %q; want 2 and a hint of --overwrite", code, errb.String())
	}
	if code := run(ctx, []string{"backup", "--data-dir", dir, "--out", file, "--overwrite"}, env(nil), &out, &errb); code != 0 {
		t.Errorf("backup --overwrite: exit %d\n%s", code, errb.String())
	}

	empty := t.TempDir()
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"no out", []string{"backup", "--data-dir", dir}, []string{"--out"}},
		{"no database", []string{"backup", "--data-dir", empty, "--out", filepath.Join(empty, "b.db")}, []string{"no database at"}},
		{"postgres", []string{"backup", "--database", "postgres://portal:s3cret@db.example:5432/asiakassivu?sslmode=require", "--out", "x.dump"},
			[]string{"pg_dump --format=custom --file=x.dump", "postgres://portal@db.example:5432/asiakassivu?sslmode=require", "pg_restore"}},
	}
	for _, c := range cases {
		out.Reset()
		errb.Reset()
		code := run(ctx, c.args, env(nil), &out, &errb)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", c.name, code, errb.String())
		}
		for _, w := range c.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, errb.String(), w)
			}
		}
		if strings.Contains(errb.String(), "s3cret") {
			t.Errorf("%s: stderr shows the password: %q", c.name, errb.String())
		}
		if strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%s: more than one line on stderr: %q", c.name, errb.String())
		}
	}
	// A backup of a database that is not there creates nothing.
	if _, err := os.Stat(filepath.Join(empty, "asiakassivu.db")); err == nil {
		t.Error("backup created an empty database")
	}
}
