package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestTOTPWithClock: the authenticator app's codes against an injected
// clock — the current step and its neighbours work, older ones do not,
// and no code works twice; recovery codes work once each.
func TestTOTPWithClock(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Set(t0)
		w := newWorld(t, db, clock)
		sealer, err := NewSealer(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		w.app.sealer = sealer
		w.app.mailer = &recMailer{}
		v := w.signIn(t, "staff@example.fi")
		if !v.NeedsSecondFactor() {
			t.Fatal("staff signed in with a password alone needs no second factor")
		}
		if c := w.signIn(t, "maija@example.fi"); c.NeedsSecondFactor() {
			t.Error("a customer needs a second factor")
		}
		setup, err := w.app.StartTOTP(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := portal.ParseTOTPSecret(setup.Secret)
		if err != nil {
			t.Fatal(err)
		}
		code := func(at time.Time) string { return portal.TOTPCode(secret, portal.TOTPStep(at)) }
		// Codes two steps off are refused even at confirmation.
		if _, err := w.app.ConfirmTOTP(ctx, v, code(t0.Add(-61*time.Second))); !errors.Is(err, ErrSecondFactor) {
			t.Errorf("code of two steps ago: %v", err)
		}
		recovery, err := w.app.ConfirmTOTP(ctx, v, code(t0.Add(30*time.Second))) // the phone runs a step ahead
		if err != nil || len(recovery) != RecoveryCodeCount {
			t.Fatalf("confirm: %v, %d recovery codes", err, len(recovery))
		}
		if v, _ = w.app.authenticateAgain(ctx, v); v.NeedsSecondFactor() {
			t.Error("the session still needs its second factor after the first code")
		}
		if _, err := w.app.StartTOTP(ctx, v); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("a new secret over a confirmed one: %v", err)
		}
		// Next sign-in: the step already used (and the one before it) are
		// refused; the next step works.
		v2 := w.signIn(t, "staff@example.fi")
		for _, at := range []time.Time{t0.Add(30 * time.Second), t0} {
			if err := w.app.SecondFactor(ctx, v2, code(at)); !errors.Is(err, ErrSecondFactor) {
				t.Errorf("code of %v again: %v", at, err)
			}
		}
		clock.Set(t0.Add(time.Minute))
		if err := w.app.SecondFactor(ctx, v2, code(t0.Add(time.Minute))); err != nil {
			t.Errorf("next step's code: %v", err)
		}
		// Recovery codes: once each, written in any case and with spaces.
		v3 := w.signIn(t, "staff@example.fi")
		if err := w.app.SecondFactor(ctx, v3, " "+recovery[3]+" "); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		v4 := w.signIn(t, "staff@example.fi")
		if err := w.app.SecondFactor(ctx, v4, recovery[3]); !errors.Is(err, ErrSecondFactor) {
			t.Errorf("recovery code twice: %v", err)
		}
		if m, _ := w.app.MFAState(ctx, v4); !m.TOTP || m.RecoveryLeft != RecoveryCodeCount-1 {
			t.Errorf("state %+v", m)
		}
		// Guessing is slowed down.
		throttled := false
		for range 12 {
			if _, ok := IsThrottled(w.app.SecondFactor(ctx, v4, "123456")); ok {
				throttled = true
				break
			}
		}
		if !throttled {
			t.Error("twelve wrong codes were never throttled")
		}
	})
}

// TestResetStaffSecondFactor: the admin's way back for staff who lost the
// phone and the codes: the second factors go, the sessions end, and the
// next sign-in sets a new one up. Audited; another provider's staff id is
// not found.
func TestResetStaffSecondFactor(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Set(t0)
		w := newWorld(t, db, clock)
		sealer, _ := NewSealer(make([]byte, 32))
		w.app.sealer = sealer
		mails := &recMailer{}
		w.app.mailer = mails
		staff := w.signIn(t, "staff@example.fi")
		setup, err := w.app.StartTOTP(ctx, staff)
		if err != nil {
			t.Fatal(err)
		}
		secret, _ := portal.ParseTOTPSecret(setup.Secret)
		if _, err := w.app.ConfirmTOTP(ctx, staff, portal.TOTPCode(secret, portal.TOTPStep(t0))); err != nil {
			t.Fatal(err)
		}
		admin := w.signIn(t, "admin@example.fi")
		admin.SecondFactor = true
		var staffID int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT id FROM provider_staff WHERE account_id = $1`, &staffID, staff.AccountID)
		})
		if err := w.app.ResetStaffSecondFactor(ctx, admin, w.providers["B"], staffID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("staff id under the wrong provider: %v", err)
		}
		if err := w.app.ResetStaffSecondFactor(ctx, admin, w.providers["A"], staffID); err != nil {
			t.Fatal(err)
		}
		if m, _ := w.app.MFAState(ctx, staff); m.Any() || m.RecoveryLeft != 0 {
			t.Errorf("after the reset: %+v", m)
		}
		if _, err := w.app.authenticateAgain(ctx, staff); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("the staff member's session survived the reset: %v", err)
		}
		if n := auditCount(t, db, "staff.mfa_reset"); n != 1 {
			t.Errorf("audited %d times", n)
		}
		// The staff member is told, as of any factor removed.
		if m := mails.last(t, "factor_removed_notice", "staff@example.fi"); m.data["factor"] != "all" {
			t.Errorf("reset notice: %+v", m)
		}
		if v := w.signIn(t, "staff@example.fi"); !v.NeedsSecondFactor() {
			t.Error("after the reset a password alone is enough")
		}
	})
}
