package app

import (
	"context"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestSessionPasswordChecksCountHashes: 25 wrong passwords typed inside a
// session, from different addresses and through every check that asks
// for it, compute only the first few hashes; after the wait the right one
// is checked again.
func TestSessionPasswordChecksCountHashes(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		v := w.signIn(t, "matti@example.fi")
		checks := []func(c Client) error{
			func(c Client) error { return w.app.Reauthenticate(ctx, v, "väärä", c) },
			func(c Client) error { return w.app.ChangePassword(ctx, v, "väärä", "uusi-pitka-salasana-42", c) },
			func(c Client) error { return w.app.DeleteAccount(ctx, v, "väärä", c) },
		}
		before := w.hashes.Load()
		for i := range 25 {
			c := Client{IP: "192.0.2." + string(rune('1'+i%9))} // a stolen session moves between addresses
			if err := checks[i%len(checks)](c); err == nil {
				t.Fatal("a wrong password was accepted")
			}
		}
		// ChangePassword hashes no new password when the current one is wrong.
		if n := w.hashes.Load() - before; n > 6 {
			t.Errorf("25 wrong passwords computed %d hashes, want at most 6", n)
		}
		if err := w.app.Reauthenticate(ctx, v, "oikea-salasana-123", client); err == nil {
			t.Error("the right password was checked while blocked")
		}
		clock.Advance(time.Minute)
		if err := w.app.Reauthenticate(ctx, v, "oikea-salasana-123", client); err != nil {
			t.Errorf("the right password after the wait: %v", err)
		}
	})
}
