package portal

import "time"

// Message is one message of a site's thread.
type Message struct {
	ID              int64
	ThreadID        int64
	SiteID          int64 // read with the thread; adding a message needs ThreadID only
	AuthorAccountID int64
	AuthorKind      string
	AuthorName      string
	Body            string
	// Kind and Data describe a system message (a visit moved, cancelled or
	// done by the provider), so each reader sees it in their own language;
	// Body then keeps a Finnish rendering for other systems.
	Kind      string
	Data      string // JSON
	CreatedAt time.Time
}

// Feedback is one piece of feedback on a site's visit or service: a rating,
// a comment and the provider's reply.
type Feedback struct {
	ID              int64
	SiteID          int64
	VisitID         int64
	AuthorAccountID int64
	Source          string
	ExternalID      string
	Rating          int // 0: none
	Comment         string
	Reply           string
	RepliedAt       time.Time
	CreatedAt       time.Time
}

// ProviderFeedback is feedback as the provider's staff list it, with the
// site it is about.
type ProviderFeedback struct {
	Feedback Feedback
	SiteName string
	Street   string
	City     string
}

// PortalFeedback is feedback about the portal itself. AccountEmail is the
// address of the account that gave it, when it was signed in and the
// account still exists (read back only).
type PortalFeedback struct {
	ID             int64
	AccountID      int64
	AccountEmail   string
	Message        string
	ContactAllowed bool
	ContactEmail   string
	Language       string
	Page           string
	CreatedAt      time.Time
}

// ChainPolicies are the chain-wide settings the chain admin keeps: the
// cancellation deadline and late fee, the legacy bridge's dates and the
// order service's address.
type ChainPolicies struct {
	CancelDeadlineDays int
	LateFeePercent     int
	LegacyCutover      Date
	LegacyRetirement   Date
	OrderServiceURL    string
	// CustomerServicePhone and CustomerServiceEmail reach the chain's
	// customer service (the contact page, the mails); "" when not set.
	CustomerServicePhone string
	CustomerServiceEmail string
	UpdatedAt            time.Time
}

// ProviderSummary is a provider in the console's list, with how many active
// staff and sites it has.
type ProviderSummary struct {
	Provider
	Staff int
	Sites int
}

// AuditEntry is one audit log entry with the actor's address and the
// customer's name.
type AuditEntry struct {
	ID             int64
	At             time.Time
	ActorAccountID int64
	ActorEmail     string
	ActorRole      string
	Action         string
	CustomerID     int64
	CustomerName   string
	SiteID         int64
	Detail         string
}

// SiteWithProvider is a site and its responsible provider.
type SiteWithProvider struct {
	Site     Site
	Provider Provider
}

// InvoiceSummary is a billing summary in a list, with its work share (the
// total of its work lines, VAT included).
type InvoiceSummary struct {
	Invoice        Invoice
	WorkShareCents int64
}

// ConsentEvent is one change of a consent, kept for its history.
type ConsentEvent struct {
	CustomerID     int64
	At             time.Time
	Enabled        bool
	TextVersion    string
	PayerCount     int
	ActorAccountID int64
}

// StaffMember is a provider's staff member, with the account's address.
type StaffMember struct {
	ID         int64
	ProviderID int64
	AccountID  int64
	Email      string
	Name       string
	Active     bool
	CreatedAt  time.Time
}

// StaffInvite is an invitation to become a provider's staff member once
// the address has a verified account.
type StaffInvite struct {
	ID         int64
	Email      string
	ProviderID int64
	Name       string
	InvitedBy  int64
	CreatedAt  time.Time
}

// ThreadSummary is one thread in the provider's inbox.
type ThreadSummary struct {
	SiteID       int64
	SiteName     string
	Street       string
	City         string
	CustomerName string
	LastAt       time.Time
	LastBody     string
	LastKind     string
	Unread       int
	// LastMessageID is the thread's newest message: the inbox's order
	// and its pages' keyset.
	LastMessageID int64
}

// Passkey is a stored WebAuthn credential: Data is the library's own
// record of it (JSON), opaque here.
type Passkey struct {
	ID           int64
	AccountID    int64
	CredentialID []byte
	Name         string
	Data         string
	CreatedAt    time.Time
	LastUsedAt   time.Time
	// SuspendedAt is when a password reset suspended the passkey (zero
	// when it is not suspended).
	SuspendedAt time.Time
}

// ProviderVisit is a visit as the provider's staff list it: with the
// site's address and the customer's name, and whether the customer asks
// to move it.
type ProviderVisit struct {
	Visit        Visit
	SiteName     string
	Street       string
	City         string
	CustomerName string
	MovePending  bool
	// CancelledBy is who cancelled a visit cancelled by the customer: the
	// owner or a relative under a grant (zero when not recorded).
	CancelledBy Actor
}
