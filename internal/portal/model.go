package portal

import "time"

// Account is a person's user account: one email address, one password.
// An account whose VerifiedAt is zero is a pending sign-up claim and sees
// no customer data.
type Account struct {
	ID           int64
	Email        string
	EmailNorm    string
	PasswordHash string
	VerifiedAt   time.Time
	Language     string
	CreatedAt    time.Time
}

// Verified reports whether the account has proven its email address.
func (a Account) Verified() bool { return !a.VerifiedAt.IsZero() }

// Session is one signed-in device. Only the SHA-256 of its token is kept.
type Session struct {
	ID         int64
	AccountID  int64
	TokenHash  []byte
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	AuthAt     time.Time
	// SecondFactorAt is when the session's person gave a second factor (a
	// passkey, an authenticator code or a recovery code); zero when only
	// the password was given.
	SecondFactorAt time.Time
}

// Role is what a signed-in account is to the portal.
type Role string

// Roles.
const (
	RoleCustomer Role = "customer"
	RoleStaff    Role = "staff"
	RoleAdmin    Role = "admin"
)

// Provider is a local service provider (palveluntuottaja).
type Provider struct {
	ID         int64
	Source     string
	ExternalID string
	Name       string
	BusinessID string
	City       string
	Phone      string
	Email      string
	Active     bool
	// IBAN and BIC are the provider's bank account for its bills, in
	// electronic form; empty until the ERP or the import sends them.
	IBAN string
	BIC  string
}

// Customer is the company's customer record (asiakastiedot); its email
// decides which account sees it.
type Customer struct {
	ID         int64
	Source     string
	ExternalID string
	Name       string
	Email      string
	EmailNorm  string
	Phone      string
}

// AccessInstructions tell the worker how to get in and what to expect.
type AccessInstructions struct {
	Keys     string
	DoorCode string
	Pets     string
	Parking  string
	Other    string
}

// Site is a home where the work is done (kohde).
type Site struct {
	ID         int64
	CustomerID int64
	ProviderID int64
	Source     string
	ExternalID string
	Name       string
	Street     string
	PostalCode string
	City       string
	Access     AccessInstructions
	// Grant is how the signed-in person reaches the site when it is not
	// theirs: the role of their grant and whose home it is. It is set on
	// the sites a viewer's session lists (app.Viewer.Sites) and on the
	// sites app's use cases return; zero for the viewer's own site.
	Grant GrantLink
}

// Address returns the one-line postal address of the site.
func (s Site) Address() string {
	if s.PostalCode == "" && s.City == "" {
		return s.Street
	}
	return s.Street + ", " + s.PostalCode + " " + s.City
}

// ContractKind tells a regular (recurring) contract from a one-off order.
type ContractKind string

// Contract kinds.
const (
	ContractRegular ContractKind = "regular"
	ContractOneOff  ContractKind = "one_off"
)

// Contract is an agreement for a service at a site.
type Contract struct {
	ID         int64
	SiteID     int64
	Source     string
	ExternalID string
	Kind       ContractKind
	Service    string
	ServiceSV  string // the service in Swedish, when the ERP gives it
	ServiceEN  string // in English, when the ERP gives it
	WorkType   string
	Rhythm     string
	PriceCents int64
	VATFree    bool
	Start      Date
	End        Date
}

// Active reports whether the contract is in force on day d.
func (c Contract) Active(d Date) bool {
	return !d.Before(c.Start) && (c.End.IsZero() || !c.End.Before(d))
}

// VisitStatus is the state of a service visit.
type VisitStatus string

// Visit statuses.
const (
	VisitPlanned             VisitStatus = "planned"
	VisitConfirmed           VisitStatus = "confirmed"
	VisitInProgress          VisitStatus = "in_progress"
	VisitDone                VisitStatus = "done"
	VisitCancelledByCustomer VisitStatus = "cancelled_customer"
	VisitCancelledByProvider VisitStatus = "cancelled_provider"
)

// VisitStatuses lists every status, in the order of a visit's life.
var VisitStatuses = []VisitStatus{VisitPlanned, VisitConfirmed, VisitInProgress, VisitDone,
	VisitCancelledByCustomer, VisitCancelledByProvider}

// Cancelled reports whether the status is one of the cancellations.
func (s VisitStatus) Cancelled() bool {
	return s == VisitCancelledByCustomer || s == VisitCancelledByProvider
}

// Visit is one service visit (palveluvuoro).
type Visit struct {
	ID              int64
	SiteID          int64
	ContractID      int64
	Source          string
	ExternalID      string
	StartsAt        time.Time
	EndsAt          time.Time
	Status          VisitStatus
	Service         string
	ServiceSV       string // the service in Swedish, when the ERP gives it
	ServiceEN       string // in English, when the ERP gives it
	WorkerFirstName string
	PriceCents      int64
	CustomerNote    string
	ProviderNote    string
	Sequence        int
	// CancelFeeCents and CancelFeeReason are what the cancellation of a
	// cancelled visit costs and why, fixed when it was cancelled (zero and
	// FeeUnknown for a visit that is not cancelled, or was cancelled
	// before the portal kept them).
	CancelFeeCents  int64
	CancelFeeReason FeeReason
	// The live status the worker gives from the visit's day (C12), each
	// step's time; zero: not (yet) given. ArrivalEstimate is when the
	// worker on the way expects to arrive (zero: no estimate); DoneNote
	// is the worker's note to the customer with "done". A visit the ERP
	// marks done has no DoneAt.
	DepartedAt      time.Time
	ArrivalEstimate time.Time
	ArrivedAt       time.Time
	DoneAt          time.Time
	DoneNote        string
}

// InvoiceStatus is the state of a billing summary.
type InvoiceStatus string

// Invoice statuses.
const (
	InvoiceOpen     InvoiceStatus = "open"
	InvoicePaid     InvoiceStatus = "paid"
	InvoiceCredited InvoiceStatus = "credited"
)

// Invoice is a billing summary (laskutuskooste) with its lines.
type Invoice struct {
	ID           int64
	CustomerID   int64
	SiteID       int64
	Source       string
	ExternalID   string
	Number       string
	PeriodStart  Date
	PeriodEnd    Date
	IssuedOn     Date
	DueOn        Date
	PaidOn       Date
	Status       InvoiceStatus
	IsCreditNote bool
	TotalCents   int64
	// Reference is the bill's reference number (viitenumero or RF
	// creditor reference) in electronic form; empty when none was sent.
	Reference string
	// Issuer is the provider that issued the bill, as stamped when the
	// portal first wrote it; the bill names it and is paid to it even
	// after the site moves to another provider.
	Issuer Issuer
	Lines  []InvoiceLine
}

// Issuer is an invoice's provider as issued: its name, business id and
// bank account (the account may be filled in later, from the provider of
// the same business id). Stamped is false only for an invoice written
// before providers were stamped; such a bill falls back to the site's
// provider.
type Issuer struct {
	Stamped    bool
	Name       string
	BusinessID string
	IBAN       string
	BIC        string
}

// InvoiceLine is one row of a billing summary. QuantityMilli is hours in
// thousandths; IsWork marks the deductible work share.
type InvoiceLine struct {
	Position       int
	Description    string
	DescriptionSV  string // the description in Swedish, when the ERP gives it
	DescriptionEN  string // in English, when the ERP gives it
	PerformedOn    Date
	QuantityMilli  int64
	UnitPriceCents int64
	VATRateBP      int
	NetCents       int64
	VATCents       int64
	TotalCents     int64
	IsWork         bool
}

// ReadOnly reports whether a site with these contracts can only be looked
// at on day d: none is in force or starts later.
func ReadOnly(contracts []Contract, d Date) bool {
	for _, c := range contracts {
		if c.End.IsZero() || !c.End.Before(d) {
			return false
		}
	}
	return true
}

// SiteSummary is what the first signed-in page shows of one site.
type SiteSummary struct {
	Site          Site
	Provider      Provider
	Contracts     []Contract
	NextVisit     *Visit
	LatestInvoice *Invoice
	// Unread counts the messages of the site's thread the viewer has not
	// read (filled on the site's own page).
	Unread int
}

// SiteDashboard is a site's summary with what its dashboard shows beside
// it: the cancelled visits that have not ended yet (soonest first, each
// with what its cancellation cost), a done visit waiting for the viewer's
// rating, and the journal's newest number, where the page's live status
// stream starts.
type SiteDashboard struct {
	SiteSummary
	Cancelled []Visit
	ToRate    *Visit
	LiveFrom  int64
}
