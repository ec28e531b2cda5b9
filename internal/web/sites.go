package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

type sitesPage struct {
	layout
	Sites           []portal.SiteSummary
	OrderServiceURL string
}

// sites is the first signed-in page: every site of the account with its
// provider, contracts, next visit and latest billing summary.
func (s *Server) sites(w http.ResponseWriter, r *http.Request, v *viewer) error {
	sums, err := s.app.Overview(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	p := sitesPage{layout: s.base(r, v, "sites.title"), Sites: sums}
	if len(sums) == 0 {
		if p.OrderServiceURL, err = s.app.OrderServiceURL(r.Context()); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "sites", p)
}

type sitePage struct {
	layout
	portal.SiteSummary
	ReadOnly bool
	Access   form
	// Cancelled are the cancelled visits still ahead, each with what its
	// cancellation cost.
	Cancelled []portal.Visit
	// ToRate is a done visit not rated yet, for the rating prompt.
	ToRate *portal.Visit
	// LiveStream is the page's live status stream ("" for staff).
	LiveStream string
}

func (s *Server) site(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	d, err := s.app.Dashboard(r.Context(), v.Viewer, id)
	if err != nil {
		return err
	}
	sum := d.SiteSummary
	if !forCopy(r, r.Pattern, v) { // the worker's fetch for the offline copy is not the person opening the site
		http.SetCookie(w, &http.Cookie{Name: siteCookie, Value: strconv.FormatInt(id, 10), Path: "/", HttpOnly: true,
			Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)})
	}
	p := sitePage{layout: s.base(r, v, "site.summary"), SiteSummary: sum, Access: accessForm(sum.Site.Access),
		Cancelled: d.Cancelled, ToRate: d.ToRate}
	p.ReadOnly = portal.ReadOnly(sum.Contracts, p.Today)
	if v.Role == portal.RoleCustomer {
		p.LiveStream = liveStreamPath(d.LiveFrom)
	}
	p.CurrentSite, p.Section = id, "home"
	p.Title = sum.Site.Name
	if p.Title == "" {
		p.Title = sum.Site.Street
	}
	return s.render(w, r, http.StatusOK, "site", p)
}

// static serves embedded files under their content-hashed names; the
// content never changes under a name, so it may be cached for a year.
func (s *Server) static(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	name, ok := s.assets.files[r.PathValue("file")]
	if !ok {
		return portal.ErrNotFound
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if b, ok := s.assets.generated(name); ok {
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
		return nil
	}
	http.ServeFileFS(w, r, embedded, "static/"+name)
	return nil
}

// accessForm fills the access-instructions form from the site.
func accessForm(a portal.AccessInstructions) form {
	f := newForm()
	f.Values["access_keys"], f.Values["access_door_code"], f.Values["access_pets"] = a.Keys, a.DoorCode, a.Pets
	f.Values["access_parking"], f.Values["access_other"] = a.Parking, a.Other
	return f
}

// accessInput reads the posted access-instructions form.
func accessInput(in url.Values) portal.AccessInstructions {
	return portal.AccessInstructions{Keys: in.Get("access_keys"), DoorCode: in.Get("access_door_code"),
		Pets: in.Get("access_pets"), Parking: in.Get("access_parking"), Other: in.Get("access_other")}
}

// setAccess saves the access instructions the customer typed.
func (s *Server) setAccess(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	readOnly := false
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return sitePath(id), "ohjeet", s.app.SetAccessInstructions(r.Context(), v.Viewer, id, accessInput(in))
		},
		Refuse: func(err error, _ *form) int {
			if readOnly = errors.Is(err, app.ErrReadOnly); readOnly {
				return http.StatusUnprocessableEntity
			}
			return 0
		},
		Page: func(f form, status int) error {
			sum, err := s.app.Site(r.Context(), v.Viewer, id)
			if err != nil {
				return err
			}
			for k, val := range accessForm(accessInput(r.PostForm)).Values {
				f.Values[k] = clip(val, 4*app.MaxAccessField)
			}
			p := sitePage{layout: s.base(r, v, "site.summary"), SiteSummary: sum, Access: f, ReadOnly: readOnly}
			p.CurrentSite, p.Section, p.Title = id, "home", sum.Site.Name
			return s.render(w, r, status, "site", p)
		},
	})
}
