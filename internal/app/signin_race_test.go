package app

import (
	"context"
	"errors"
	"sync"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestSignInFailuresCountedAtomically: the block check and the count of a
// sign-in attempt are one step, so 40 wrong passwords sent at once for one
// account from one IP check no more passwords than the same 40 sent one
// after another: the free failures and the one that sets the block.
func TestSignInFailuresCountedAtomically(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		w.hashes.Store(0)
		attacker := Client{IP: "203.0.113.40"}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Go(func() {
				_, _, err := w.app.SignIn(ctx, "matti@example.fi", "arvaus-numero", attacker)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		var wrong, throttled int
		for err := range errs {
			switch {
			case errors.Is(err, portal.ErrUnauthenticated):
				wrong++
			case isThrottled(err):
				throttled++
			default:
				t.Errorf("sign-in: %v", err)
			}
		}
		if n, most := w.hashes.Load(), int64(freeFailuresPerAccountIP+1); n > most {
			t.Errorf("40 parallel wrong sign-ins checked %d passwords (%d wrong, %d throttled), at most %d allowed",
				n, wrong, throttled, most)
		}
		// Right after, the owner's password from that IP is blocked too.
		if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", attacker); !isThrottled(err) {
			t.Errorf("after the burst: %v", err)
		}
		// Right and wrong passwords at once from one IP: successes take
		// their count back while failures are counted, and neither waits
		// for the other for ever (each locks the IP's counter first).
		office := Client{IP: "198.51.100.40"}
		var mixed sync.WaitGroup
		for i := range 20 {
			mixed.Go(func() {
				pw := "arvaus-numero"
				if i%2 == 0 {
					pw = "oikea-salasana-123"
				}
				_, _, err := w.app.SignIn(ctx, "matti@example.fi", pw, office)
				if err != nil && !errors.Is(err, portal.ErrUnauthenticated) && !isThrottled(err) {
					t.Errorf("mixed sign-ins: %v", err)
				}
			})
		}
		mixed.Wait()
	})
}
