package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

// Family access (PRODUCT.md C11): the owner's "who has access" page with
// the invitation form and revoke buttons, the invitation link's page, and
// the relative's "leave this home" button. Who may do what is app's
// (app.GrantAllows); these handlers only show and post.

// inviteCookie remembers an invitation link while its invitee signs up:
// verifying the new address leads back to the link (verify).
const inviteCookie = "asiakassivu_invite"

// grantsPath is a site's "who has access" page.
func grantsPath(site int64) string { return sitePath(site) + "/paasy" }

type grantsPage struct {
	layout
	Site   portal.Site
	Grants []app.SiteGrant
	Form   form
}

// Full reports whether the site's places are all taken.
func (p grantsPage) Full() bool { return len(p.Grants) >= portal.MaxGrantsPerSite }

// siteGrants is the owner's page of who has access to a home.
func (s *Server) siteGrants(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	return s.renderGrants(w, r, v, id, newForm("email", "role"), http.StatusOK)
}

func (s *Server) renderGrants(w http.ResponseWriter, r *http.Request, v *viewer, id int64, f form, status int) error {
	grants, err := s.app.SiteGrants(r.Context(), v.Viewer, id)
	if err != nil {
		return err
	}
	sum, err := s.app.Site(r.Context(), v.Viewer, id)
	if err != nil {
		return err
	}
	p := grantsPage{layout: s.base(r, v, "grants.title"), Site: sum.Site, Grants: grants, Form: f}
	p.CurrentSite, p.Section = id, "home"
	return s.render(w, r, status, "grants", p)
}

// inviteToSite posts the invitation form.
func (s *Server) inviteToSite(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"email", "role"},
		Run: func(in url.Values) (string, string, error) {
			_, err := s.app.InviteToSite(r.Context(), v.Viewer, id, app.Invitation{Email: strings.TrimSpace(in.Get("email")),
				Role: portal.GrantRole(in.Get("role")), Language: string(s.texts(r, v).Lang)})
			return grantsPath(id), "kutsu-lahetetty", err
		},
		Page: func(f form, status int) error {
			f.Values["email"] = clip(strings.TrimSpace(r.PostForm.Get("email")), 2*emailaddr.MaxLength)
			if role := portal.GrantRole(r.PostForm.Get("role")); role.Valid() {
				f.Values["role"] = string(role)
			}
			return s.renderGrants(w, r, v, id, f, status)
		},
	})
}

// revokeGrant ends a grant (or withdraws an invitation) in one step.
func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	grant, err := pathID(r, "grant")
	if err != nil {
		return err
	}
	if err := s.app.RevokeGrant(r.Context(), v.Viewer, id, grant); err != nil {
		return err
	}
	redirectNotice(w, r, grantsPath(id), "paasy-poistettu")
	return nil
}

// leaveSite ends the viewer's own grant on a home.
func (s *Server) leaveSite(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "site")
	if err != nil {
		return err
	}
	if err := s.app.LeaveSite(r.Context(), v.Viewer, id); err != nil {
		return err
	}
	redirectNotice(w, r, "/kohteet", "poistuttu")
	return nil
}

type invitePage struct {
	layout
	Token  string
	Invite app.InviteView
	// Refused is the text key of why the link cannot be used ("" when it
	// can); SignedIn tells whether to offer accepting or signing in.
	Refused  string
	SignedIn bool
}

// invitePath is the page of an invitation link.
func invitePath(token string) string { return app.InvitePath(token) }

// invite is the invitation link's page: who invites to which home with
// which role and what the role allows; a signed-in person accepts it, a
// signed-out one signs in or creates an account first and comes back.
func (s *Server) invite(w http.ResponseWriter, r *http.Request, v *viewer) error {
	token := r.PathValue("token")
	iv, err := s.app.Invite(r.Context(), token)
	p := invitePage{layout: s.base(r, v, "invite.title"), Token: token, Invite: iv, SignedIn: v != nil && v.Verified}
	p.NoIndex = true
	if status, key := inviteRefusal(err); key != "" {
		p.Refused = key
		return s.render(w, r, status, "invite", p)
	} else if err != nil {
		return err
	}
	if !p.SignedIn {
		// Signing up with a code comes back here (verify).
		http.SetCookie(w, &http.Cookie{Name: inviteCookie, Value: token, Path: "/vahvista", MaxAge: int(portal.GrantInviteTTL / time.Second),
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
	return s.render(w, r, http.StatusOK, "invite", p)
}

// inviteRefusal is the status and text of an invitation link that cannot
// be used; key "" for any other error.
func inviteRefusal(err error) (int, string) {
	switch {
	case errors.Is(err, app.ErrInviteExpired):
		return http.StatusGone, "invite.expired"
	case errors.Is(err, app.ErrInviteUsed):
		return http.StatusGone, "invite.used"
	case errors.Is(err, app.ErrInviteOtherAddress):
		return http.StatusForbidden, "invite.otherAddress"
	}
	return 0, ""
}

// acceptInvite accepts an invitation for the signed-in account.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request, v *viewer) error {
	token := r.PathValue("token")
	site, err := s.app.AcceptInvite(r.Context(), v.Viewer, token)
	if status, key := inviteRefusal(err); key != "" {
		iv, _ := s.app.Invite(r.Context(), token)
		p := invitePage{layout: s.base(r, v, "invite.title"), Token: token, Invite: iv, SignedIn: true, Refused: key}
		p.NoIndex = true
		return s.render(w, r, status, "invite", p)
	} else if err != nil {
		return err
	}
	redirectNotice(w, r, sitePath(site), "kutsu-hyvaksytty")
	return nil
}

// invitedBack is where verifying a new account leads when it was created
// from an invitation link (the cookie invite set), or "".
func (s *Server) invitedBack(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(inviteCookie)
	if err != nil || len(c.Value) != 43 {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: inviteCookie, Value: "", Path: "/vahvista", MaxAge: -1, HttpOnly: true, Secure: s.secure})
	return invitePath(c.Value)
}

// grantRoleText is the text key of a grant role's name, and
// grantRoleHelp of what it allows.
func grantRoleText(r portal.GrantRole) string { return "grants.role." + string(r) }
func grantRoleHelp(r portal.GrantRole) string { return "grants.role." + string(r) + ".help" }

// grantDenies reports whether the viewer reaches the page's site under a
// grant whose role does not allow c: the page then hides what would need
// it (the use case would refuse it anyway).
func (l layout) grantDenies(c app.Capability) bool {
	if l.Viewer == nil || l.CurrentSite == 0 {
		return false
	}
	link, ok := l.Viewer.Link(l.CurrentSite)
	return ok && link.Role != "" && !app.GrantAllows(link.Role, c)
}

// grantLink is how the viewer reaches the page's site (zero for their own).
func (l layout) grantLink() portal.GrantLink {
	if l.Viewer == nil || l.CurrentSite == 0 {
		return portal.GrantLink{}
	}
	link, _ := l.Viewer.Link(l.CurrentSite)
	return link
}

// statementLink is where the bills page's statement link leads: a
// relative's to the home's own statement (their own leaves the home out),
// the owner's to their statement of all their homes.
func (p billingPage) statementLink() string {
	if p.grantLink().Role != "" {
		return sitePath(p.B.Site.Site.ID) + "/vuosikooste"
	}
	return "/vuosikooste"
}
