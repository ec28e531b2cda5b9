package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestCalendarFeedSettings: a feed keeps its language and whether it
// shows the street address (off unless asked for, migration 00022); a new
// token replaces the old one with the settings given then; the setting
// changes only the account's own feed, and an account without a feed has
// none to change.
func TestCalendarFeedSettings(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var maija, matti int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			if maija, err = tx.CreateAccount(ctx, portal.Account{Email: "maija@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()}); err != nil {
				return err
			}
			if matti, err = tx.CreateAccount(ctx, portal.Account{Email: "matti@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()}); err != nil {
				return err
			}
			if err := tx.SetCalendarToken(ctx, maija, bytes.Repeat([]byte{1}, 32), "sv", false); err != nil {
				return err
			}
			return tx.SetCalendarToken(ctx, matti, bytes.Repeat([]byte{2}, 32), "fi", false)
		})
		if err != nil {
			t.Fatal(err)
		}
		feed := func(id int64) portal.CalendarFeed {
			t.Helper()
			var f portal.CalendarFeed
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { f, err = tx.CalendarFeedOf(ctx, id); return err }); err != nil {
				t.Fatal(err)
			}
			return f
		}
		if f := feed(maija); f.AccountID != maija || f.Language != "sv" || f.ShowAddress || !f.CreatedAt.Equal(clock.Now()) {
			t.Errorf("maija's feed = %+v", f)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetCalendarShowAddress(ctx, maija, true) }); err != nil {
			t.Fatal(err)
		}
		if !feed(maija).ShowAddress || feed(matti).ShowAddress {
			t.Errorf("after maija turned it on: maija %v, matti %v", feed(maija).ShowAddress, feed(matti).ShowAddress)
		}
		var byToken portal.CalendarFeed
		if err := db.Read(ctx, func(tx *store.Tx) (err error) {
			byToken, err = tx.CalendarFeedByToken(ctx, bytes.Repeat([]byte{1}, 32))
			return err
		}); err != nil || byToken.AccountID != maija || !byToken.ShowAddress || byToken.Language != "sv" {
			t.Errorf("by token: %+v %v", byToken, err)
		}

		// A new token: the old one is gone, the settings are the new ones.
		clock.Advance(time.Hour)
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.SetCalendarToken(ctx, maija, bytes.Repeat([]byte{3}, 32), "en", false)
		}); err != nil {
			t.Fatal(err)
		}
		if f := feed(maija); f.Language != "en" || f.ShowAddress || !f.CreatedAt.Equal(clock.Now()) {
			t.Errorf("renewed feed = %+v", f)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.CalendarFeedByToken(ctx, bytes.Repeat([]byte{1}, 32))
			return err
		})
		if !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("the old token: %v, want not found", err)
		}

		// Without a feed there is nothing to turn on.
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteCalendarToken(ctx, maija) }); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error { return tx.SetCalendarShowAddress(ctx, maija, true) })
		if !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("turn on without a feed: %v, want not found", err)
		}
	})
}
