package web

import (
	"net/http"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// backToDashboard is the value of the rating form's "back" field when the
// stars are the dashboard's prompt: the rating leads back there.
const backToDashboard = "koti"

// latestInvoicePath is where the dashboard's billing card leads: the
// latest billing summary, or the site's bills when there is none.
func latestInvoicePath(sum portal.SiteSummary) string {
	if sum.LatestInvoice != nil {
		return sitePath(sum.Site.ID) + "/laskut/" + itoa(sum.LatestInvoice.ID)
	}
	return sitePath(sum.Site.ID) + "/laskut"
}

// isWelcome tells whether a page's notice is the welcome after a new
// account's code, and legacyWelcome the one of a legacy extranet user.
func (l layout) isWelcome() bool     { return l.Notice == notices["tervetuloa"] || l.legacyWelcome() }
func (l layout) legacyWelcome() bool { return l.Notice == notices["tervetuloa-vanha"] }

// stars are the values of the rating prompt's buttons.
var stars = []int{1, 2, 3, 4, 5}

type contactPage struct {
	layout
	app.Contacts
}

// contact is the contact page: the chain's customer service, and a
// signed-in customer's own homes with their providers.
func (s *Server) contact(w http.ResponseWriter, r *http.Request, v *viewer) error {
	var av app.Viewer
	if v != nil {
		av = v.Viewer
	}
	c, err := s.app.Contacts(r.Context(), av)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "contact", contactPage{layout: s.base(r, v, "pages.contact.title"), Contacts: c})
}

// portalVisit shortens the component signatures.
type portalVisit = portal.Visit
