package web

import (
	"net/http"
	"net/url"
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
	return s.render(w, r, http.StatusOK, "feedback", p)
}

func (s *Server) giveFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return sitePath(site) + "/palaute", "palaute", s.app.SiteFeedback(r.Context(), v.Viewer, site, in.Get("comment"))
		},
		Page: func(f form, status int) error {
			p, err := s.feedbackPage(r, v, site)
			if err != nil {
				return err
			}
			f.Values["comment"] = clip(r.PostForm.Get("comment"), 4*app.MaxFeedbackChars)
			p.Form = f
			return s.render(w, r, status, "feedback", p)
		},
	})
}

// rateVisit stores the rating of a done visit.
func (s *Server) rateVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"rating", "comment"},
		Run: func(in url.Values) (string, string, error) {
			rating, _ := strconv.Atoi(in.Get("rating"))
			to := visitPath(site, visit)
			if in.Get("back") == backToDashboard {
				// The dashboard's prompt: back where the stars were.
				to = sitePath(site)
			}
			return to, "arvio", s.app.RateVisit(r.Context(), v.Viewer, site, visit, rating, in.Get("comment"))
		},
		Page: func(f form, status int) error {
			p, err := s.visitPage(r, v, site, visit)
			if err != nil {
				return err
			}
			f.Values["comment"] = clip(r.PostForm.Get("comment"), 4*app.MaxFeedbackChars)
			f.Values["rating"] = clip(r.PostForm.Get("rating"), 20)
			p.Rating = f
			return s.render(w, r, status, "visit", p)
		},
	})
}

type portalFeedbackPage struct {
	layout
	Form form
	From string
	// Sent is set after a redirect with the thanks: the page shows no form.
	Sent bool
}

// portalFeedbackInput reads the posted portal-feedback form.
func (s *Server) portalFeedbackInput(r *http.Request, v *viewer) app.PortalFeedbackInput {
	f := r.PostForm
	return app.PortalFeedbackInput{Message: f.Get("message"), ContactAllowed: f.Get("contact") == "yes",
		ContactEmail: f.Get("email"), Language: string(s.texts(r, v).Lang), Page: localPath(f.Get("from"))}
}

// portalFeedbackForm is "Palautetta Asiakassivusta", reachable from every
// page's footer, signed in or not.
func (s *Server) portalFeedbackForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := portalFeedbackPage{layout: s.base(r, v, "portalfeedback.title"), Form: newForm(), From: localPath(r.URL.Query().Get("sivulta"))}
	p.Sent = p.Notice == notices["kiitos"]
	if v != nil && v.Verified {
		p.Form.Values["email"] = v.Email
	}
	return s.render(w, r, http.StatusOK, "portalfeedback", p)
}

func (s *Server) givePortalFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	var av *app.Viewer
	if v != nil {
		av = &v.Viewer
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"message", "email"},
		Run: func(in url.Values) (string, string, error) {
			return "/palaute", "kiitos", s.app.GivePortalFeedback(r.Context(), av, s.portalFeedbackInput(r, v))
		},
		Page: func(f form, status int) error {
			in := s.portalFeedbackInput(r, v)
			p := portalFeedbackPage{layout: s.base(r, v, "portalfeedback.title"), Form: f, From: in.Page}
			p.Form.Values["message"] = clip(in.Message, 4*app.MaxFeedbackChars)
			p.Form.Values["email"] = clip(in.ContactEmail, 2*emailaddr.MaxLength)
			if in.ContactAllowed {
				p.Form.Values["contact"] = "yes"
			}
			return s.render(w, r, status, "portalfeedback", p)
		},
	})
}
