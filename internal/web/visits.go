package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// pathID parses a positive id from the path; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// sitePath is the address of a site's own page.
func sitePath(site int64) string { return "/kohteet/" + strconv.FormatInt(site, 10) }

// visitPath is the address of a visit's page.
func visitPath(site, visit int64) string {
	return sitePath(site) + "/palveluvuorot/" + strconv.FormatInt(visit, 10)
}

type visitsPage struct {
	layout
	app.VisitList
}

// visits lists a site's upcoming visits, or the past ones (?menneet=1).
func (s *Server) visits(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("sivu"))
	list, err := s.app.SiteVisits(r.Context(), v.Viewer, site, r.URL.Query().Get("menneet") != "1", page)
	if err != nil {
		return err
	}
	p := visitsPage{layout: s.base(r, v, "visits.title"), VisitList: list}
	p.CurrentSite, p.Section = site, "visits"
	return s.render(w, r, http.StatusOK, "visits", p)
}

type visitPage struct {
	layout
	app.VisitDetail
	Form    form
	Rating  form
	MoveReq form
	CanRate bool
	Changed bool // the terms changed since they were shown
	// LiveStream is the page's live status stream ("" for staff).
	LiveStream string
}

func (s *Server) visitIDs(r *http.Request) (site, visit int64, err error) {
	if site, err = pathID(r, "site"); err != nil {
		return 0, 0, err
	}
	visit, err = pathID(r, "visit")
	return site, visit, err
}

func (s *Server) visitPage(r *http.Request, v *viewer, site, visit int64) (visitPage, error) {
	d, err := s.app.Visit(r.Context(), v.Viewer, site, visit)
	p := visitPage{layout: s.base(r, v, "visit.title"), VisitDetail: d, Form: newForm(), Rating: newForm(), MoveReq: newForm()}
	p.CurrentSite, p.Section = site, "visits"
	p.Form.Values["note"] = d.Visit.CustomerNote
	if err != nil {
		return p, err
	}
	p.CanRate = app.CanRate(d.Visit, s.app.Now()) && !p.grantDenies(app.CapRate)
	if p.LiveStream, err = s.liveStream(r, v); err != nil {
		return p, err
	}
	if f, ok, err := s.app.VisitRating(r.Context(), v.Viewer, site, visit); err != nil {
		return p, err
	} else if ok {
		p.Rating.Values["rating"], p.Rating.Values["comment"] = strconv.Itoa(f.Rating), f.Comment
	}
	return p, nil
}

// visit shows one visit: when, who, its status and notes, and — before the
// customer confirms — in plain words whether cancelling is free.
func (s *Server) visit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	p, err := s.visitPage(r, v, site, visit)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "visit", p)
}

func (s *Server) visitNote(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return visitPath(site, visit), "lisatieto", s.app.SetVisitNote(r.Context(), v.Viewer, site, visit, in.Get("note"))
		},
		Refuse: refuseReadOnly(http.StatusUnprocessableEntity),
		Page: func(f form, status int) error {
			p, err := s.visitPage(r, v, site, visit)
			if err != nil {
				return err
			}
			f.Values["note"] = clip(r.PostForm.Get("note"), 4*app.MaxNoteLength)
			p.Form = f
			return s.render(w, r, status, "visit", p)
		},
	})
}

// refuseReadOnly shows a change refused on a visit of an ended contract as
// the form's message, with status.
func refuseReadOnly(status int) func(error, *form) int {
	return func(err error, f *form) int {
		if errors.Is(err, app.ErrReadOnly) {
			f.FormError = "visit.readOnly"
			return status
		}
		return 0
	}
}

// requestMove sends the customer's request to move a visit to one of up to
// three proposed times.
func (s *Server) requestMove(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"option1", "option2", "option3", "message"},
		Run: func(in url.Values) (string, string, error) {
			var options []app.LocalTime
			for i := range portal.MaxMoveOptions {
				n := strconv.Itoa(i + 1)
				options = append(options, app.LocalTime{Date: in.Get("date" + n), Clock: in.Get("time" + n)})
			}
			return visitPath(site, visit), "siirto", s.app.RequestMove(r.Context(), v.Viewer, site, visit, options, in.Get("message"))
		},
		Refuse: refuseReadOnly(http.StatusUnprocessableEntity),
		Page: func(f form, status int) error {
			p, err := s.visitPage(r, v, site, visit)
			if err != nil {
				return err
			}
			in := r.PostForm
			for i := range portal.MaxMoveOptions {
				n := strconv.Itoa(i + 1)
				f.Values["date"+n], f.Values["time"+n] = clip(in.Get("date"+n), 20), clip(in.Get("time"+n), 20)
			}
			f.Values["message"] = clip(in.Get("message"), 4*app.MaxNoteLength)
			p.MoveReq = f
			return s.render(w, r, status, "visit", p)
		},
	})
}
