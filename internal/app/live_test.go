package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// liveVisit adds a visit at the site koti two days after t0, 10.00–12.00
// Helsinki, and returns it with the start.
func liveVisit(t *testing.T, w *world) (int64, time.Time) {
	t.Helper()
	d := portal.DateOf(t0).AddDays(2)
	start := time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, portal.Helsinki)
	var id int64
	err := w.db.Write(context.Background(), func(tx *store.Tx) (err error) {
		id, err = tx.UpsertVisit(context.Background(), portal.Visit{SiteID: w.sites["koti"], Source: "t", ExternalID: "live",
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: portal.VisitConfirmed, WorkerFirstName: "Sanna"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, start
}

func TestLiveStatus(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		visit, start := liveVisit(t, w)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		staff, staffB, admin := w.signIn(t, "staff@example.fi"), staffOfB(t, w), w.signIn(t, "admin@example.fi")
		detail := func() ProviderVisitDetail {
			t.Helper()
			d, err := w.app.ProviderVisit(ctx, staff, visit)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		seq := func() int { return detail().Visit.Visit.Sequence }
		refused := func(what string, err error, field, key string) {
			t.Helper()
			var bad InvalidInput
			if !errors.As(err, &bad) || bad.Field(field) != key {
				t.Errorf("%s: %v, want %q on %q", what, err, key, field)
			}
		}
		mark, _ := w.app.LiveStart(ctx)

		// The day before: no step is given.
		clock.Set(start.Add(-24 * time.Hour))
		refused("on the way a day early", w.app.DepartVisit(ctx, staff, visit, seq(), "15"), "eta", "provider.live.refused.day")
		if d := detail(); d.CanDepart || d.CanArrive || d.CanMarkDone {
			t.Errorf("the day before offers %+v", d)
		}
		// The visit's day, before the start.
		clock.Set(start.Add(-40 * time.Minute))
		if d := detail(); !d.CanDepart || d.CanArrive || d.CanMarkDone || d.Late {
			t.Errorf("the morning offers depart %v arrive %v done %v late %v", d.CanDepart, d.CanArrive, d.CanMarkDone, d.Late)
		}
		refused("arrived before on the way", w.app.ArriveVisit(ctx, staff, visit, seq()), "", "provider.live.refused.order")
		refused("done before anything", w.app.MarkVisitDone(ctx, staff, visit, seq(), ""), "", "error.done.early")
		clock.Set(start.Add(5 * time.Minute))
		refused("done without arriving", w.app.MarkVisitDone(ctx, staff, visit, seq(), ""), "note", "provider.live.refused.order")
		clock.Set(start.Add(-40 * time.Minute))
		// Nobody else gives a step: not the customer, another provider's
		// staff or the chain admin; a guessed visit does not exist.
		for name, v := range map[string]Viewer{"customer": maija, "provider B": staffB, "admin": admin, "other customer": matti} {
			for step, err := range map[string]error{
				"depart": w.app.DepartVisit(ctx, v, visit, seq(), ""),
				"arrive": w.app.ArriveVisit(ctx, v, visit, seq()),
				"done":   w.app.MarkVisitDone(ctx, v, visit, seq(), ""),
			} {
				if !errors.Is(err, portal.ErrNotFound) {
					t.Errorf("%s: %s: %v", name, step, err)
				}
			}
		}
		if err := w.app.DepartVisit(ctx, staff, visit+1000, 0, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a visit that is not there: %v", err)
		}
		// Bad estimates: a clear error on the field.
		for _, eta := range []string{"abc", "0", "-5", "481", "1.5"} {
			refused("estimate "+eta, w.app.DepartVisit(ctx, staff, visit, seq(), eta), "eta", "error.live.eta")
		}
		// A stale page: nothing changes.
		if err := w.app.DepartVisit(ctx, staff, visit, seq()-1, "15"); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("on the way from a stale page: %v", err)
		}
		if d := detail(); !d.Visit.Visit.DepartedAt.IsZero() {
			t.Fatalf("a refused step was stored: %+v", d.Visit.Visit)
		}
		if got, _ := w.app.LiveChanges(ctx, maija, mark); len(got) != 0 {
			t.Errorf("refused steps reached the customer: %+v", got)
		}

		// On the way with 15 minutes.
		departed := clock.Now()
		if err := w.app.DepartVisit(ctx, staff, visit, seq(), " 15 "); err != nil {
			t.Fatal(err)
		}
		d := detail()
		if v := d.Visit.Visit; !v.DepartedAt.Equal(departed) || !v.ArrivalEstimate.Equal(departed.Add(15*time.Minute)) ||
			portal.Live(v) != portal.LiveDeparted {
			t.Errorf("on the way: %+v", v)
		}
		if d.CanDepart || !d.CanArrive || d.CanMarkDone {
			t.Errorf("on the way offers depart %v arrive %v done %v", d.CanDepart, d.CanArrive, d.CanMarkDone)
		}
		refused("on the way twice", w.app.DepartVisit(ctx, staff, visit, seq(), ""), "eta", "provider.live.refused.order")
		clock.Set(start.Add(5 * time.Minute))
		refused("done before arriving", w.app.MarkVisitDone(ctx, staff, visit, seq(), ""), "note", "provider.live.refused.order")

		// Arrived, then done with a note.
		if err := w.app.ArriveVisit(ctx, staff, visit, seq()); err != nil {
			t.Fatal(err)
		}
		if v := detail().Visit.Visit; v.Status != portal.VisitInProgress || !v.ArrivedAt.Equal(clock.Now()) {
			t.Errorf("arrived: %+v", v)
		}
		refused("arrived twice", w.app.ArriveVisit(ctx, staff, visit, seq()), "", "provider.live.refused.order")
		refused("a long note", w.app.MarkVisitDone(ctx, staff, visit, seq(), strings.Repeat("x", 501)), "note", "error.reason.long")
		clock.Set(start.Add(100 * time.Minute))
		if err := w.app.MarkVisitDone(ctx, staff, visit, seq(), "  Kukat kastelin. "); err != nil {
			t.Fatal(err)
		}
		dv, err := w.app.Visit(ctx, maija, w.sites["koti"], visit)
		if err != nil {
			t.Fatal(err)
		}
		if v := dv.Visit; v.Status != portal.VisitDone || !v.DoneAt.Equal(clock.Now()) || v.DoneNote != "Kukat kastelin." {
			t.Errorf("done: %+v", v)
		}
		if !CanRate(dv.Visit, clock.Now()) {
			t.Errorf("a visit marked done before its planned end cannot be rated")
		}
		if d, err := w.app.Dashboard(ctx, maija, w.sites["koti"]); err != nil || d.ToRate == nil || d.ToRate.ID != visit {
			t.Errorf("the dashboard's rating prompt: %+v %v", d.ToRate, err)
		}
		refused("done twice", w.app.MarkVisitDone(ctx, staff, visit, seq(), ""), "note", "provider.live.refused.done")

		// Recorded: each step in the journal with its time.
		for _, c := range []struct {
			kind portal.EventKind
			want map[string]any
		}{
			{portal.KindVisitDeparted, map[string]any{"departed_at": departed.UTC().Format(time.RFC3339),
				"arrival_estimate": departed.Add(15 * time.Minute).UTC().Format(time.RFC3339), "visit_external_id": "live"}},
			{portal.KindVisitArrived, map[string]any{"arrived_at": start.Add(5 * time.Minute).UTC().Format(time.RFC3339)}},
			{portal.KindVisitMarkedDone, map[string]any{"done_at": start.Add(100 * time.Minute).UTC().Format(time.RFC3339),
				"note": "Kukat kastelin."}},
		} {
			got := changesOfKind(t, db, c.kind)
			if len(got) != 1 || got[0].SiteID != w.sites["koti"] || got[0].EntityID != visit {
				t.Errorf("journal %s: %+v", c.kind, got)
				continue
			}
			var data map[string]any
			if err := json.Unmarshal([]byte(got[0].Data), &data); err != nil {
				t.Fatal(err)
			}
			for k, v := range c.want {
				if data[k] != v {
					t.Errorf("journal %s: %s = %v, want %v", c.kind, k, data[k], v)
				}
			}
		}
		// Only "done" writes to the thread.
		if msgs := systemMessages(t, db, w.sites["koti"]); len(msgs) != 1 || msgs[0].Kind != "visit.done" ||
			!strings.Contains(msgs[0].Body, "Kukat kastelin.") {
			t.Errorf("system messages %+v", msgs)
		}

		// The customer's stream reads the three steps; nobody else's does.
		got, err := w.app.LiveChanges(ctx, maija, mark)
		if err != nil || len(got) != 3 || got[0].Visit.ID != visit || got[2].Visit.Status != portal.VisitDone {
			t.Errorf("the customer's live changes: %+v %v", got, err)
		}
		if got, err := w.app.LiveChanges(ctx, maija, got[len(got)-1].Seq); err != nil || len(got) != 0 {
			t.Errorf("after the last: %+v %v", got, err)
		}
		if got, err := w.app.LiveChanges(ctx, matti, mark); err != nil || len(got) != 0 {
			t.Errorf("another customer's live changes: %+v %v", got, err)
		}
		for name, v := range map[string]Viewer{"staff": staff, "admin": admin} {
			if _, err := w.app.LiveChanges(ctx, v, mark); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s reads the customer's stream: %v", name, err)
			}
		}
		if ids, err := w.app.LiveSites(ctx, maija); err != nil || len(ids) == 0 {
			t.Errorf("the customer's live sites: %v %v", ids, err)
		}
	})
}

// TestLate: the provider sees a visit as late over 30 minutes after its
// start with nobody on the way, on its day only.
func TestLate(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		visit, start := liveVisit(t, w)
		staff := w.signIn(t, "staff@example.fi")
		for _, c := range []struct {
			at   time.Duration
			want bool
		}{{-time.Hour, false}, {30 * time.Minute, false}, {31 * time.Minute, true}, {13 * time.Hour, true}, {24 * time.Hour, false}} {
			clock.Set(start.Add(c.at))
			d, err := w.app.ProviderVisit(ctx, staff, visit)
			if err != nil {
				t.Fatal(err)
			}
			if d.Late != c.want {
				t.Errorf("at start%+v: late %v, want %v", c.at, d.Late, c.want)
			}
		}
		clock.Set(start.Add(31 * time.Minute))
		d, _ := w.app.ProviderVisit(ctx, staff, visit)
		if err := w.app.DepartVisit(ctx, staff, visit, d.Visit.Visit.Sequence, ""); err != nil {
			t.Fatal(err)
		}
		if d, _ := w.app.ProviderVisit(ctx, staff, visit); d.Late {
			t.Errorf("late with the worker on the way")
		}
	})
}
