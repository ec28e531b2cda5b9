package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// The offline copy (PRODUCT.md C13): the service worker keeps, for the
// signed-in customer only, the pages they need at the door. The server
// decides which (offlineCopyList); the worker fetches each with the
// copyHeader, and only the routes in keptRoutes, asked so by a customer,
// answer without "no-store" — every other answer says no-store and the
// worker keeps nothing that says so.

// copyListPath is the list of what the device may keep, scoped by the
// session.
const copyListPath = "/offline/kopio"

// copyHeader marks the service worker's request for a page of the copy.
const copyHeader = "Offline-Copy"

// copyForget is the page's word to the worker when no one is signed in:
// drop any copy.
const copyForget = "none"

// keptRoutes are the routes whose pages may be kept: the sites (the
// dashboard), a site's page (its access instructions and the provider's
// contacts), its upcoming visits, a visit and a bill. Never the profile,
// the consent page, messages, staff or admin pages.
var keptRoutes = map[string]bool{
	"GET /kohteet":                              true,
	"GET /kohteet/{site}":                       true,
	"GET /kohteet/{site}/palveluvuorot":         true,
	"GET /kohteet/{site}/palveluvuorot/{visit}": true,
	"GET /kohteet/{site}/laskut/{invoice}":      true,
}

// copyName names a customer's copy on the device. It is derived from the
// account's id and the homes it sees with its role in each (none of it a
// secret): it differs between accounts, so a change of account on the
// device finds the other copy and drops it, and it changes when a home is
// granted, revoked or left (family access), so the worker drops the copy
// that holds a home no longer theirs and keeps the new set at once.
func copyName(accountID int64, sites []portal.Site) string {
	keys := make([]string, 0, len(sites))
	for _, s := range sites {
		keys = append(keys, strconv.FormatInt(s.ID, 10)+":"+string(s.Grant.Role))
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte("asiakassivu offline copy\x00" + strconv.FormatInt(accountID, 10) + "\x00" + strings.Join(keys, ",")))
	return hex.EncodeToString(sum[:12])
}

// keepsCopy reports whether v is a customer whose device keeps a copy.
func keepsCopy(v *viewer) bool {
	return v != nil && v.Verified && v.Role == portal.RoleCustomer && !v.NeedsSecondFactor()
}

// forCopy reports whether r is the service worker's request for a page of
// v's copy, on a route that may be kept.
func forCopy(r *http.Request, pattern string, v *viewer) bool {
	return r.Method == http.MethodGet && r.Header.Get(copyHeader) == "1" && keptRoutes[pattern] && keepsCopy(v)
}

// copyMark is what a page says to the worker (layout.Copy) and, for a page
// fetched for the copy, the time it shows as fetched.
func (s *Server) copyMark(r *http.Request, v *viewer) (string, time.Time) {
	switch {
	case v == nil:
		return copyForget, time.Time{}
	case !keepsCopy(v):
		if v.Verified && v.NeedsSecondFactor() {
			return "", time.Time{} // half signed in: neither keep nor drop yet
		}
		return copyForget, time.Time{}
	case forCopy(r, r.Pattern, v):
		return copyName(v.AccountID, v.Sites), s.app.Now()
	}
	return copyName(v.AccountID, v.Sites), time.Time{}
}

// copiedAt is the banner of a page shown from the copy: "Ei
// verkkoyhteyttä — tiedot ajalta ti 9.12. klo 8.05", in Helsinki time.
func (l texts) copiedAt(t time.Time) string {
	t = t.In(portal.Helsinki)
	day := strconv.Itoa(t.Day()) + "." + strconv.Itoa(int(t.Month())) + "."
	if l.Lang == i18n.English {
		day = strconv.Itoa(t.Day()) + " " + t.Month().String()[:3]
	}
	return l.T("offline.copy.banner", "day", l.Weekday(t.Weekday()), "date", day, "time", l.Clock(t))
}

// copyList is the answer of copyListPath: the copy's name, the page that
// stands for the front page, and the pages to keep. An empty name tells
// the worker to keep nothing.
type copyList struct {
	Copy  string   `json:"copy"`
	Home  string   `json:"home"`
	Pages []string `json:"pages"`
}

// offlineCopyList tells the service worker what this device may keep for
// the signed-in person: nothing for staff and admins.
func (s *Server) offlineCopyList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !keepsCopy(v) {
		return writeJSON(w, http.StatusOK, copyList{Pages: []string{}})
	}
	sites, err := s.app.OfflineCopy(r.Context(), v.Viewer)
	if errors.Is(err, portal.ErrForbidden) {
		return writeJSON(w, http.StatusOK, copyList{Pages: []string{}})
	}
	if err != nil {
		return err
	}
	out := copyList{Copy: copyName(v.AccountID, v.Sites), Home: "/kohteet", Pages: []string{"/kohteet"}}
	var all []portal.Site
	for _, st := range sites {
		all = append(all, st.Site)
		site := sitePath(st.Site.ID)
		out.Pages = append(out.Pages, site, site+"/palveluvuorot")
		for _, vi := range st.Visits {
			out.Pages = append(out.Pages, site+"/palveluvuorot/"+strconv.FormatInt(vi.ID, 10))
		}
		if inv := st.LatestInvoice; inv != nil {
			out.Pages = append(out.Pages, site+"/laskut/"+strconv.FormatInt(inv.ID, 10))
		}
	}
	// The front page leads to the site last opened on this device.
	if id := s.rememberedSite(r, all); id != 0 {
		out.Home = sitePath(id)
	}
	return writeJSON(w, http.StatusOK, out)
}
