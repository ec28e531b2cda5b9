package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"asiakassivu/internal/portal"
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

// visitCalendar downloads one visit as a calendar file ("Lisää
// kalenteriin"): the customer's own visit only, like the visit's page.
func (s *Server) visitCalendar(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	ics, err := s.app.VisitCalendar(r.Context(), v.Viewer, site, visit, string(s.texts(r, v).Lang))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="palveluvuoro-`+strconv.FormatInt(visit, 10)+`.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(ics)
	return err
}

// visitCalendarPath is the address of a visit's calendar file.
func visitCalendarPath(site, visit int64) string { return visitPath(site, visit) + "/kalenteri.ics" }

// webcalLink is the link that opens a feed address in the calendar app: a
// webcal: URL on the portal's own host. newWebcalLink is the only way to
// make one, so a page can link to nothing else with this scheme.
type webcalLink struct{ u string }

// newWebcalLink checks that raw is a webcal: URL of a calendar feed on the
// host of the portal's base URL (no user, no query, no fragment) and
// returns it as a link; anything else is an error.
func newWebcalLink(base *url.URL, raw string) (webcalLink, error) {
	if base == nil || base.Host == "" {
		return webcalLink{}, errors.New("webcal link: the portal has no base URL")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return webcalLink{}, fmt.Errorf("webcal link: %w", err)
	case u.Scheme != "webcal":
		return webcalLink{}, fmt.Errorf("webcal link: scheme %q is not webcal", u.Scheme)
	case u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return webcalLink{}, errors.New("webcal link: only a host and a path are allowed")
	case !strings.EqualFold(u.Host, base.Host):
		return webcalLink{}, fmt.Errorf("webcal link: host %q is not the portal's %q", u.Host, base.Host)
	case !strings.HasPrefix(u.Path, "/kalenteri/") || strings.Contains(u.Path[len("/kalenteri/"):], "/"):
		return webcalLink{}, errors.New("webcal link: not a calendar feed's path")
	}
	return webcalLink{u: u.String()}, nil
}

// URL is the link target; a link never made by newWebcalLink leads
// nowhere.
func (l webcalLink) URL() templ.SafeURL {
	if l.u == "" {
		return "about:invalid#webcal"
	}
	return templ.SafeURL(l.u)
}

// calendarState is what the calendar part of the profile shows: the
// feed's address once, right after it was made (URL and Webcal), or when
// the current one was made, and whether its events carry the street
// address. OwnPage is set on the calendar's own page, where the section's
// heading is the page's.
type calendarState struct {
	L       texts
	URL     string
	Webcal  webcalLink
	Feed    portal.CalendarFeed
	OwnPage bool
	// Copy is the copy script's address (calendar.js).
	Copy string
}

// HasFeed reports whether the account has a feed address.
func (c calendarState) HasFeed() bool { return c.URL != "" || !c.Feed.CreatedAt.IsZero() }

// calendarStateOf is the calendar section of the viewer's profile.
func (s *Server) calendarStateOf(r *http.Request, v *viewer, l layout) (calendarState, error) {
	feed, err := s.app.CalendarFeedOf(r.Context(), v.Viewer)
	return calendarState{L: l.L, Feed: feed, Copy: l.asset("calendar.js")}, err
}

type calendarPage struct {
	layout
	Calendar calendarState
}

// newCalendarFeed makes a new feed address and shows it once, with the
// button that opens it in the calendar app.
func (s *Server) newCalendarFeed(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	p := calendarPage{layout: s.base(r, v, "calendar.title")}
	showAddress := r.PostForm.Get("show_address") == "1"
	token, err := s.app.NewCalendarFeed(r.Context(), v.Viewer, string(p.L.Lang), showAddress)
	if err != nil {
		return err
	}
	if s.cfg.BaseURL == nil {
		return errors.New("calendar feed: the portal has no base URL")
	}
	u := *s.cfg.BaseURL
	u.Path, u.RawPath, u.RawQuery, u.Fragment = "/kalenteri/"+token, "", "", ""
	wc := u
	wc.Scheme = "webcal"
	link, err := newWebcalLink(s.cfg.BaseURL, wc.String())
	if err != nil {
		return err
	}
	p.Calendar = calendarState{L: p.L, URL: u.String(), Webcal: link, OwnPage: true, Copy: p.asset("calendar.js"),
		Feed: portal.CalendarFeed{AccountID: v.AccountID, Language: string(p.L.Lang), ShowAddress: showAddress}}
	return s.render(w, r, http.StatusOK, "calendar", p)
}

func (s *Server) calendarInfo(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := calendarPage{layout: s.base(r, v, "calendar.title")}
	c, err := s.calendarStateOf(r, v, p.layout)
	if err != nil {
		return err
	}
	c.OwnPage = true
	p.Calendar = c
	return s.render(w, r, http.StatusOK, "calendar", p)
}

// setCalendarAddress turns the street address of the feed on or off.
func (s *Server) setCalendarAddress(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	on := r.PostForm.Get("show_address") == "1"
	err := s.app.SetCalendarShowAddress(r.Context(), v.Viewer, on)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		// The feed was removed meanwhile (another device): the page says
		// there is none.
		redirectNotice(w, r, "/profiili/kalenteri", "")
		return nil
	case err != nil:
		return err
	case on:
		redirectNotice(w, r, "/profiili/kalenteri", "osoite-kalenteriin")
	default:
		redirectNotice(w, r, "/profiili/kalenteri", "osoite-pois")
	}
	return nil
}

func (s *Server) revokeCalendarFeed(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := s.app.RevokeCalendarFeed(r.Context(), v.Viewer); err != nil {
		return err
	}
	redirectNotice(w, r, "/profiili/kalenteri", "kalenteri-poistettu")
	return nil
}
