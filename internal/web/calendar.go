package web

import (
	"net/http"
	"time"
)

// calendarFeed serves the iCalendar of the account that holds the token;
// the token in the address is the credential (calendar apps send no
// cookies).
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	ics, err := s.app.CalendarFeed(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="palveluvuorot.ics"`)
	_, err = w.Write(ics)
	return err
}

type calendarPage struct {
	layout
	URL    string
	Webcal string
	Since  time.Time
}

// newCalendarFeed makes a new feed address and shows it once.
func (s *Server) newCalendarFeed(w http.ResponseWriter, r *http.Request, v *viewer) error {
	token, err := s.app.NewCalendarFeed(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	u := *s.cfg.BaseURL
	u.Path = "/kalenteri/" + token
	webcal := u
	webcal.Scheme = "webcal"
	p := calendarPage{layout: s.base(r, v, "calendar.title"), URL: u.String(), Webcal: webcal.String()}
	return s.render(w, r, http.StatusOK, "calendar", p)
}

func (s *Server) calendarInfo(w http.ResponseWriter, r *http.Request, v *viewer) error {
	since, err := s.app.CalendarFeedSince(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	p := calendarPage{layout: s.base(r, v, "calendar.title"), Since: since}
	return s.render(w, r, http.StatusOK, "calendar", p)
}

func (s *Server) revokeCalendarFeed(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := s.app.RevokeCalendarFeed(r.Context(), v.Viewer); err != nil {
		return err
	}
	redirectNotice(w, r, "/profiili/kalenteri", "kalenteri-poistettu")
	return nil
}
