package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestVAPIDKeysOnePairForConcurrentStarts: two instances (two handles on
// one database) that start at once, each with a key pair of its own, end
// with the same stored pair. On PostgreSQL both transactions are held open
// together before either writes, so the second insert really meets the
// first one uncommitted.
func TestVAPIDKeysOnePairForConcurrentStarts(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.Open(ctx, dsn, storetest.SuiteClock().Now)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			if e == store.SQLite {
				if err := dbs[0].Migrate(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}
			for round := range 10 {
				if _, err := dbs[0].SQL().ExecContext(ctx, `DELETE FROM vapid_keys`); err != nil {
					t.Fatal(err)
				}
				var got [2]store.VAPIDKeys
				var errs [2]error
				var inTx sync.WaitGroup
				inTx.Add(2)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range 2 {
					wg.Go(func() {
						<-start
						cand := store.VAPIDKeys{Public: fmt.Sprintf("public-%d-%d", round, i), Private: fmt.Sprintf("private-%d-%d", round, i)}
						errs[i] = dbs[i].Write(ctx, func(tx *store.Tx) (err error) {
							if e == store.Postgres {
								// SQLite's writers take turns from BEGIN on;
								// PostgreSQL's run side by side.
								if _, err := tx.VAPIDKeys(ctx); !errors.Is(err, portal.ErrNotFound) {
									return fmt.Errorf("keys before the first start: %w", err)
								}
								inTx.Done()
								inTx.Wait()
							}
							got[i], err = tx.EnsureVAPIDKeys(ctx, cand)
							return err
						})
					})
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d, instance %d: %v", round, i, err)
					}
				}
				if got[0].Public != got[1].Public || got[0].Private != got[1].Private || got[0].Public == "" {
					t.Fatalf("round %d: instances hold different keys: %+v / %+v", round, got[0], got[1])
				}
				var n int64
				dbs[1].Read(ctx, func(tx *store.Tx) (err error) { n, err = tx.Count(ctx, "vapid_keys"); return err })
				if n != 1 {
					t.Fatalf("round %d: %d key rows", round, n)
				}
			}
		})
	}
}

// TestPushSubscriptionRows: one row per endpoint, owned by one account at
// a time; preferences default to on; deleting the account deletes both.
func TestPushSubscriptionRows(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var a, b int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			if a, err = tx.CreateAccount(ctx, portal.Account{Email: "a@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()}); err != nil {
				return err
			}
			b, err = tx.CreateAccount(ctx, portal.Account{Email: "b@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		save := func(account int64, p256dh string) int64 {
			t.Helper()
			var id int64
			err := db.Write(ctx, func(tx *store.Tx) (err error) {
				id, err = tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: account, Endpoint: "https://push.example/1",
					P256dh: p256dh, Auth: "auth", UserAgent: "Firefox", ConsentTextVersion: "v1"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		first := save(a, "k1")
		if again := save(a, "k2"); again != first {
			t.Errorf("same device again: id %d, want %d", again, first)
		}
		taken := save(b, "k3")
		err = db.Write(ctx, func(tx *store.Tx) error {
			if subs, err := tx.PushSubscriptionsOf(ctx, a); err != nil || len(subs) != 0 {
				t.Errorf("a's devices after b took it over: %+v %v", subs, err)
			}
			s, err := tx.PushSubscriptionByID(ctx, taken)
			if err != nil || s.AccountID != b || s.P256dh != "k3" || s.ConsentTextVersion != "v1" || s.ConsentedAt.IsZero() {
				t.Errorf("b's device %+v %v", s, err)
			}
			if err := tx.DeletePushSubscription(ctx, a, taken); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("a deletes b's device: %v", err)
			}
			if on, err := tx.NotificationEnabled(ctx, b, portal.NotifyInvoice); err != nil || !on {
				t.Errorf("default preference: %v %v", on, err)
			}
			if err := tx.SetNotificationPreference(ctx, b, portal.NotifyInvoice, false); err != nil {
				return err
			}
			if on, err := tx.NotificationEnabled(ctx, b, portal.NotifyInvoice); err != nil || on {
				t.Errorf("turned-off preference: %v %v", on, err)
			}
			return tx.DeleteAccount(ctx, b)
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			for _, table := range []string{"push_subscriptions", "notification_preferences"} {
				if n, err := tx.Count(ctx, table); err != nil || n != 0 {
					t.Errorf("%s after the account was deleted: %d %v", table, n, err)
				}
			}
			return nil
		})
	})
}
