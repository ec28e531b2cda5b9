package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

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
	Done    string
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
	p.CanRate = app.CanRate(d.Visit, s.app.Now())
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
	switch r.URL.Query().Get("ok") {
	case "peruttu":
		p.Done = "visit.cancelled"
	case "lisatieto":
		p.Done = "visit.noteSaved"
	case "arvio":
		p.Done = "rating.saved"
	case "siirto":
		p.Done = "move.sent"
	}
	return s.render(w, r, http.StatusOK, "visit", p)
}

func (s *Server) visitNote(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	note := r.PostForm.Get("note")
	err = s.app.SetVisitNote(r.Context(), v.Viewer, site, visit, note)
	if err == nil {
		http.Redirect(w, r, visitPath(site, visit)+"?ok=lisatieto", http.StatusSeeOther)
		return nil
	}
	p, perr := s.visitPage(r, v, site, visit)
	if perr != nil {
		return perr
	}
	p.Form.Values["note"] = clip(note, 4*app.MaxNoteLength)
	switch {
	case p.Form.fromInvalid(err):
	case errors.Is(err, app.ErrReadOnly):
		p.Form.FormError = "visit.readOnly"
	default:
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "visit", p)
}

// cancelVisit cancels on the terms the page showed; if they changed, the
// page shows the new ones and nothing is cancelled.
func (s *Server) cancelVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	seq, _ := strconv.Atoi(r.PostForm.Get("sequence"))
	deadline, _ := strconv.ParseInt(r.PostForm.Get("deadline"), 10, 64)
	fee, _ := strconv.ParseInt(r.PostForm.Get("fee"), 10, 64)
	shown := app.ShownTerms{Sequence: seq, Deadline: time.Unix(deadline, 0), FeeCents: fee}
	_, err = s.app.CancelVisit(r.Context(), v.Viewer, site, visit, r.PostForm.Get("illness") == "yes", shown)
	var changed *app.TermsChangedError
	switch {
	case err == nil:
		http.Redirect(w, r, visitPath(site, visit)+"?ok=peruttu", http.StatusSeeOther)
		return nil
	case errors.As(err, &changed), errors.Is(err, app.ErrReadOnly):
		p, perr := s.visitPage(r, v, site, visit)
		if perr != nil {
			return perr
		}
		if changed != nil {
			p.Changed = true
		} else {
			p.Form.FormError = "visit.readOnly"
		}
		return s.render(w, r, http.StatusConflict, "visit", p)
	}
	return err
}

// requestMove sends the customer's request to move a visit to one of up to
// three proposed times.
func (s *Server) requestMove(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	var options []app.LocalTime
	for i := range portal.MaxMoveOptions {
		n := strconv.Itoa(i + 1)
		options = append(options, app.LocalTime{Date: f.Get("date" + n), Clock: f.Get("time" + n)})
	}
	err = s.app.RequestMove(r.Context(), v.Viewer, site, visit, options, f.Get("message"))
	if err == nil {
		http.Redirect(w, r, visitPath(site, visit)+"?ok=siirto", http.StatusSeeOther)
		return nil
	}
	p, perr := s.visitPage(r, v, site, visit)
	if perr != nil {
		return perr
	}
	for i := range portal.MaxMoveOptions {
		n := strconv.Itoa(i + 1)
		p.MoveReq.Values["date"+n], p.MoveReq.Values["time"+n] = clip(f.Get("date"+n), 20), clip(f.Get("time"+n), 20)
	}
	p.MoveReq.Values["message"] = clip(f.Get("message"), 4*app.MaxNoteLength)
	switch {
	case p.MoveReq.fromInvalid(err):
	case errors.Is(err, app.ErrReadOnly):
		p.MoveReq.FormError = "visit.readOnly"
	default:
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "visit", p)
}
