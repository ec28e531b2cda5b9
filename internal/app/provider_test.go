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

// staffOfB adds a verified staff member of provider B and signs them in.
func staffOfB(t *testing.T, w *world) Viewer {
	t.Helper()
	ctx := context.Background()
	pw, _ := w.app.hasher.Hash(ctx, "oikea-salasana-123")
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.CreateAccount(ctx, portal.Account{Email: "staff-b@example.fi", PasswordHash: pw, VerifiedAt: tx.Now()})
		if err != nil {
			return err
		}
		return tx.AddStaff(ctx, w.providers["B"], id, "Bertta")
	})
	if err != nil {
		t.Fatal(err)
	}
	return w.signIn(t, "staff-b@example.fi")
}

// local is a LocalTime of t in Helsinki.
// fiDate writes t's day in Helsinki as a person types it: 1.12.2026.
func fiDate(t time.Time) string { return t.In(portal.Helsinki).Format("2.1.2006") }

// isoDate writes t's day in Helsinki as a date field does: 2026-12-01.
func isoDate(t time.Time) string { return t.In(portal.Helsinki).Format("2006-01-02") }

func local(t time.Time) LocalTime {
	l := t.In(portal.Helsinki)
	return LocalTime{l.Format("2006-01-02"), l.Format("15:04")}
}

func changesOfKind(t *testing.T, db *store.DB, kind portal.EventKind) []store.Change {
	t.Helper()
	var out []store.Change
	db.Read(context.Background(), func(tx *store.Tx) error {
		all, err := tx.ChangesAfter(context.Background(), 0, 1000)
		for _, c := range all {
			if c.Kind == kind {
				out = append(out, c)
			}
		}
		return err
	})
	return out
}

func systemMessages(t *testing.T, db *store.DB, site int64) []portal.Message {
	t.Helper()
	var out []portal.Message
	db.Read(context.Background(), func(tx *store.Tx) (err error) {
		out, err = tx.ThreadPage(context.Background(), site, 0, 100)
		return err
	})
	return out
}

func TestMoveRequestBadInput(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		_, later := visitWorld(t, w)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		site := w.sites["koti"]
		tomorrow := local(t0.Add(24 * time.Hour))
		for _, c := range []struct {
			name    string
			v       Viewer
			site    int64
			options []LocalTime
			message string
			field   string // "" when the error is not InvalidInput
			want    error
		}{
			{"no times", maija, site, []LocalTime{{}, {}}, "", "option1", nil},
			{"in the past", maija, site, []LocalTime{local(t0.Add(-time.Hour))}, "", "option1", nil},
			{"now exactly", maija, site, []LocalTime{local(t0)}, "", "option1", nil},
			{"second in the past", maija, site, []LocalTime{tomorrow, local(t0.Add(-48 * time.Hour))}, "", "option2", nil},
			{"too far", maija, site, []LocalTime{local(t0.AddDate(2, 0, 0))}, "", "option1", nil},
			{"malformed date", maija, site, []LocalTime{{"31.2.2026", "10:00"}}, "", "option1", nil},
			{"malformed clock", maija, site, []LocalTime{{"2026-12-20", "25:99"}}, "", "option1", nil},
			{"long message", maija, site, []LocalTime{tomorrow}, strings.Repeat("x", 10000), "message", nil},
			{"other account", matti, site, []LocalTime{tomorrow}, "", "", portal.ErrNotFound},
			{"wrong site", maija, w.sites["mokki"], []LocalTime{tomorrow}, "", "", portal.ErrNotFound},
		} {
			err := w.app.RequestMove(ctx, c.v, c.site, later, c.options, c.message)
			var bad InvalidInput
			switch {
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			case c.want == nil && (!errors.As(err, &bad) || bad.Field(c.field) == ""):
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		if got := changesOfKind(t, db, "visit.move_requested"); len(got) != 0 {
			t.Errorf("refused requests were journaled: %v", got)
		}
		d, _ := w.app.Visit(ctx, maija, site, later)
		if d.Move != nil {
			t.Errorf("a refused request was stored: %+v", d.Move)
		}
	})
}

func TestMoveRequestAnswered(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, later := visitWorld(t, w)
		maija := w.signIn(t, "maija@example.fi")
		staff, staffB := w.signIn(t, "staff@example.fi"), staffOfB(t, w)
		site := w.sites["koti"]
		first := t0.AddDate(0, 0, 12)
		if err := w.app.RequestMove(ctx, maija, site, later, []LocalTime{local(first)}, "Olen matkoilla"); err != nil {
			t.Fatal(err)
		}
		// A second request replaces the pending one.
		a, b := t0.AddDate(0, 0, 14), t0.AddDate(0, 0, 15)
		if err := w.app.RequestMove(ctx, maija, site, later, []LocalTime{local(a), {}, local(b)}, "Käykö jompikumpi?"); err != nil {
			t.Fatal(err)
		}
		d, _ := w.app.Visit(ctx, maija, site, later)
		if d.Move == nil || d.Move.Status != portal.MovePending || len(d.Move.Options) != 2 || !d.Move.Options[1].Equal(b) {
			t.Fatalf("pending request %+v", d.Move)
		}
		sched, err := w.app.ProviderVisits(ctx, staff, ScheduleQuery{})
		if err != nil || len(sched.Moves) != 1 || sched.Moves[0].Visit.ID != later {
			t.Fatalf("staff's move requests %+v, %v", sched.Moves, err)
		}
		// Another provider's staff and customers cannot see or answer it.
		if _, err := w.app.ProviderVisit(ctx, staffB, later); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("provider B sees A's visit: %v", err)
		}
		if err := w.app.AnswerMove(ctx, staffB, later, 0, d.Move.ID, true, 1, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("provider B answers A's request: %v", err)
		}
		if err := w.app.AnswerMove(ctx, maija, later, 0, d.Move.ID, true, 1, ""); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("the customer answers her own request: %v", err)
		}
		// Neither on the visit's day nor under any filter.
		pvA, err := w.app.ProviderVisit(ctx, staff, later)
		if err != nil {
			t.Fatal(err)
		}
		day := portal.DateOf(pvA.Visit.Visit.StartsAt).String()
		for _, f := range ScheduleFilters {
			if s, _ := w.app.ProviderVisits(ctx, staffB, ScheduleQuery{Day: day, Filter: f}); len(s.Moves)+len(s.Visits) != 0 {
				t.Errorf("provider B lists A's visits (filter %q): %+v", f, s)
			}
			if s, _ := w.app.ProviderVisits(ctx, staff, ScheduleQuery{Day: day, Filter: f}); f == ScheduleAll && len(s.Visits) == 0 {
				t.Errorf("provider A does not list its own visit on %s", day)
			}
		}
		pv, err := w.app.ProviderVisit(ctx, staff, later)
		if err != nil {
			t.Fatal(err)
		}
		// A stale sequence is refused; an option out of range too.
		if err := w.app.AnswerMove(ctx, staff, later, pv.Visit.Visit.Sequence+1, d.Move.ID, true, 2, ""); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("stale answer: %v", err)
		}
		var bad InvalidInput
		if err := w.app.AnswerMove(ctx, staff, later, pv.Visit.Visit.Sequence, d.Move.ID, true, 3, ""); !errors.As(err, &bad) {
			t.Errorf("option 3 of 2: %v", err)
		}
		if err := w.app.AnswerMove(ctx, staff, later, pv.Visit.Visit.Sequence, d.Move.ID, true, 2, "Sopii!"); err != nil {
			t.Fatal(err)
		}
		d, _ = w.app.Visit(ctx, maija, site, later)
		if !d.Visit.StartsAt.Equal(b) || d.Visit.EndsAt.Sub(d.Visit.StartsAt) != 3*time.Hour || d.Visit.Sequence != pv.Visit.Visit.Sequence+1 {
			t.Errorf("accepted move: visit %v–%v seq %d", d.Visit.StartsAt, d.Visit.EndsAt, d.Visit.Sequence)
		}
		if d.Move.Status != portal.MoveAccepted || !d.Move.ChosenAt.Equal(b) || d.Move.Answer != "Sopii!" {
			t.Errorf("answered request %+v", d.Move)
		}
		if err := w.app.AnswerMove(ctx, staff, later, d.Visit.Sequence, d.Move.ID, false, 0, ""); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("answering twice: %v", err)
		}
		// Declining another request leaves the visit where it is.
		if err := w.app.RequestMove(ctx, maija, site, soon, []LocalTime{local(t0.AddDate(0, 0, 3))}, ""); err != nil {
			t.Fatal(err)
		}
		ds, _ := w.app.Visit(ctx, maija, site, soon)
		if err := w.app.AnswerMove(ctx, staff, soon, ds.Visit.Sequence, ds.Move.ID, false, 0, "Ei vapaita aikoja"); err != nil {
			t.Fatal(err)
		}
		ds2, _ := w.app.Visit(ctx, maija, site, soon)
		if !ds2.Visit.StartsAt.Equal(ds.Visit.StartsAt) || ds2.Move.Status != portal.MoveDeclined || ds2.Move.Answer != "Ei vapaita aikoja" {
			t.Errorf("declined: visit %v request %+v", ds2.Visit.StartsAt, ds2.Move)
		}
		if n := len(changesOfKind(t, db, "visit.move_requested")); n != 3 {
			t.Errorf("%d move requests journaled, want 3", n)
		}
		if len(changesOfKind(t, db, "visit.move_accepted")) != 1 || len(changesOfKind(t, db, "visit.move_declined")) != 1 {
			t.Error("answers not journaled")
		}
		msgs := systemMessages(t, db, site)
		if len(msgs) != 2 || msgs[0].AuthorKind != "system" || msgs[0].Kind != "visit.move_accepted" ||
			!strings.Contains(msgs[1].Body, "Ei vapaita aikoja") {
			t.Errorf("system messages %+v", msgs)
		}
	})
}

func TestProviderChanges(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, later := visitWorld(t, w)
		maija, staff, staffB := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi"), staffOfB(t, w)
		admin := w.signIn(t, "admin@example.fi")
		site := w.sites["koti"]
		seq := func(id int64) int {
			d, err := w.app.ProviderVisit(ctx, staff, id)
			if err != nil {
				t.Fatal(err)
			}
			return d.Visit.Visit.Sequence
		}
		// Only the site's own provider's staff may change its visits.
		for name, v := range map[string]Viewer{"customer": maija, "provider B": staffB, "admin": admin} {
			if err := w.app.MarkVisitDone(ctx, v, soon, 0, ""); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s marks done: %v", name, err)
			}
			if err := w.app.CancelVisitForProvider(ctx, v, soon, 0, "syy"); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s cancels: %v", name, err)
			}
			if _, _, err := w.app.ProviderFeedbackList(ctx, v, 1); name != "provider B" && !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s lists provider feedback: %v", name, err)
			}
		}
		var bad InvalidInput
		// Reschedule: the window must make sense and lie ahead.
		d := portal.DateOf(t0).AddDays(20)
		day := time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, portal.Helsinki)
		for _, c := range []struct{ from, to LocalTime }{
			{local(day), LocalTime{Clock: local(day.Add(-time.Hour)).Clock}},
			{local(day), LocalTime{Clock: "bad"}},
			{local(t0.Add(-48 * time.Hour)), LocalTime{Clock: local(t0.Add(-46 * time.Hour)).Clock}},
		} {
			if err := w.app.RescheduleVisit(ctx, staff, later, seq(later), c.from, c.to); !errors.As(err, &bad) {
				t.Errorf("reschedule %v–%v: %v", c.from, c.to, err)
			}
		}
		before, _ := w.app.Visit(ctx, maija, site, later)
		if err := w.app.RescheduleVisit(ctx, staff, later, seq(later), local(day), LocalTime{Clock: local(day.Add(2 * time.Hour)).Clock}); err != nil {
			t.Fatal(err)
		}
		after, _ := w.app.Visit(ctx, maija, site, later)
		if !after.Visit.StartsAt.Equal(day) || !after.Visit.EndsAt.Equal(day.Add(2*time.Hour)) || after.Visit.Sequence != before.Visit.Sequence+1 {
			t.Errorf("rescheduled visit %+v", after.Visit)
		}
		// The customer's cancel form from before the move is refused.
		if _, err := w.app.CancelVisit(ctx, maija, site, later, false, shownOf(before)); !errors.As(err, new(*TermsChangedError)) {
			t.Errorf("cancel on old terms after a reschedule: %v", err)
		}
		// Cancel needs a reason; a provider's cancellation costs nothing.
		if err := w.app.CancelVisitForProvider(ctx, staff, soon, seq(soon), "  "); !errors.As(err, &bad) || bad.Field("reason") == "" {
			t.Errorf("cancel without a reason: %v", err)
		}
		if err := w.app.CancelVisitForProvider(ctx, staff, soon, seq(soon), strings.Repeat("x", 600)); !errors.As(err, &bad) {
			t.Errorf("cancel with a 600-character reason: %v", err)
		}
		if err := w.app.CancelVisitForProvider(ctx, staff, soon, seq(soon), "Työntekijä sairastui"); err != nil {
			t.Fatal(err)
		}
		ds, _ := w.app.Visit(ctx, maija, site, soon)
		if ds.Visit.Status != portal.VisitCancelledByProvider || ds.Visit.ProviderNote != "Työntekijä sairastui" {
			t.Errorf("cancelled visit %+v", ds.Visit)
		}
		if err := w.app.CancelVisitForProvider(ctx, staff, soon, seq(soon), "taas"); !errors.As(err, &bad) {
			t.Errorf("cancel twice: %v", err)
		}
		// Done: not before the visit starts; on its day only after the
		// worker's "on the way" and "arrived" (TestLiveStatus); on a later
		// day the office marks it done without them.
		if err := w.app.MarkVisitDone(ctx, staff, later, seq(later), ""); !errors.As(err, &bad) {
			t.Errorf("done before the start: %v", err)
		}
		clock.Set(day.Add(30 * time.Minute))
		if err := w.app.MarkVisitDone(ctx, staff, later, seq(later), ""); !errors.As(err, &bad) ||
			bad.Field("note") != "provider.live.refused.order" {
			t.Errorf("done on the visit's day without arriving: %v", err)
		}
		clock.Set(day.Add(24 * time.Hour))
		if err := w.app.MarkVisitDone(ctx, staff, later, seq(later)-1, ""); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("done on a stale page: %v", err)
		}
		if err := w.app.MarkVisitDone(ctx, staff, later, seq(later), ""); err != nil {
			t.Fatal(err)
		}
		if d, _ := w.app.Visit(ctx, maija, site, later); d.Visit.Status != portal.VisitDone {
			t.Errorf("status after done: %s", d.Visit.Status)
		}
		for _, kind := range []portal.EventKind{"visit.rescheduled", "visit.cancelled_by_provider", "visit.done"} {
			if got := changesOfKind(t, db, kind); len(got) != 1 || got[0].SiteID != site {
				t.Errorf("journal %s: %+v", kind, got)
			}
		}
		msgs := systemMessages(t, db, site)
		if len(msgs) != 3 || !strings.Contains(msgs[1].Body, "Työntekijä sairastui") {
			t.Errorf("system messages %+v", msgs)
		}
		// The customer sees them as unread messages on the dashboard.
		sum, err := w.app.Site(ctx, maija, site)
		if err != nil || sum.Unread != 3 {
			t.Errorf("unread on the dashboard: %d, %v", sum.Unread, err)
		}
	})
}

func TestFeedbackReply(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		maija, staff, staffB := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi"), staffOfB(t, w)
		site := w.sites["koti"]
		if err := w.app.SiteFeedback(ctx, maija, site, "Kiitos hyvästä työstä"); err != nil {
			t.Fatal(err)
		}
		list, _, err := w.app.ProviderFeedbackList(ctx, staff, 1)
		if err != nil || len(list) != 1 || list[0].Feedback.Comment != "Kiitos hyvästä työstä" {
			t.Fatalf("staff's feedback list %+v, %v", list, err)
		}
		id := list[0].Feedback.ID
		if l, _, _ := w.app.ProviderFeedbackList(ctx, staffB, 1); len(l) != 0 {
			t.Errorf("provider B sees A's feedback: %+v", l)
		}
		if err := w.app.ReplyToFeedback(ctx, staffB, id, "Hei"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("provider B replies: %v", err)
		}
		if err := w.app.ReplyToFeedback(ctx, maija, id, "Hei"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("customer replies: %v", err)
		}
		var bad InvalidInput
		if err := w.app.ReplyToFeedback(ctx, staff, id, ""); !errors.As(err, &bad) {
			t.Errorf("empty reply: %v", err)
		}
		if err := w.app.ReplyToFeedback(ctx, staff, id, "Kiitos palautteesta!"); err != nil {
			t.Fatal(err)
		}
		_, history, err := w.app.FeedbackHistory(ctx, maija, site)
		if err != nil || len(history) != 1 || history[0].Reply != "Kiitos palautteesta!" {
			t.Errorf("customer's history %+v, %v", history, err)
		}
		if len(changesOfKind(t, db, "feedback.replied")) != 1 {
			t.Error("reply not journaled")
		}
	})
}
