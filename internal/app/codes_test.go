package app

import (
	"context"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestLegacySignUpSharesAddressQuota: a sign-up through the old extranet's
// credentials is a sign-up like any: it takes a code from the address's
// quota, and an hour later another goes through.
func TestLegacySignUpSharesAddressQuota(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		w, m, _ := legacyWorld(t, db, clock)
		for i := range codeMailsPerAddressHour {
			ticket, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client); err != nil {
				t.Fatalf("legacy sign-up %d: %v", i+1, err)
			}
		}
		ticket, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client); err == nil {
			t.Fatal("6th legacy sign-up in an hour passed")
		} else if th, ok := IsThrottled(err); !ok || th.RetryAfter != time.Hour {
			t.Fatalf("6th legacy sign-up: %v, want a wait of an hour", err)
		}
		if n := m.count("signup_code"); n != codeMailsPerAddressHour {
			t.Errorf("codes: %d, want %d", n, codeMailsPerAddressHour)
		}
		clock.Advance(time.Hour)
		if ticket, err = w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client); err != nil {
			t.Errorf("legacy sign-up an hour later: %v", err)
		}
	})
}
