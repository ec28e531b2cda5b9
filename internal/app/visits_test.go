package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// visitWorld adds a contract and two visits to maija's home: one in 10
// days (free to cancel) and one in 2 days (past the 7-day deadline).
func visitWorld(t *testing.T, w *world) (soon, later int64) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		site := w.sites["koti"]
		k, err := tx.UpsertContract(ctx, portal.Contract{SiteID: site, Source: "t", ExternalID: "k-koti", Kind: portal.ContractRegular,
			Service: "Siivous", Rhythm: "weekly", PriceCents: 8900, Start: portal.NewDate(2024, 1, 1)})
		if err != nil {
			return err
		}
		for _, x := range []struct {
			ext  string
			days int
			id   *int64
		}{{"soon", 2, &soon}, {"later", 10, &later}} {
			at := t0.AddDate(0, 0, x.days)
			*x.id, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: site, ContractID: k, Source: "t", ExternalID: x.ext,
				StartsAt: at, EndsAt: at.Add(3 * time.Hour), Status: portal.VisitConfirmed, WorkerFirstName: "Aino", PriceCents: 8900})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return soon, later
}

func shownOf(d VisitDetail) ShownTerms {
	return ShownTerms{Sequence: d.Visit.Sequence, Deadline: d.Terms.Deadline, FeeCents: d.Terms.FeeCents}
}

func TestCancelVisit(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, later := visitWorld(t, w)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		site := w.sites["koti"]

		// Another account's visit: not found, nothing changes.
		if _, err := w.app.Visit(ctx, matti, site, later); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("matti sees maija's visit: %v", err)
		}
		if _, err := w.app.CancelVisit(ctx, matti, site, later, false, ShownTerms{}); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("matti cancels maija's visit: %v", err)
		}
		// A visit id under another site is not found either.
		if _, err := w.app.Visit(ctx, maija, w.sites["mokki"], later); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("visit under the wrong site: %v", err)
		}

		d, err := w.app.Visit(ctx, maija, site, later)
		if err != nil || !d.Terms.Free || d.Terms.Refused != "" {
			t.Fatalf("later visit terms %+v, %v", d.Terms, err)
		}
		if _, err := w.app.CancelVisit(ctx, maija, site, later, false, shownOf(d)); err != nil {
			t.Fatalf("free cancel: %v", err)
		}
		// Cancel twice: refused, the new terms say why.
		_, err = w.app.CancelVisit(ctx, maija, site, later, false, shownOf(d))
		var changed *TermsChangedError
		if !errors.As(err, &changed) || changed.Terms.Refused != portal.CancelRefusedCancelled {
			t.Errorf("second cancel: %v", err)
		}

		// The near visit costs the price; the provider moves it between
		// showing and confirming: refused with the new terms.
		d, _ = w.app.Visit(ctx, maija, site, soon)
		if d.Terms.Free || d.Terms.FeeCents != 8900 {
			t.Fatalf("soon terms %+v", d.Terms)
		}
		db.Write(ctx, func(tx *store.Tx) error {
			v := d.Visit
			v.StartsAt, v.EndsAt = v.StartsAt.Add(time.Hour), v.EndsAt.Add(time.Hour)
			_, err := tx.UpsertVisit(ctx, v)
			return err
		})
		if _, err := w.app.CancelVisit(ctx, maija, site, soon, false, shownOf(d)); !errors.As(err, &changed) {
			t.Fatalf("cancel after the provider moved it: %v", err)
		}
		d, _ = w.app.Visit(ctx, maija, site, soon)
		terms, err := w.app.CancelVisit(ctx, maija, site, soon, true, shownOf(d))
		if err != nil || !terms.Free || !terms.Illness {
			t.Errorf("ill customer: %+v %v", terms, err)
		}

		var journal []store.Change
		db.Read(ctx, func(tx *store.Tx) (err error) { journal, err = tx.ChangesAfter(ctx, 0, 10); return err })
		if len(journal) != 2 || journal[0].Kind != "visit.cancelled_by_customer" || !strings.Contains(journal[1].Data, `"illness":true`) {
			t.Errorf("journal: %+v", journal)
		}
	})
}

func TestVisitNoteAndReadOnly(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		_, later := visitWorld(t, w)
		maija := w.signIn(t, "maija@example.fi")
		site := w.sites["koti"]
		var bad InvalidInput
		if err := w.app.SetVisitNote(ctx, maija, site, later, strings.Repeat("x", 10000)); !errors.As(err, &bad) || bad.Field("note") != "error.note.long" {
			t.Errorf("10 000-character note: %v", err)
		}
		if err := w.app.SetVisitNote(ctx, maija, site, later, "  Muistathan myös parvekkeen oven.  "); err != nil {
			t.Fatal(err)
		}
		d, _ := w.app.Visit(ctx, maija, site, later)
		if d.Visit.CustomerNote != "Muistathan myös parvekkeen oven." {
			t.Errorf("note %q", d.Visit.CustomerNote)
		}
		// When every contract has ended the site is read-only.
		db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertContract(ctx, portal.Contract{SiteID: site, Source: "t", ExternalID: "k-koti", Kind: portal.ContractRegular,
				Service: "Siivous", Rhythm: "weekly", PriceCents: 8900, Start: portal.NewDate(2024, 1, 1), End: portal.DateOf(t0.AddDate(0, 0, -27))})
			return err
		})
		if err := w.app.SetVisitNote(ctx, maija, site, later, "uusi"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("note on a read-only site: %v", err)
		}
		d, _ = w.app.Visit(ctx, maija, site, later)
		if _, err := w.app.CancelVisit(ctx, maija, site, later, false, shownOf(d)); !errors.Is(err, ErrReadOnly) {
			t.Errorf("cancel on a read-only site: %v", err)
		}
	})
}

func TestRateVisit(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, _ := visitWorld(t, w)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		site := w.sites["koti"]
		var bad InvalidInput
		if err := w.app.RateVisit(ctx, maija, site, soon, 5, ""); !errors.As(err, &bad) || bad.Field("rating") != "error.rating.closed" {
			t.Errorf("rating a future visit: %v", err)
		}
		// The visit is done; two days later it can be rated, 1-5 only.
		db.Write(ctx, func(tx *store.Tx) error {
			d, _ := tx.VisitOfSite(ctx, site, soon)
			d.Status = portal.VisitDone
			_, err := tx.UpsertVisit(ctx, d)
			return err
		})
		clock.Advance(4 * 24 * time.Hour)
		if err := w.app.RateVisit(ctx, maija, site, soon, 6, ""); !errors.As(err, &bad) || bad.Field("rating") != "error.rating.range" {
			t.Errorf("rating 6: %v", err)
		}
		if err := w.app.RateVisit(ctx, matti, site, soon, 5, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("matti rates maija's visit: %v", err)
		}
		if err := w.app.RateVisit(ctx, maija, site, soon, 4, "Hyvää työtä"); err != nil {
			t.Fatal(err)
		}
		if err := w.app.RateVisit(ctx, maija, site, soon, 5, "Erinomaista"); err != nil {
			t.Fatal(err)
		}
		_, fb, _ := w.app.FeedbackHistory(ctx, maija, site)
		if len(fb) != 1 || fb[0].Rating != 5 || fb[0].Comment != "Erinomaista" {
			t.Errorf("feedback after re-rating: %+v", fb)
		}
		clock.Advance(RatingWindow)
		if err := w.app.RateVisit(ctx, maija, site, soon, 3, ""); !errors.As(err, &bad) {
			t.Errorf("rating after 30 days: %v", err)
		}
	})
}
