package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// TestTokenCommands: create prints a ≥128-bit token once and stores only
// its SHA-256; list shows it without the secret; revoke by name or id
// ends it; bad use exits 2.
func TestTokenCommands(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--data-dir", dir), env(nil), &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, bad := range [][]string{{"token"}, {"token", "create"}, {"token", "create", "a b"}, {"token", "create", "123"},
		{"token", "frobnicate", "x"}, {"token", "revoke", "nobody"}, {"token", "list", "extra"}} {
		if code, _, errs := cmd(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errs)
		}
	}
	code, out, errs := cmd("token", "create", "erp-prod")
	if code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	token := regexp.MustCompile(`asv1_[A-Za-z0-9_-]{43}`).FindString(out)
	if token == "" {
		t.Fatalf("create printed no token: %s", out)
	}
	if strings.Contains(errs, token) {
		t.Error("the token went to the log")
	}
	if code, _, _ := cmd("token", "create", "erp-prod"); code != 2 {
		t.Errorf("a second token of the same name: exit %d, want 2", code)
	}
	if code, _, _ := cmd("token", "create", "erp-test"); code != 0 {
		t.Fatalf("create erp-test: %d", code)
	}
	code, out, _ = cmd("token", "list")
	if code != 0 || !strings.Contains(out, "erp-prod") || !strings.Contains(out, "erp-test") || strings.Contains(out, token) {
		t.Errorf("list: %d\n%s", code, out)
	}

	db, err := store.Open(ctx, filepath.Join(dir, "asiakassivu.db"), serverClock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum := sha256.Sum256([]byte(token))
	var n int64
	db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryInt(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = $1 AND name = 'erp-prod'`, &n, sum[:])
	})
	if n != 1 {
		t.Errorf("rows with the token's SHA-256: %d, want 1", n)
	}
	a := app.New(db, nil, nil)
	if in, err := a.AuthenticateIntegration(ctx, token); err != nil || in.Name != "erp-prod" {
		t.Fatalf("token before revoke: %+v %v", in, err)
	}
	if code, out, errs := cmd("token", "revoke", "erp-prod"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if _, err := a.AuthenticateIntegration(ctx, token); !errors.Is(err, portal.ErrUnauthenticated) {
		t.Errorf("revoked token: %v, want unauthenticated", err)
	}
	if code, _, _ := cmd("token", "revoke", "erp-prod"); code != 2 {
		t.Errorf("revoking again: exit %d, want 2", code)
	}
	// By id; and a revoked name may be issued again.
	ts, _ := a.APITokens(ctx)
	if code, _, errs := cmd("token", "revoke", "2"); code != 0 || len(ts) != 2 || ts[1].Name != "erp-test" {
		t.Errorf("revoke by id: %d %s %+v", code, errs, ts)
	}
	if code, _, _ := cmd("token", "create", "erp-prod"); code != 0 {
		t.Errorf("re-creating a revoked name: exit %d", code)
	}
	code, out, _ = cmd("token", "list")
	if code != 0 || strings.Count(out, "erp-prod") != 2 {
		t.Errorf("list after revoke: %d\n%s", code, out)
	}
}

// TestTokenProviderScope: "token create NAME --provider ID" limits a token
// to one provider of the portal (an unknown one is bad use), and "token
// list" shows every token's scope.
func TestTokenProviderScope(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--data-dir", dir), env(nil), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, errs := cmd("migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "asiakassivu.db"), serverClock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.UpsertProvider(ctx, portal.Provider{Source: app.ERPSource, ExternalID: "kotikulma-01", Name: "Kotikulma Oy", Active: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cmd("token", "create", "erp-nobody", "--provider", "ei-ole"); code != 2 {
		t.Errorf("unknown provider: exit %d, want 2 (%s)", code, errs)
	}
	code, out, errs := cmd("token", "create", "erp-kotikulma", "--provider", "kotikulma-01")
	if code != 0 || !strings.Contains(out, "kotikulma-01") {
		t.Fatalf("create scoped: %d %s %s", code, out, errs)
	}
	token := regexp.MustCompile(`asv1_[A-Za-z0-9_-]{43}`).FindString(out)
	a := app.New(db, nil, nil)
	if in, err := a.AuthenticateIntegration(ctx, token); err != nil || in.ProviderRef != "kotikulma-01" || in.ProviderID == 0 {
		t.Errorf("scoped token authenticates as %+v %v", in, err)
	}
	if code, _, errs := cmd("token", "create", "erp-all"); code != 0 {
		t.Fatalf("create all: %d %s", code, errs)
	}
	code, out, _ = cmd("token", "list")
	scopes := map[string]string{}
	for _, line := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 3 {
			scopes[f[1]] = f[2]
		}
	}
	if code != 0 || !strings.Contains(out, "SCOPE") || scopes["erp-kotikulma"] != "provider:kotikulma-01" || scopes["erp-all"] != "all" {
		t.Errorf("list: %d %v\n%s", code, scopes, out)
	}
}
