package web

import (
	"errors"
	"net/http"
	"strconv"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

type feedbackPage struct {
	layout
	Site     portal.Site
	Feedback []portal.Feedback
	Form     form
	Saved    bool
}

func (s *Server) feedbackPage(r *http.Request, v *viewer, site int64) (feedbackPage, error) {
	st, fb, err := s.app.FeedbackHistory(r.Context(), v.Viewer, site)
	p := feedbackPage{layout: s.base(r, v, "feedback.title"), Site: st, Feedback: fb, Form: newForm()}
	p.CurrentSite, p.Section = site, "feedback"
	return p, err
}

// feedback shows a site's feedback history (migrated feedback included) and
// a form for general feedback.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	p, err := s.feedbackPage(r, v, site)
	if err != nil {
		return err
	}
	p.Saved = r.URL.Query().Get("ok") == "1"
	return s.render(w, r, http.StatusOK, "feedback", p)
}

func (s *Server) giveFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	comment := r.PostForm.Get("comment")
	err = s.app.SiteFeedback(r.Context(), v.Viewer, site, comment)
	if err == nil {
		http.Redirect(w, r, sitePath(site)+"/palaute?ok=1", http.StatusSeeOther)
		return nil
	}
	p, perr := s.feedbackPage(r, v, site)
	if perr != nil {
		return perr
	}
	p.Form.Values["comment"] = clip(comment, 4*app.MaxFeedbackChars)
	if !p.Form.fromInvalid(err) {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "feedback", p)
}

// rateVisit stores the rating of a done visit.
func (s *Server) rateVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	rating, _ := strconv.Atoi(r.PostForm.Get("rating"))
	comment := r.PostForm.Get("comment")
	err = s.app.RateVisit(r.Context(), v.Viewer, site, visit, rating, comment)
	if err == nil {
		http.Redirect(w, r, visitPath(site, visit)+"?ok=arvio", http.StatusSeeOther)
		return nil
	}
	p, perr := s.visitPage(r, v, site, visit)
	if perr != nil {
		return perr
	}
	p.Rating.Values["comment"] = clip(comment, 4*app.MaxFeedbackChars)
	p.Rating.Values["rating"] = r.PostForm.Get("rating")
	var bad app.InvalidInput
	if !errors.As(err, &bad) {
		return err
	}
	p.Rating.fromInvalid(err)
	return s.render(w, r, http.StatusUnprocessableEntity, "visit", p)
}

type portalFeedbackPage struct {
	layout
	Form form
	From string
	Sent bool
}

// portalFeedbackForm is "Palautetta Asiakassivusta", reachable from every
// page's footer, signed in or not.
func (s *Server) portalFeedbackForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := portalFeedbackPage{layout: s.base(r, v, "portalfeedback.title"), Form: newForm(),
		From: localPath(r.URL.Query().Get("sivulta")), Sent: r.URL.Query().Get("ok") == "1"}
	if v != nil && v.Verified {
		p.Form.Values["email"] = v.Email
	}
	return s.render(w, r, http.StatusOK, "portalfeedback", p)
}

func (s *Server) givePortalFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := app.PortalFeedbackInput{Message: r.PostForm.Get("message"), ContactAllowed: r.PostForm.Get("contact") == "yes",
		ContactEmail: r.PostForm.Get("email"), Language: string(s.texts(r, v).Lang), Page: localPath(r.PostForm.Get("from"))}
	var av *app.Viewer
	if v != nil {
		av = &v.Viewer
	}
	err := s.app.GivePortalFeedback(r.Context(), av, in)
	if err == nil {
		http.Redirect(w, r, "/palaute?ok=1", http.StatusSeeOther)
		return nil
	}
	p := portalFeedbackPage{layout: s.base(r, v, "portalfeedback.title"), Form: newForm(), From: in.Page}
	p.Form.Values["message"] = clip(in.Message, 4*app.MaxFeedbackChars)
	p.Form.Values["email"] = clip(in.ContactEmail, 2*emailaddr.MaxLength)
	if in.ContactAllowed {
		p.Form.Values["contact"] = "yes"
	}
	if !p.Form.fromInvalid(err) {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "portalfeedback", p)
}
