package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Capability is one thing a person may do on a site. Family access
// (PRODUCT.md C11) gives a relative some of them with a grant's role; the
// site's owner has them all. GrantAllows is the one table of what each
// role gives; Viewer.scopeFor turns it into the store's scope, so every
// use case asks the same question: "may this viewer do c on site s".
type Capability int

// The capabilities. The first ones (to CapStatement) are a site's, given
// to grant roles per GrantAllows; the last ones are never a grant's.
const (
	// CapView: the site's page, visits, provider contacts.
	CapView Capability = iota
	// CapMessage: read and write the site's messages.
	CapMessage
	// CapFeedback: read and give feedback on the site.
	CapFeedback
	// CapNotify: notifications of the site (when turned on).
	CapNotify
	// CapCancel: cancel a visit.
	CapCancel
	// CapMove: ask to move a visit.
	CapMove
	// CapNote: leave a note for a visit.
	CapNote
	// CapAccess: edit the access instructions.
	CapAccess
	// CapRate: rate a done visit.
	CapRate
	// CapBilling: the site's bills, their pages and PDFs.
	CapBilling
	// CapStatement: the yearly statement of that one site.
	CapStatement
	// CapConsent: the household-deduction consent and identity codes.
	CapConsent
	// CapInvite: invite others, see and revoke the site's grants.
	CapInvite
	// CapOwnData: count in the account's own yearly statement, deduction
	// estimate and data download.
	CapOwnData
	numCapabilities
)

var capabilityNames = [...]string{"view", "message", "feedback", "notify", "cancel", "move", "note", "access",
	"rate", "billing", "statement", "consent", "invite", "own_data"}

func (c Capability) String() string {
	if c < 0 || c >= numCapabilities {
		return fmt.Sprintf("capability(%d)", int(c))
	}
	return capabilityNames[c]
}

// GrantAllows reports whether a grant's role gives capability c on the
// granted site: a follower follows (visits, messages, feedback, provider
// contacts, notifications); a caretaker also looks after (cancels, moves,
// notes, access instructions, ratings, the site's bills and statement).
// Neither role carries the deduction consent or identity codes, inviting
// others, or the owner's own data (statement, estimate, download). The
// empty role (the owner's) allows everything.
func GrantAllows(role portal.GrantRole, c Capability) bool {
	switch role {
	case "":
		return c >= 0 && c < numCapabilities
	case portal.GrantFollower:
		return c == CapView || c == CapMessage || c == CapFeedback || c == CapNotify
	case portal.GrantCaretaker:
		return c >= CapView && c <= CapStatement
	}
	return false
}

// customerOnly are the capabilities that are a customer's, never staff's
// or an admin's: billing, statements, consent, invitations, own data.
func customerOnly(c Capability) bool { return c >= CapBilling }

// scopeFor is the access rule of PRODUCT.md for capability c: a verified
// customer sees the records whose normalised email equals the account's
// (all capabilities) and the sites an active grant names the account on,
// when the grant's role gives c (GrantAllows); provider staff see their
// provider's sites and chain admins everything, except what is a
// customer's only. An unverified account sees nothing. The grant is
// checked by the query itself, so a revoked grant stops at once.
func (v Viewer) scopeFor(c Capability) store.Scope {
	switch {
	case !v.Verified:
		return store.Scope{}
	case v.Role == portal.RoleAdmin:
		if customerOnly(c) {
			return store.Scope{}
		}
		return store.Scope{All: true}
	case v.Role == portal.RoleStaff:
		if customerOnly(c) {
			return store.Scope{}
		}
		return store.Scope{ProviderID: v.ProviderID}
	case v.Role != portal.RoleCustomer:
		return store.Scope{}
	}
	s := store.Scope{EmailNorm: v.EmailNorm}
	// Only an account that holds grants (read with its session) looks
	// them up: everyone else's queries stay as they were.
	if v.hasGrants() {
		switch {
		case GrantAllows(portal.GrantFollower, c):
			s.GranteeID = v.AccountID
		case GrantAllows(portal.GrantCaretaker, c):
			s.GranteeID, s.CaretakerOnly = v.AccountID, true
		}
	}
	return s
}

// siteScope is scopeFor(c) for a query about one site: the viewer's link
// to it (read with their session) tells which branch of the rule the
// query needs, so an owner's query about their home never looks at
// grants and a relative's looks up the one grant — still inside the
// query, so a grant revoked since the session was read matches nothing.
// A site not in the viewer's list gets the whole rule. Every query about
// one site takes it; lists of sites take scopeFor.
func (v Viewer) siteScope(siteID int64, c Capability) store.Scope {
	s := v.scopeFor(c)
	if s.GranteeID == 0 {
		return s
	}
	switch l, ok := v.Link(siteID); {
	case !ok:
	case l.Role == "":
		s.GranteeID, s.CaretakerOnly = 0, false
	default:
		s.EmailNorm = ""
	}
	return s
}

// hasGrants reports whether the viewer's session listed a granted site.
func (v Viewer) hasGrants() bool {
	for _, s := range v.Sites {
		if s.Grant.Role != "" {
			return true
		}
	}
	return false
}

// Link returns how the viewer reaches a site of their list: as its owner
// (Role "") or with a grant's role; ok is false when the site is not in
// the viewer's list. Pages use it to show only the buttons the role
// allows (Viewer.May).
func (v Viewer) Link(siteID int64) (link portal.GrantLink, ok bool) {
	for _, s := range v.Sites {
		if s.ID == siteID {
			return s.Grant, true
		}
	}
	return portal.GrantLink{}, false
}

// May reports whether the viewer may do c on a site, for showing buttons:
// a customer by their link to it (Link, GrantAllows); staff and admins by
// their role (the use cases check their scope). The use cases decide by
// scopeFor whatever a page shows.
func (v Viewer) May(siteID int64, c Capability) bool {
	switch {
	case !v.Verified:
		return false
	case v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin:
		return !customerOnly(c)
	}
	l, ok := v.Link(siteID)
	return ok && GrantAllows(l.Role, c)
}

// Errors of family access. Each is a clear refusal with a text of its own
// (web maps them); nothing is written when one is returned.
var (
	// ErrInviteExpired: the invitation link is older than 7 days.
	ErrInviteExpired = errors.New("invitation expired")
	// ErrInviteUsed: the invitation was accepted already, or withdrawn.
	ErrInviteUsed = errors.New("invitation used")
	// ErrInviteOtherAddress: the signed-in account's verified address is
	// not the invited one.
	ErrInviteOtherAddress = errors.New("invitation for another address")
)

// GrantTouchEvery bounds how often a grant's last use is written: once per
// grant per interval, never a write per page view.
const GrantTouchEvery = time.Hour

// Invitation is what the owner fills in to invite a person to a site.
type Invitation struct {
	Email string
	Role  portal.GrantRole
	// Language is the inviter's language, in which the mail goes (the
	// invitee's language is unknown until they sign up).
	Language string
}

// InviteToSite invites a person by email to one of the viewer's own sites
// with a role, and mails them a link valid portal.GrantInviteTTL. Only the
// site's owner may invite (a grantee, staff or an admin gets
// portal.ErrNotFound, as for a foreign site). Bad input is InvalidInput:
// a bad address ("email"), the viewer's own address
// ("error.grant.self"), an unknown role ("role"), or a sixth grant of the
// site (field "email", "error.grant.full", counting unexpired pending
// invitations). It returns the new invitation's id.
func (a *App) InviteToSite(ctx context.Context, v Viewer, siteID int64, in Invitation) (int64, error) {
	var bad InvalidInput
	if p := emailProblem(in.Email); p != "" {
		bad = append(bad, FieldError{"email", p})
	}
	if !in.Role.Valid() {
		bad = append(bad, FieldError{"role", "error.grant.role"})
	}
	clean, _ := emailaddr.Check(in.Email)
	norm := emailaddr.Normalize(clean)
	if len(bad) == 0 && norm == v.EmailNorm {
		bad = append(bad, FieldError{"email", "error.grant.self"})
	}
	token, hash := newToken()
	var id int64
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		// Whose site it is comes first: anyone else gets not found, bad
		// input or not.
		s, err := tx.Site(ctx, v.siteScope(siteID, CapInvite), siteID)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return bad
		}
		if err := tx.LockSite(ctx, siteID); err != nil {
			return err
		}
		n, err := tx.CountGrants(ctx, siteID, tx.Now())
		if err != nil {
			return err
		}
		if n >= portal.MaxGrantsPerSite {
			return InvalidInput{{"email", "error.grant.full"}}
		}
		// The same address invited or granted already: one place each.
		list, err := tx.GrantsOfSite(ctx, siteID, tx.Now())
		if err != nil {
			return err
		}
		for _, g := range list {
			if g.EmailNorm == norm || (g.GranteeEmail != "" && emailaddr.Normalize(g.GranteeEmail) == norm) {
				return InvalidInput{{"email", "error.grant.already"}}
			}
		}
		owner, err := tx.SiteOwnerName(ctx, siteID)
		if err != nil {
			return err
		}
		g := portal.Grant{SiteID: siteID, Role: in.Role, Email: clean, EmailNorm: norm, InvitedBy: v.AccountID,
			Language: mailLang(in.Language), ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}
		if id, err = tx.InsertGrant(ctx, g, hash); err != nil {
			return err
		}
		if err := journalGrant(ctx, tx, v, s.Site, portal.ActorOwner, portal.GrantGiven{GrantID: id,
			SiteExternalID: s.Site.ExternalID, Role: string(in.Role), GranteeEmail: norm, GivenAt: tx.Now(),
			ExpiresAt: g.ExpiresAt}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
			Action: "grant.invited", CustomerID: s.Site.CustomerID, SiteID: siteID, Detail: string(in.Role)}); err != nil {
			return err
		}
		return a.mail(ctx, tx, "grant_invite", g.Language, clean, map[string]string{
			"inviter": owner, "site": siteLabel(s.Site), "role": string(in.Role), "url": a.baseURL + InvitePath(token)})
	})
	if err != nil {
		return 0, fmt.Errorf("invite to site %d: %w", siteID, err)
	}
	a.wake()
	return id, nil
}

// InvitePath is the page where an invitation link's token is accepted.
func InvitePath(token string) string { return "/kutsu/" + token }

// mailLang is a language of the mails, Finnish by default.
func mailLang(l string) string {
	switch l {
	case "fi", "sv", "en":
		return l
	}
	return "fi"
}

// SiteGrant is one line of a site's "who has access" list for its owner.
type SiteGrant struct {
	ID    int64
	Email string // the invited address, or the grantee's address once accepted
	Role  portal.GrantRole
	// Pending is set for an invitation not accepted yet (Since is when it
	// was sent, Expires when the link stops working); otherwise Since is
	// when it was accepted and LastUsed when the person last used it (zero
	// for never).
	Pending  bool
	Since    time.Time
	Expires  time.Time
	LastUsed time.Time
}

// SiteGrants lists who has access to one of the viewer's own sites and
// the pending invitations, oldest first; only the owner may ask
// (portal.ErrNotFound otherwise). When the site's record changed owner
// (an ERP email change), the grants stay and the new owner sees them.
func (a *App) SiteGrants(ctx context.Context, v Viewer, siteID int64) ([]SiteGrant, error) {
	var out []SiteGrant
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Site(ctx, v.siteScope(siteID, CapInvite), siteID); err != nil {
			return err
		}
		list, err := tx.GrantsOfSite(ctx, siteID, tx.Now())
		if err != nil {
			return err
		}
		for _, g := range list {
			sg := SiteGrant{ID: g.ID, Email: g.Email, Role: g.Role, Pending: g.AcceptedAt.IsZero(), Since: g.CreatedAt,
				Expires: g.ExpiresAt, LastUsed: g.LastUsedAt}
			if !sg.Pending {
				sg.Since = g.AcceptedAt
				if g.GranteeEmail != "" {
					sg.Email = g.GranteeEmail
				}
			}
			out = append(out, sg)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("grants of site %d: %w", siteID, err)
	}
	return out, nil
}

// RevokeGrant ends a grant (or withdraws a pending invitation) of one of
// the viewer's own sites in one step; only the owner may
// (portal.ErrNotFound otherwise, also for a grant of another site or one
// that has ended already). The grantee's pages and open streams lose the
// site at once: every query checks the grant, and a.events tells the
// site's open streams to check again.
func (a *App) RevokeGrant(ctx context.Context, v Viewer, siteID, grantID int64) error {
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapInvite), siteID)
		if err != nil {
			return err
		}
		g, err := tx.GrantOfSite(ctx, siteID, grantID)
		if err != nil {
			return err
		}
		if err := tx.EndGrant(ctx, g.ID, portal.GrantEndedByOwner); err != nil {
			return err
		}
		if err := journalGrant(ctx, tx, v, s.Site, portal.ActorOwner, grantEnded(g, tx.Now(), portal.GrantEndedByOwner,
			s.Site.ExternalID)); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
			Action: "grant.revoked", CustomerID: s.Site.CustomerID, SiteID: siteID, Detail: string(g.Role)})
	})
	if err != nil {
		return fmt.Errorf("revoke grant %d of site %d: %w", grantID, siteID, err)
	}
	a.accessChanged(siteID)
	return nil
}

// LeaveSite ends the viewer's own grant on a site ("leave this home");
// portal.ErrNotFound when they hold none there (an owner cannot leave
// their own home).
func (a *App) LeaveSite(ctx context.Context, v Viewer, siteID int64) error {
	if !v.Verified || v.Role != portal.RoleCustomer {
		return portal.ErrNotFound
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		g, err := tx.ActiveGrant(ctx, siteID, v.AccountID)
		if err != nil {
			return err
		}
		if err := tx.EndGrant(ctx, g.ID, portal.GrantEndedByGrantee); err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, siteID)
		if err != nil {
			return err
		}
		if err := journalGrant(ctx, tx, v, s.Site, portal.ActorRole(g.Role), grantEnded(g, tx.Now(), portal.GrantEndedByGrantee,
			s.Site.ExternalID)); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
			Action: "grant.left", CustomerID: s.Site.CustomerID, SiteID: siteID, Detail: string(g.Role)})
	})
	if err != nil {
		return fmt.Errorf("leave site %d: %w", siteID, err)
	}
	a.accessChanged(siteID)
	return nil
}

// accessChanged tells the site's open pages (event streams) that who may
// see it changed, so each checks its viewer's access again.
func (a *App) accessChanged(siteID int64) {
	if a.events != nil {
		a.events(siteID)
	}
}

// InviteView is what the invitation page shows before accepting: who
// invites to which home with which role.
type InviteView struct {
	Inviter string // the site's owner (the customer record's name)
	Site    portal.Site
	Role    portal.GrantRole
	Email   string // the invited address
	Expires time.Time
}

// Invite reads the invitation of a link's token for its page. An unknown
// token is portal.ErrNotFound; one accepted or withdrawn ErrInviteUsed;
// an expired one ErrInviteExpired. Nothing is written.
func (a *App) Invite(ctx context.Context, token string) (InviteView, error) {
	var out InviteView
	hash, ok := tokenHash(token)
	if !ok {
		return out, portal.ErrNotFound
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		g, err := tx.GrantByTokenHash(ctx, hash)
		if err != nil {
			return err
		}
		if err := inviteOpen(g, tx.Now()); err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, g.SiteID)
		if err != nil {
			return err
		}
		owner, err := tx.SiteOwnerName(ctx, g.SiteID)
		if err != nil {
			return err
		}
		out = InviteView{Inviter: owner, Site: s.Site, Role: g.Role, Email: g.Email, Expires: g.ExpiresAt}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("invitation: %w", err)
	}
	return out, nil
}

func inviteOpen(g portal.Grant, now time.Time) error {
	switch {
	case !g.AcceptedAt.IsZero() || !g.EndedAt.IsZero():
		return ErrInviteUsed
	case !now.Before(g.ExpiresAt):
		return ErrInviteExpired
	}
	return nil
}

// AcceptInvite makes the invitation of a link's token the viewer's grant
// and returns the site it gives. The link works once, for
// portal.GrantInviteTTL, and only for a verified customer account on
// exactly the invited address: otherwise ErrInviteUsed, ErrInviteExpired,
// ErrInviteOtherAddress (portal.ErrNotFound for an unknown token). The
// site's owner accepting their own invitation gets ErrInviteOtherAddress.
func (a *App) AcceptInvite(ctx context.Context, v Viewer, token string) (int64, error) {
	hash, ok := tokenHash(token)
	if !ok {
		return 0, portal.ErrNotFound
	}
	if !v.Verified || v.Role != portal.RoleCustomer {
		return 0, ErrInviteOtherAddress
	}
	var siteID int64
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		g, err := tx.GrantByTokenHash(ctx, hash)
		if err != nil {
			return err
		}
		if err := inviteOpen(g, tx.Now()); err != nil {
			return err
		}
		if g.EmailNorm != v.EmailNorm {
			return ErrInviteOtherAddress
		}
		if err := tx.AcceptGrant(ctx, g.ID, v.AccountID); errors.Is(err, portal.ErrNotFound) {
			return ErrInviteUsed // taken by a parallel accept
		} else if err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, g.SiteID)
		if err != nil {
			return err
		}
		siteID = g.SiteID
		if err := journalGrant(ctx, tx, v, s.Site, portal.ActorRole(g.Role), portal.GrantAccepted{GrantID: g.ID,
			SiteExternalID: s.Site.ExternalID, Role: string(g.Role), GranteeEmail: g.EmailNorm, GivenAt: g.CreatedAt,
			AcceptedAt: tx.Now()}); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
			Action: "grant.accepted", CustomerID: s.Site.CustomerID, SiteID: g.SiteID, Detail: string(g.Role)})
	})
	if err != nil {
		return 0, fmt.Errorf("accept invitation: %w", err)
	}
	return siteID, nil
}

// touchGrant records, at most once per GrantTouchEvery, that the viewer
// used their grant on a site (the owner's list shows it). It is called by
// the site's main pages (its dashboard and messages); the session read
// tells when it was last recorded, so a page view within the interval
// writes nothing. A failure is logged, never shown.
func (a *App) touchGrant(ctx context.Context, v Viewer, siteID int64) {
	l, ok := v.Link(siteID)
	now := a.db.Now()
	if !ok || l.Role == "" || now.Sub(l.LastUsed) < GrantTouchEvery {
		return
	}
	if err := a.db.Write(ctx, func(tx *store.Tx) error {
		return tx.TouchGrant(ctx, siteID, v.AccountID, now.Add(-GrantTouchEvery))
	}); err != nil {
		a.log.Warn("touch grant", "site", siteID, "err", err)
	}
}

// grantEnded is the journal's event of grant g ended at now by by.
func grantEnded(g portal.Grant, now time.Time, by, siteExternalID string) portal.GrantEnded {
	return portal.GrantEnded{GrantID: g.ID, SiteExternalID: siteExternalID, Role: string(g.Role), GranteeEmail: g.EmailNorm,
		GivenAt: g.CreatedAt, AcceptedAt: g.AcceptedAt, EndedAt: now, EndedBy: by}
}
