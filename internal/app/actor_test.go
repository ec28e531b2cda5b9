package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// TestRelativeActsRecordedAndOwnerTold: a caretaker's cancellation and
// move request are journaled with the caretaker's account, name (their
// address: they have no record of their own) and role; the provider sees
// who cancelled; the owner gets a mail for each (in the owner's language,
// naming the relative and the role) and a push while visit changes are on
// — none once she turns them off. A follower cannot cancel: nothing is
// journaled, no mail. The grant's own life (given, accepted, ended) is in
// the journal too, with who did it.
func TestRelativeActsRecordedAndOwnerTold(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		w, a := pw.world, pw.push
		m := &recMailer{}
		a.mailer, a.baseURL = m, "https://portaali.example"
		w.app = a
		pwHash, _ := a.hasher.Hash(ctx, "oikea-salasana-123")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for _, e := range []string{"liisa@example.fi", "pekka@example.fi"} {
				if _, err := tx.CreateAccount(ctx, portal.Account{Email: e, PasswordHash: pwHash, VerifiedAt: tx.Now()}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		soon, later := visitWorld(t, w)
		site := w.sites["koti"]
		maija := w.signIn(t, "maija@example.fi")
		pw.subscribe(t, maija)
		liisaToken := w.invite(t, m, maija, site, "liisa@example.fi", portal.GrantCaretaker)
		pekkaToken := w.invite(t, m, maija, site, "pekka@example.fi", portal.GrantFollower)
		liisa, pekka := w.signIn(t, "liisa@example.fi"), w.signIn(t, "pekka@example.fi")
		for _, x := range []struct {
			v     Viewer
			token string
		}{{liisa, liisaToken}, {pekka, pekkaToken}} {
			if _, err := a.AcceptInvite(ctx, x.v, x.token); err != nil {
				t.Fatal(err)
			}
		}
		liisa, pekka = w.signIn(t, "liisa@example.fi"), w.signIn(t, "pekka@example.fi")
		seq := int64(len(journalSince(t, db, 0)))
		pushes := pw.pushJobs(t)

		// The follower may not cancel: refused, nothing journaled or sent.
		d, err := a.Visit(ctx, pekka, site, later)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.CancelVisit(ctx, pekka, site, later, false, shownOf(d)); err == nil {
			t.Fatal("a follower cancelled")
		}
		if got := journalSince(t, db, seq); len(got) != 0 || m.count(mail.VisitChangedByRelative) != 0 || pw.pushJobs(t) != pushes {
			t.Fatalf("the follower's refused cancel left %+v, %d mails, %d pushes", got, m.count(mail.VisitChangedByRelative),
				pw.pushJobs(t)-pushes)
		}

		// The caretaker cancels the near visit and asks to move the later.
		d, _ = a.Visit(ctx, liisa, site, soon)
		if _, err := a.CancelVisit(ctx, liisa, site, soon, false, shownOf(d)); err != nil {
			t.Fatal(err)
		}
		caretaker := portal.Actor{AccountID: liisa.AccountID, Name: "liisa@example.fi", Role: portal.ActorCaretaker}
		got := journalSince(t, db, seq)
		if len(got) != 1 || got[0].Kind != portal.KindCustomerCancelledVisit || got[0].Actor != caretaker {
			t.Fatalf("journal after the caretaker's cancel: %+v", got)
		}
		sent := m.last(t, mail.VisitChangedByRelative, "Maija@Example.fi")
		if sent.data["actor"] != "liisa@example.fi" || sent.data["role"] != "caretaker" || sent.data["change"] != mail.ChangeCancelled ||
			sent.data["url"] != "https://portaali.example"+visitPath(site, soon) || sent.lang != "fi" {
			t.Errorf("owner's mail %+v", sent)
		}
		if n := pw.pushJobs(t) - pushes; n != 1 {
			t.Fatalf("%d pushes to the owner, want 1", n)
		}
		if j := pw.lastPushJob(t); !strings.Contains(string(j.Payload), "liisa@example.fi perui palveluvuoron") {
			t.Errorf("push %s", j.Payload)
		}
		staff := w.signIn(t, "staff@example.fi")
		if pv, err := a.ProviderVisit(ctx, staff, soon); err != nil || pv.Visit.CancelledBy != caretaker {
			t.Errorf("the provider sees the cancel by %+v (%v), want %+v", pv.Visit.CancelledBy, err, caretaker)
		}

		// Visit changes turned off: the mail still goes, no push.
		if err := a.SetNotificationKinds(ctx, maija, []portal.NotificationKind{portal.NotifyMessage}); err != nil {
			t.Fatal(err)
		}
		pushes = pw.pushJobs(t)
		tomorrow := t0.AddDate(0, 0, 12).In(portal.Helsinki)
		if err := a.RequestMove(ctx, liisa, site, later, []LocalTime{{Date: tomorrow.Format("2006-01-02"), Clock: "10:00"}}, ""); err != nil {
			t.Fatal(err)
		}
		if n := m.count(mail.VisitChangedByRelative); n != 2 || pw.pushJobs(t) != pushes {
			t.Errorf("after the move request: %d mails (want 2), %d pushes (want 0)", n, pw.pushJobs(t)-pushes)
		}
		if sent := m.last(t, mail.VisitChangedByRelative, "Maija@Example.fi"); sent.data["change"] != mail.ChangeMoveRequested {
			t.Errorf("owner's mail %+v", sent)
		}
		if pv, err := a.ProviderVisit(ctx, staff, later); err != nil || pv.Move == nil || pv.Move.By != caretaker {
			t.Errorf("the provider sees the move asked by %+v (%v)", pv.Move, err)
		}

		// The grant's life in the journal: given and accepted (above),
		// ended when the follower leaves and when the owner revokes.
		if err := a.LeaveSite(ctx, pekka, site); err != nil {
			t.Fatal(err)
		}
		grants, err := a.SiteGrants(ctx, maija, site)
		if err != nil || len(grants) != 1 {
			t.Fatalf("grants %+v, %v", grants, err)
		}
		if err := a.RevokeGrant(ctx, maija, site, grants[0].ID); err != nil {
			t.Fatal(err)
		}
		owner := portal.Actor{AccountID: maija.AccountID, Name: "koti", Role: portal.ActorOwner}
		follower := portal.Actor{AccountID: pekka.AccountID, Name: "pekka@example.fi", Role: portal.ActorFollower}
		var life []string
		for _, c := range journalSince(t, db, 0) {
			if strings.HasPrefix(string(c.Kind), "grant.") {
				var role string
				switch c.Actor {
				case owner:
					role = "owner"
				case caretaker:
					role = "liisa"
				case follower:
					role = "pekka"
				default:
					role = fmt.Sprintf("%+v", c.Actor)
				}
				life = append(life, string(c.Kind)+" by "+role)
				if c.SiteID != site || !strings.Contains(c.Data, `"grantee_email":"`) {
					t.Errorf("%s: site %d, data %s", c.Kind, c.SiteID, c.Data)
				}
			}
		}
		want := []string{"grant.given by owner", "grant.given by owner", "grant.accepted by liisa", "grant.accepted by pekka",
			"grant.ended by pekka", "grant.ended by owner"}
		if !slices.Equal(life, want) {
			t.Errorf("the grants' journal:\n got %v\nwant %v", life, want)
		}
	})
}
