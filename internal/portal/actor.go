package portal

// ActorRole is the role on a site of the person who changed something
// there from the customer's side: the site's owner (the account whose
// verified email is the customer record's) or a relative acting under a
// grant (family access, PRODUCT.md C11). The strings are stored with the
// change and published in the ERP's feed: once published they do not
// change.
type ActorRole string

// The actor roles. ActorFollower and ActorCaretaker are the grant roles'
// code words (seuraaja, asioiden hoitaja).
const (
	ActorOwner     ActorRole = "owner"
	ActorFollower  ActorRole = ActorRole(GrantFollower)
	ActorCaretaker ActorRole = ActorRole(GrantCaretaker)
)

// Actor is who made a change on the customer's side and in which role:
// the account, the name shown for it (the name of the person's own
// customer record, else their email address) and the role. The name is
// the one of the moment of the change, as a journal keeps it. The zero
// Actor is "not recorded": a change by the provider, the ERP or one made
// before actors were kept.
type Actor struct {
	AccountID int64
	Name      string
	Role      ActorRole
}

// Known reports whether the actor was recorded.
func (a Actor) Known() bool { return a.Role != "" }

// Grantee reports whether the actor acted under a grant, not as the
// site's owner: the owner is told of such a cancellation or move.
func (a Actor) Grantee() bool { return a.Role == ActorFollower || a.Role == ActorCaretaker }
