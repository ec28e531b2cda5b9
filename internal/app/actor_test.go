package app

import (
	"context"
	"testing"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// journalSince returns the changes journal after seq.
func journalSince(t *testing.T, db *store.DB, seq int64) []store.Change {
	t.Helper()
	var out []store.Change
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) { out, err = tx.ChangesAfter(context.Background(), seq, 100); return err })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOwnerActsRecordedAsOwner: every change the site's owner makes from
// the customer's side — a note, a move request, the access instructions,
// feedback, a cancellation — is journaled with the owner's account, the
// name of their customer record and the role owner; the provider's pages
// read who cancelled and who asked to move. The owner is not mailed about
// their own change.
func TestOwnerActsRecordedAsOwner(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, _ := accountsWorld(t, db, clock)
		soon, later := visitWorld(t, w)
		maija, staff := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi")
		site := w.sites["koti"]
		want := portal.Actor{AccountID: maija.AccountID, Name: "koti", Role: portal.ActorOwner}

		if err := w.app.SetVisitNote(ctx, maija, site, later, "Parvekkeen ovi myös"); err != nil {
			t.Fatal(err)
		}
		tomorrow := t0.AddDate(0, 0, 12).In(portal.Helsinki)
		if err := w.app.RequestMove(ctx, maija, site, later, []LocalTime{{Date: tomorrow.Format("2006-01-02"), Clock: "10:00"}}, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.app.SetAccessInstructions(ctx, maija, site, portal.AccessInstructions{Pets: "Kissa"}); err != nil {
			t.Fatal(err)
		}
		if err := w.app.SiteFeedback(ctx, maija, site, "Kiitos!"); err != nil {
			t.Fatal(err)
		}
		d, err := w.app.Visit(ctx, maija, site, soon)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.CancelVisit(ctx, maija, site, soon, false, shownOf(d)); err != nil {
			t.Fatal(err)
		}
		journal := journalSince(t, db, 0)
		kinds := []portal.EventKind{portal.KindVisitNoteSet, portal.KindVisitMoveRequested, portal.KindSiteAccessChanged,
			portal.KindSiteFeedbackGiven, portal.KindCustomerCancelledVisit}
		if len(journal) != len(kinds) {
			t.Fatalf("journal %+v, want %v", journal, kinds)
		}
		for i, c := range journal {
			if c.Kind != kinds[i] || c.Actor != want {
				t.Errorf("change %d: %s by %+v, want %s by %+v", i, c.Kind, c.Actor, kinds[i], want)
			}
		}
		pv, err := w.app.ProviderVisit(ctx, staff, soon)
		if err != nil || pv.Visit.CancelledBy != want {
			t.Errorf("provider's visit: cancelled by %+v (%v), want %+v", pv.Visit.CancelledBy, err, want)
		}
		pv, err = w.app.ProviderVisit(ctx, staff, later)
		if err != nil || pv.Move == nil || pv.Move.By != want {
			t.Errorf("provider's visit: move %+v (%v), want asked by %+v", pv.Move, err, want)
		}
		if n := m.count(mail.VisitChangedByRelative); n != 0 {
			t.Errorf("%d mails to the owner about their own changes", n)
		}
	})
}

// TestActorName: the name shown for a person is their own customer
// record's — the site's record when it is theirs — else their address.
func TestActorName(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		maija, matti, staff := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi"), w.signIn(t, "staff@example.fi")
		err := db.Read(ctx, func(tx *store.Tx) error {
			koti, _ := tx.Site(ctx, store.Scope{All: true}, w.sites["koti"])
			mokki, _ := tx.Site(ctx, store.Scope{All: true}, w.sites["mokki"])
			for _, c := range []struct {
				v    Viewer
				site portal.Site
				want string
			}{
				{maija, koti.Site, "koti"}, {maija, mokki.Site, "mokki"}, // each record's own name
				{matti, koti.Site, "matti"},            // matti's own record, not the site's
				{staff, koti.Site, "staff@example.fi"}, // no record: the address
			} {
				got, err := actorOf(ctx, tx, c.v, c.site)
				if err != nil || got.Name != c.want || got.AccountID != c.v.AccountID {
					t.Errorf("%s at %s: %+v %v, want name %q", c.v.Email, c.site.ExternalID, got, err, c.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
