package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// The provider's side: staff see the visits of their own provider's sites
// and change them, answer move requests and reply to feedback. The app
// answers portal.ErrNotFound to everyone else, so for customers these
// pages do not exist.

// providerPath is the address of a visit's page on the provider's side.
func providerPath(visit int64) string {
	return "/tuottaja/palveluvuorot/" + strconv.FormatInt(visit, 10)
}

// providerLayout is the shared page data of the provider's pages: no site
// switcher (staff work across all their provider's sites).
func (s *Server) providerLayout(r *http.Request, v *viewer, title, section string) layout {
	l := s.base(r, v, title)
	l.MenuSites, l.CurrentSite, l.Section = nil, 0, section
	return l
}

type providerPage struct {
	layout
	app.ProviderSchedule
}

// providerHome is the provider's schedule: one Helsinki day (today unless
// the address names another) a page at a time, filtered by status and
// worker, with the move requests waiting for an answer. The filters are a
// GET form, so they work without JavaScript and a view can be bookmarked.
func (s *Server) providerHome(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("sivu"))
	sched, err := s.app.ProviderVisits(r.Context(), v.Viewer, app.ScheduleQuery{Day: q.Get("paiva"),
		Filter: app.ScheduleFilter(q.Get("tila")), Worker: clip(q.Get("tekija"), 200), Page: page,
		After: q.Get("jalkeen"), Before: q.Get("ennen")})
	if err != nil {
		return err
	}
	p := providerPage{layout: s.providerLayout(r, v, "provider.title", "provider.visits"), ProviderSchedule: sched}
	return s.render(w, r, http.StatusOK, "provider", p)
}

// schedulePath is the address of the schedule on day with the page's
// filter and worker, at page n of the day.
func (p providerPage) schedulePath(day portal.Date, n int) string {
	q := url.Values{}
	if day != p.Today {
		q.Set("paiva", day.String())
	}
	if p.Filter != app.ScheduleActive {
		q.Set("tila", string(p.Filter))
	}
	if p.Worker != "" {
		q.Set("tekija", p.Worker)
	}
	if n > 1 {
		q.Set("sivu", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return "/tuottaja"
	}
	return "/tuottaja?" + q.Encode()
}

// nextStep is the live step a visit of the schedule takes next, on its
// day only (portal.CheckLiveStep); LiveNone when none.
func (p providerPage) nextStep(v providerVisit) portal.LiveStep {
	if portal.DateOf(v.Visit.StartsAt) != portal.DateOf(p.Now) {
		return portal.LiveNone
	}
	for _, step := range []portal.LiveStep{portal.LiveDeparted, portal.LiveArrived, portal.LiveDone} {
		if portal.CheckLiveStep(v.Visit, step, p.Now) == "" {
			return step
		}
	}
	return portal.LiveNone
}

// nextPagePath is the address of the page after this one: its number and
// where it starts (keyset paging), so that a deep page walks only its own
// visits.
func (p providerPage) nextPagePath() string {
	return withCursor(p.schedulePath(p.Day, p.Page+1), "jalkeen", p.Next)
}

// prevPagePath is the address of the page before this one: the first page
// as it is, a later one by where this one starts.
func (p providerPage) prevPagePath() string {
	if p.Page <= 2 {
		return p.schedulePath(p.Day, 1)
	}
	return withCursor(p.schedulePath(p.Day, p.Page-1), "ennen", p.Prev)
}

// withCursor adds a page cursor to a schedule address (none when empty:
// the page is then found by counting).
func withCursor(path, name, cursor string) string {
	if cursor == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + url.Values{name: {cursor}}.Encode()
}

// filterPath is the address of the shown day with another filter.
func (p providerPage) filterPath(f app.ScheduleFilter) string {
	c := p
	c.Filter = f
	return c.schedulePath(p.Day, 1)
}

// dayName names a day of the schedule: "Tänään", "Huomenna" or the
// weekday, with the date.
func (p providerPage) dayName(d portal.Date) string {
	day := p.L.Weekday(d.Time().Weekday()) + " " + p.L.Day(d)
	switch d {
	case p.Today:
		return p.L.T("sched.today", "day", day)
	case p.Today.AddDays(1):
		return p.L.T("sched.tomorrow", "day", day)
	}
	return day
}

// filterName names a filter of the schedule.
func (l texts) filterName(f app.ScheduleFilter) string {
	return l.T("sched.filter." + orText(string(f), "active"))
}

// statusClass is the class that colours a visit's status: st-done,
// st-cancelled, st-move, st-agreed.
func statusClass(v providerVisit) string {
	st := v.Visit.Status
	switch {
	case st.Cancelled():
		return "st st-cancelled"
	case st == portal.VisitDone:
		return "st st-done"
	case v.MovePending:
		return "st st-move"
	}
	return "st st-agreed"
}

// clockSpan is a visit's time window on its day: "9.00–12.00".
func (l texts) clockSpan(v portal.Visit) string {
	return l.Clock(v.StartsAt.In(portal.Helsinki)) + "–" + l.Clock(v.EndsAt.In(portal.Helsinki))
}

type providerVisitPage struct {
	layout
	app.ProviderVisitDetail
	// One form per action, so an error shows next to the form it is about.
	Reschedule, Cancel, Done, Answer, Depart, Arrive form
	Changed                                          bool
}

func (s *Server) providerVisitPage(r *http.Request, v *viewer, visit int64) (providerVisitPage, error) {
	d, err := s.app.ProviderVisit(r.Context(), v.Viewer, visit)
	p := providerVisitPage{layout: s.providerLayout(r, v, "visit.title", "provider.visits"), ProviderVisitDetail: d,
		Reschedule: newForm(), Cancel: newForm(), Done: newForm(), Answer: newForm(), Depart: newForm(), Arrive: newForm()}
	if err != nil {
		return p, err
	}
	l := d.Visit.Visit.StartsAt.In(portal.Helsinki)
	p.Reschedule.Values["date"] = l.Format("2006-01-02")
	p.Reschedule.Values["start"] = l.Format("15:04")
	p.Reschedule.Values["end"] = d.Visit.Visit.EndsAt.In(portal.Helsinki).Format("15:04")
	return p, nil
}

// providerVisit shows one visit with the site's access instructions, the
// customer's note, rating and move request, and the staff's actions.
func (s *Server) providerVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	visit, err := pathID(r, "visit")
	if err != nil {
		return err
	}
	p, err := s.providerVisitPage(r, v, visit)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "providervisit", p)
}

// providerAction runs one staff action on a visit from a posted form: on
// success back to the visit page with a notice; on bad input or a visit
// that changed meanwhile the page again with the form's errors and what
// was typed.
func (s *Server) providerAction(w http.ResponseWriter, r *http.Request, v *viewer, done string,
	pick func(p *providerVisitPage) *form, run func(visit int64, seq int) error) error {
	visit, err := pathID(r, "visit")
	if err != nil {
		return err
	}
	conflict := false
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			seq, _ := strconv.Atoi(in.Get("sequence"))
			return providerPath(visit), done, run(visit, seq)
		},
		Refuse: func(err error, _ *form) int {
			if conflict = errors.Is(err, portal.ErrConflict); conflict {
				return http.StatusConflict
			}
			return 0
		},
		Page: func(f form, status int) error {
			p, err := s.providerVisitPage(r, v, visit)
			if err != nil {
				return err
			}
			for k := range r.PostForm {
				if k != "sequence" {
					f.Values[k] = clip(r.PostForm.Get(k), 4*app.MaxReasonLength)
				}
			}
			*pick(&p), p.Changed = f, conflict
			return s.render(w, r, status, "providervisit", p)
		},
	})
}

func (s *Server) rescheduleVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.providerAction(w, r, v, "siirretty", func(p *providerVisitPage) *form { return &p.Reschedule },
		func(visit int64, seq int) error {
			f := r.PostForm
			return s.app.RescheduleVisit(r.Context(), v.Viewer, visit, seq, app.LocalTime{Date: f.Get("date"), Clock: f.Get("start")},
				app.LocalTime{Clock: f.Get("end")})
		})
}

func (s *Server) providerCancelVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.providerAction(w, r, v, "tuottaja-peruttu", func(p *providerVisitPage) *form { return &p.Cancel },
		func(visit int64, seq int) error {
			return s.app.CancelVisitForProvider(r.Context(), v.Viewer, visit, seq, r.PostForm.Get("reason"))
		})
}

func (s *Server) markVisitDone(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.providerAction(w, r, v, "tehty", func(p *providerVisitPage) *form { return &p.Done },
		func(visit int64, seq int) error {
			return s.app.MarkVisitDone(r.Context(), v.Viewer, visit, seq, r.PostForm.Get("note"))
		})
}

// departVisit is the worker's "Lähdin matkaan" for today's visit, with an
// optional arrival estimate in minutes.
func (s *Server) departVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.providerAction(w, r, v, "matkalla", func(p *providerVisitPage) *form { return &p.Depart },
		func(visit int64, seq int) error {
			return s.app.DepartVisit(r.Context(), v.Viewer, visit, seq, r.PostForm.Get("eta"))
		})
}

// arriveVisit is the worker's "Perillä" for today's visit.
func (s *Server) arriveVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.providerAction(w, r, v, "perilla", func(p *providerVisitPage) *form { return &p.Arrive },
		func(visit int64, seq int) error { return s.app.ArriveVisit(r.Context(), v.Viewer, visit, seq) })
}

func (s *Server) answerMove(w http.ResponseWriter, r *http.Request, v *viewer) error {
	accept := r.PostFormValue("decision") == "accept"
	kind := "hylatty"
	if accept {
		kind = "hyvaksytty"
	}
	return s.providerAction(w, r, v, kind, func(p *providerVisitPage) *form { return &p.Answer },
		func(visit int64, seq int) error {
			f := r.PostForm
			request, _ := strconv.ParseInt(f.Get("request"), 10, 64)
			option, _ := strconv.Atoi(f.Get("option"))
			return s.app.AnswerMove(r.Context(), v.Viewer, visit, seq, request, accept, option, f.Get("answer"))
		})
}

type providerFeedbackPage struct {
	layout
	Feedback []portal.ProviderFeedback
	Page     int
	More     bool
	// Form holds the reply that failed, for the feedback it was about.
	Form    form
	FormFor int64
	// Blank is the empty form of every other feedback's reply.
	Blank form
}

func (s *Server) providerFeedbackPage(r *http.Request, v *viewer) (providerFeedbackPage, error) {
	page, _ := strconv.Atoi(r.URL.Query().Get("sivu"))
	list, more, err := s.app.ProviderFeedbackList(r.Context(), v.Viewer, page)
	p := providerFeedbackPage{layout: s.providerLayout(r, v, "provider.feedback.title", "provider.feedback"),
		Feedback: list, Page: max(page, 1), More: more, Form: newForm(), Blank: newForm()}
	return p, err
}

// providerFeedback lists the feedback on the provider's sites, unanswered
// first, each with a reply form.
func (s *Server) providerFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.providerFeedbackPage(r, v)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "providerfeedback", p)
}

func (s *Server) replyFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "feedback")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return "/tuottaja/palaute", "vastattu", s.app.ReplyToFeedback(r.Context(), v.Viewer, id, in.Get("reply"))
		},
		Page: func(f form, status int) error {
			p, err := s.providerFeedbackPage(r, v)
			if err != nil {
				return err
			}
			f.Values["reply"] = clip(r.PostForm.Get("reply"), 4*app.MaxReasonLength)
			p.Form, p.FormFor = f, id
			return s.render(w, r, status, "providerfeedback", p)
		},
	})
}
