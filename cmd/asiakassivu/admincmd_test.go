package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// TestAdminCreate: an address with a verified account becomes a chain
// admin (once; again is no error); an address without one gets a message
// to sign up first and exit 2, as does bad use.
func TestAdminCreate(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--data-dir", dir), env(nil), &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, bad := range [][]string{{"admin"}, {"admin", "create"}, {"admin", "remove", "a@example.fi"}, {"admin", "create", "a", "b"},
		{"admin", "create", "ei-osoite"}} {
		if code, _, errs := cmd(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errs)
		}
	}
	code, _, errs := cmd("admin", "create", "paivi@ketju.example")
	if code != 2 || !strings.Contains(errs, "sign up in the portal") || !strings.Contains(errs, "/luo-tili") {
		t.Errorf("no account: exit %d, %q", code, errs)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "asiakassivu.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	err = db.Write(ctx, func(tx *store.Tx) error {
		// An unverified claim does not count.
		if _, err := tx.CreateAccount(ctx, portal.Account{Email: "pending@ketju.example", PasswordHash: "x"}); err != nil {
			return err
		}
		id, err = tx.CreateAccount(ctx, portal.Account{Email: "Paivi@Ketju.example", PasswordHash: "x", VerifiedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := cmd("admin", "create", "pending@ketju.example"); code != 2 {
		t.Errorf("unverified account: exit %d, want 2", code)
	}
	code, out, errs := cmd("admin", "create", "paivi@ketju.example")
	if code != 0 || !strings.Contains(out, "is now a chain admin") {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	if code, out, _ := cmd("admin", "create", "PAIVI@ketju.example"); code != 0 || !strings.Contains(out, "already") {
		t.Errorf("again: %d %s", code, out)
	}
	db.Read(ctx, func(tx *store.Tx) error {
		role, _, err := tx.AccountRole(ctx, id)
		if err != nil || role != portal.RoleAdmin {
			t.Errorf("role %s, %v", role, err)
		}
		var n int64
		tx.QueryInt(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.create' AND actor_role = 'operator'`, &n)
		if n != 1 {
			t.Errorf("admin.create audited %d times", n)
		}
		return nil
	})
}
