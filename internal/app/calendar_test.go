package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestVisitCalendarAccess: a visit's calendar file is its customer's only.
// Staff of the home's own provider and admins are not customers
// (ErrForbidden), another customer does not find it (ErrNotFound), and
// the file never holds the access instructions or the notes; the street
// address only once the customer's feed has it turned on.
func TestVisitCalendarAccess(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clock)
		_, later := visitWorld(t, w)
		site := w.sites["koti"]
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetAccess(ctx, site, portal.AccessInstructions{DoorCode: "OVIKOODI-4711", Keys: "AVAIN-KUKKARUUKUSSA"}); err != nil {
				return err
			}
			return tx.SetCustomerNote(ctx, later, "SALAINEN-HUOMIO")
		})
		if err != nil {
			t.Fatal(err)
		}
		maija := w.signIn(t, "maija@example.fi")
		ics, err := w.app.VisitCalendar(ctx, maija, site, later, "fi")
		if err != nil {
			t.Fatal(err)
		}
		body := string(ics)
		// The home of this world has a street only: the title names the
		// visit and nothing of where.
		if !strings.Contains(body, "SUMMARY:Palveluvuoro\r\n") || strings.Count(body, "BEGIN:VEVENT") != 1 {
			t.Errorf("maija's calendar file:\n%s", body)
		}
		for _, secret := range []string{"OVIKOODI-4711", "AVAIN-KUKKARUUKUSSA", "SALAINEN-HUOMIO", "Katu 1", "LOCATION"} {
			if strings.Contains(body, secret) {
				t.Errorf("the calendar file carries %q", secret)
			}
		}
		if _, err := w.app.NewCalendarFeed(ctx, maija, "fi", true); err != nil {
			t.Fatal(err)
		}
		if ics, err = w.app.VisitCalendar(ctx, maija, site, later, "fi"); err != nil || !strings.Contains(string(ics), "LOCATION:Katu 1") {
			t.Errorf("with the address on: %v\n%s", err, ics)
		}

		for _, who := range []struct {
			email string
			want  error
		}{{"staff@example.fi", portal.ErrForbidden}, {"admin@example.fi", portal.ErrForbidden}, {"matti@example.fi", portal.ErrNotFound}} {
			v := w.signIn(t, who.email)
			if ics, err := w.app.VisitCalendar(ctx, v, site, later, "fi"); !errors.Is(err, who.want) || ics != nil {
				t.Errorf("%s: %v (%d bytes), want %v", who.email, err, len(ics), who.want)
			}
		}
		// Matti names his own site with maija's visit: not found either.
		matti := w.signIn(t, "matti@example.fi")
		if _, err := w.app.VisitCalendar(ctx, matti, w.sites["matti"], later, "fi"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("maija's visit under matti's site: %v, want not found", err)
		}
		// A viewer who is no verified account (a session of a claim).
		if _, err := w.app.VisitCalendar(ctx, Viewer{AccountID: maija.AccountID, Role: portal.RoleCustomer}, site, later, "fi"); !errors.Is(err, portal.ErrForbidden) {
			t.Errorf("unverified: %v, want forbidden", err)
		}
	})
}
