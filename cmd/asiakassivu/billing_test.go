package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesSetAndDeductionExport(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, bad := range [][]string{
		{"rules"},
		{"rules", "set", "--data-dir", dir, "--year", "2027", "--work-type", "household", "--rate-bp", "10001", "--max-cents", "1", "--omavastuu-cents", "0"},
		{"rules", "set", "--data-dir", dir, "--year", "2027", "--rate-bp", "3500", "--max-cents", "160000", "--omavastuu-cents", "15000"},
		{"rules", "set", "--data-dir", dir, "--year", "2027", "--work-type", "household", "--rate-bp", "3500", "--omavastuu-cents", "15000"},
		{"deduction", "export", "--data-dir", dir, "--year", "2025"},
		{"deduction", "export", "--data-dir", dir, "--year", "1999", "--out", dir},
	} {
		var out, errb bytes.Buffer
		if code := run(ctx, bad, env(nil), &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"rules", "set", "--data-dir", dir, "--year", "2027", "--work-type", "household", "--rate-bp", "3500",
		"--max-cents", "160000", "--omavastuu-cents", "15000"}, env(nil), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "Rule 2027 household") {
		t.Fatalf("rules set: %d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	exportDir := filepath.Join(dir, "out")
	code = run(ctx, []string{"deduction", "export", "--data-dir", dir, "--year", "2025", "--out", exportDir}, env(nil), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "sha256") {
		t.Fatalf("export: %d %s %s", code, out.String(), errb.String())
	}
	files, _ := os.ReadDir(exportDir)
	if len(files) != 2 {
		t.Errorf("files %v", files)
	}
}

func TestPolicySet(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, bad := range [][]string{
		{"policy"},
		{"policy", "set", "--data-dir", dir, "--legacy-retirement", "31.3.2025x"},
		{"policy", "set", "--data-dir", dir, "--legacy-retirement", "2024-01-01"},
		{"policy", "set", "--data-dir", dir, "--cancel-deadline-days", "61"},
		{"policy", "set", "--data-dir", dir, "--order-service-url", "javascript:alert(1)"},
		{"policy", "set", "--data-dir", dir, "--customer-service-phone", "soita"},
		{"policy", "set", "--data-dir", dir, "--customer-service-email", "ei osoite"},
	} {
		var out, errb bytes.Buffer
		if code := run(ctx, bad, env(nil), &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"policy", "set", "--data-dir", dir, "--legacy-retirement", "2026-01-01", "--cancel-deadline-days", "3"},
		env(nil), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "until 2026-01-01") || !strings.Contains(out.String(), "until 3 days") {
		t.Fatalf("policy set: %d %s %s", code, out.String(), errb.String())
	}
	// Flags not given stay as they were.
	out.Reset()
	code = run(ctx, []string{"policy", "set", "--data-dir", dir, "--late-fee-percent", "50"}, env(nil), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "3 days before, then 50 %") || !strings.Contains(out.String(), "2024-11-26, until 2026-01-01") {
		t.Fatalf("second policy set: %d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	code = run(ctx, []string{"policy", "set", "--data-dir", dir, "--customer-service-phone", "010 555 1234", "--customer-service-email", "palvelu@ketju.example"}, env(nil), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), `customer service "010 555 1234" "palvelu@ketju.example"`) || !strings.Contains(out.String(), "then 50 %") {
		t.Fatalf("customer service: %d %s %s", code, out.String(), errb.String())
	}
}
