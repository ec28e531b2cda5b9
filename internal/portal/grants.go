package portal

import "time"

// GrantRole is what a relative may do on a site the owner granted them
// (family access, PRODUCT.md C11). The empty GrantRole means the site is
// the viewer's own (the owner's), not a grant.
type GrantRole string

// The grant roles: a follower (seuraaja) follows the home's visits,
// messages and feedback; a caretaker (asioiden hoitaja) also looks after
// them: cancels and moves visits, edits access instructions, rates visits
// and sees the home's bills. What each may do is decided in one place, in
// app (app.GrantAllows).
const (
	GrantFollower  GrantRole = "follower"
	GrantCaretaker GrantRole = "caretaker"
)

// Valid reports whether r is one of the grant roles.
func (r GrantRole) Valid() bool { return r == GrantFollower || r == GrantCaretaker }

// GrantRoles are the grant roles in the order forms offer them.
var GrantRoles = []GrantRole{GrantFollower, GrantCaretaker}

// MaxGrantsPerSite is how many people may hold or be invited to one site at
// a time: active grants and unexpired pending invitations together.
const MaxGrantsPerSite = 5

// GrantInviteTTL is how long an invitation link can be accepted.
const GrantInviteTTL = 7 * 24 * time.Hour

// Who ended a grant.
const (
	GrantEndedByOwner   = "owner"
	GrantEndedByGrantee = "grantee"
)

// Grant is one invitation to a site and, once accepted, the access it gave.
type Grant struct {
	ID     int64
	SiteID int64
	Role   GrantRole
	// Email is the invited address as typed, EmailNorm as emailaddr
	// normalises it: only a verified account on EmailNorm can accept.
	Email     string
	EmailNorm string
	InvitedBy int64 // the inviting account (0 when it has been deleted)
	Language  string
	CreatedAt time.Time
	ExpiresAt time.Time
	// AcceptedAt and GranteeID are set when the invitation was accepted.
	AcceptedAt time.Time
	GranteeID  int64
	// EndedAt and EndedBy (GrantEndedByOwner or GrantEndedByGrantee) are
	// set when the grant was revoked or left, or the invitation withdrawn.
	EndedAt    time.Time
	EndedBy    string
	LastUsedAt time.Time
}

// Active reports whether the grant gives access now: accepted and not ended.
func (g Grant) Active() bool { return !g.AcceptedAt.IsZero() && g.EndedAt.IsZero() }

// Pending reports whether the invitation can still be accepted at now.
func (g Grant) Pending(now time.Time) bool {
	return g.AcceptedAt.IsZero() && g.EndedAt.IsZero() && now.Before(g.ExpiresAt)
}

// Counts reports whether the grant takes one of the site's
// MaxGrantsPerSite places at now: active, or pending and unexpired.
func (g Grant) Counts(now time.Time) bool { return g.Active() || g.Pending(now) }

// GrantLink is how a viewer reaches a site: as its owner (Role "") or under
// a grant with a role; OwnerName names whose home it is for a grant.
type GrantLink struct {
	Role      GrantRole
	OwnerName string
	// LastUsed is when the grant's use was last recorded (zero for never).
	LastUsed time.Time
}
