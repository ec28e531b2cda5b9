package app

import (
	"context"
	"crypto/sha256"
	"reflect"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestPageViewWithinAMinuteWritesNothing: authenticating a request reads
// the session, the account and a customer's sites with their unread
// messages (one statement) and writes the session's last-seen time at most
// once a minute, so a plain page view within a minute of the last write
// changes nothing; the sites and unread counts are those SiteList gives.
func TestPageViewWithinAMinuteWritesNothing(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		w := newWorld(t, db, clock)
		// An unread message from the provider on one of maija's sites.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.PostSystemMessage(ctx, w.sites["mokki"], portal.Message{Body: "Käynti siirtyi."})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := w.app.SignIn(ctx, "maija@example.fi", "oikea-salasana-123", Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(tok))
		session := func() portal.Session {
			t.Helper()
			var s portal.Session
			if err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				s, err = tx.SessionByTokenHash(ctx, h[:])
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return s
		}
		signedIn := session().LastSeenAt
		var v Viewer
		for _, d := range []time.Duration{0, time.Second, 30 * time.Second, time.Minute} {
			clock.Set(t0.Add(d))
			if v, err = w.app.Authenticate(ctx, tok); err != nil {
				t.Fatalf("+%s: %v", d, err)
			}
			if v.Refreshed {
				t.Errorf("+%s: session refreshed within a minute of the last write", d)
			}
			if got := session().LastSeenAt; !got.Equal(signedIn) {
				t.Errorf("+%s: last seen %s, want %s unchanged (a page view wrote)", d, got, signedIn)
			}
		}
		var want []portal.Site
		var wantUnread map[int64]int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			want, wantUnread, err = tx.SiteList(ctx, store.Scope{EmailNorm: "maija@example.fi"},
				store.Reader{AccountID: v.AccountID, From: unreadFrom("customer")})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(want) != 2 || !reflect.DeepEqual(v.Sites, want) {
			t.Errorf("viewer's sites = %+v, want %+v (SiteList)", v.Sites, want)
		}
		if !reflect.DeepEqual(v.Unread, wantUnread) || v.Unread[w.sites["mokki"]] != 1 {
			t.Errorf("viewer's unread = %v, want %v with one on the cottage", v.Unread, wantUnread)
		}
		// Past a minute the first view writes once, and the next does not.
		clock.Set(t0.Add(time.Minute + time.Second))
		if v, err = w.app.Authenticate(ctx, tok); err != nil || !v.Refreshed {
			t.Fatalf("after a minute: refreshed %v, %v", v.Refreshed, err)
		}
		if got := session().LastSeenAt; !got.Equal(clock.Now()) {
			t.Errorf("after a minute: last seen %s, want %s", got, clock.Now())
		}
		clock.Advance(time.Second)
		if v, err = w.app.Authenticate(ctx, tok); err != nil || v.Refreshed {
			t.Errorf("a second after the write: refreshed %v, %v", v.Refreshed, err)
		}
		// Staff, admins and unverified sign-ups get no customer sites, even
		// where their address has customer records.
		for _, email := range []string{"staff@example.fi", "admin@example.fi"} {
			if v := w.signIn(t, email); v.Sites != nil || v.Unread != nil {
				t.Errorf("%s: sites %+v unread %v, want none", email, v.Sites, v.Unread)
			}
		}
		// A customer without records: no sites, no error.
		empty, emptyHash := newToken()
		if err := db.Write(ctx, func(tx *store.Tx) error {
			id, err := tx.CreateAccount(ctx, portal.Account{Email: "tyhja@example.fi", PasswordHash: "-", VerifiedAt: tx.Now()})
			if err != nil {
				return err
			}
			_, err = tx.CreateSession(ctx, portal.Session{AccountID: id, TokenHash: emptyHash, AuthAt: tx.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if v, err := w.app.Authenticate(ctx, empty); err != nil || v.Role != portal.RoleCustomer || v.Sites != nil || v.Unread != nil {
			t.Errorf("customer without records: %+v, %v", v, err)
		}
	})
}
