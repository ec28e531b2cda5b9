package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"asiakassivu/internal/legacy/legacygen"
	"asiakassivu/internal/store"
)

const goodExport = "../../internal/legacy/testdata/good"

// row returns the summary line of kind k.
func row(out, k string) string {
	m := regexp.MustCompile(`(?m)^` + k + ` .*$`).FindString(out)
	return strings.Join(strings.Fields(m), " ")
}

// TestImportCommand: the command imports, reports per kind, says when a
// re-run changes nothing, writes nothing on a dry run, and exits 0 with
// refused rows (listed as file:line: reason).
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	imp := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"import", "legacy", "--data-dir", dir}, args...), env(nil), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := imp("--dry-run", goodExport)
	if code != 0 || row(out, "customers") != "customers 2 0 0 0" || !strings.Contains(out, "Dry run: nothing was written") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	// Flags may follow the path.
	code, out, errs = imp(goodExport, "--batch", "1")
	if code != 0 || row(out, "invoice_lines") != "invoice_lines 3 0 0 0" || !strings.Contains(out, "as import run 1") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = imp("../../internal/legacy/testdata/good.json")
	if code != 0 || row(out, "customers") != "customers 0 0 2 0" || !strings.Contains(out, "Nothing changed") {
		t.Fatalf("re-import of the JSON form: exit %d\n%s", code, out)
	}
	dir = t.TempDir()
	code, out, _ = imp("../../internal/legacy/testdata/refused/missing-parent")
	if code != 0 || !strings.Contains(out, "  sites.csv:3: unknown customer \"C9\"\n") || row(out, "contracts") != "contracts 1 0 0 1" {
		t.Fatalf("refused rows: exit %d\n%s", code, out)
	}
	code, _, errs = imp("../../internal/legacy/testdata/refused/bom")
	if code != 1 || !strings.Contains(errs, "customers.csv:1: UTF-16 text") {
		t.Fatalf("UTF-16: exit %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{{}, {"a", "b"}} {
		if code, _, errs := imp(args...); code != 2 || !strings.Contains(errs, "want one export file or directory") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	var out2, errb bytes.Buffer
	if code := run(context.Background(), []string{"import", "extranet"}, env(nil), &out2, &errb); code != 2 {
		t.Errorf("import extranet: exit %d", code)
	}
	// PostgreSQL: the portal's key must be given, never made up.
	errb.Reset()
	code = run(context.Background(), []string{"import", "legacy", "--data-dir", t.TempDir(), "--database",
		"postgres://postgres@127.0.0.1:1/none?connect_timeout=1", goodExport}, env(nil), &out2, &errb)
	if code != 2 || !strings.Contains(errb.String(), "--secret-key-file") {
		t.Errorf("postgres without a key: exit %d, stderr %q", code, errb.String())
	}
}

// TestImportSIGKILL is the crash drill: a real import process killed with
// SIGKILL mid-way leaves whole batches only, and running it again
// completes the import.
func TestImportSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports thousands of customers")
	}
	const n, batch = 6000, 250
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "asiakassivu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	export := filepath.Join(tmp, "export")
	os.Mkdir(export, 0o755)
	if err := legacygen.Write(export, n, legacygen.Options{Today: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")
	args := []string{"import", "legacy", "--data-dir", data, "--batch", "250", export}

	cmd := exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill after the third progress line (one a second).
	lines := 0
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), " customers (") {
			if lines++; lines == 3 {
				break
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if lines < 3 {
		t.Fatalf("only %d progress lines before the import ended", lines)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "asiakassivu.db"), serverClock)
	if err != nil {
		t.Fatal(err)
	}
	q := func(query string) int64 {
		var v int64
		if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryInt(ctx, query, &v) }); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	customers := q(`SELECT count(*) FROM customers`)
	if customers == 0 || customers >= n || customers%batch != 0 {
		t.Fatalf("after the kill: %d customers, want a whole number of batches of %d below %d", customers, batch, n)
	}
	// Every imported customer has all its rows, and its digests.
	if bad := q(`SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM sites s WHERE s.customer_id = c.id) <> 1
			OR (SELECT count(*) FROM invoices i WHERE i.customer_id = c.id) <> 12`); bad != 0 {
		t.Errorf("%d customers without all their sites and invoices", bad)
	}
	for query, want := range map[string]int64{
		`SELECT count(*) FROM contracts`:                             customers,
		`SELECT count(*) FROM invoice_lines`:                         24 * customers,
		`SELECT count(*) FROM import_rows WHERE kind = 'customers'`:  customers,
		`SELECT count(*) FROM import_rows WHERE kind = 'invoices'`:   12 * customers,
		`SELECT count(*) FROM import_runs WHERE finished_at IS NULL`: 1,
	} {
		if got := q(query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
	var check string
	if err := db.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
	db.Close()

	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if got, want := row(string(out), "customers"), fmt.Sprintf("customers %d 0 %d 0", n-customers, customers); got != want {
		t.Errorf("re-run: %q, want %q\n%s", got, want, out)
	}
	db, err = store.Open(ctx, filepath.Join(data, "asiakassivu.db"), serverClock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := q(`SELECT count(*) FROM invoice_lines`); got != 24*n {
		t.Errorf("after the re-run: %d lines, want %d", got, 24*n)
	}
}
