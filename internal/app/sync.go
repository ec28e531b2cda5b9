package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The ERP sync API's use cases (PRODUCT.md C10, docs/sync-api.md). The ERP
// writes its records by its own ids, each copy carrying the ERP's version
// of the record; the portal keeps what it owns (a customer's cancellation,
// notes, access instructions) and tells the ERP about it through the
// changes journal.

// ERPSource is the source of every record written through the sync API:
// records are keyed (source, the ERP's id).
const ERPSource = "erp"

// apiTokenPrefix starts every integration token, so that a leaked one is
// recognisable (secret scanners, logs) as this portal's.
const apiTokenPrefix = "asv1_"

// Integration is the ERP system a sync API request acts for: the token
// it presented, and the token's scope: ProviderID 0 for every provider's
// records, else the one provider (ProviderRef, its ERP id) whose records
// alone the token may write and read (checkScope).
type Integration struct {
	TokenID     int64
	Name        string
	ProviderID  int64
	ProviderRef string
}

// ScopeError refuses a write by a provider-scoped token to a record that is
// not its provider's (or that would become another provider's); Field is
// the JSON field (or "id", the path's) that names it.
type ScopeError struct {
	Provider string
	Field    string
	Ref      string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("this token may write only the records of provider %q; %s %q is not one of them", e.Provider, e.Field, e.Ref)
}

// ErrTokenProvider refuses a token scope naming a provider the portal does
// not have under that ERP id.
var ErrTokenProvider = errors.New("no provider has this ERP id")

// checkScope is the one rule of a provider-scoped token (the all-scope
// token passes): the record it writes or deletes — a stored row of table
// (id 0: not stored yet) and the provider its new copy names (0: none
// named) — must be its provider's. A provider row is its own; a site, and
// the contract, visit or invoice on a site, belong to the site's provider;
// a customer record belongs to the providers of its sites and may be
// written only when they are all the token's (a record with no site yet
// belongs to none, so any token may write it). A new provider row is
// never the token's. field and ref name the record in the refusal.
func checkScope(ctx context.Context, tx *store.Tx, in Integration, table string, id, named int64, field, ref string) error {
	if in.ProviderID == 0 {
		return nil
	}
	refuse := &ScopeError{Provider: in.ProviderRef, Field: field, Ref: ref}
	if id == 0 && table == "providers" {
		return refuse
	}
	if named != 0 && named != in.ProviderID {
		return refuse
	}
	if id == 0 {
		return nil
	}
	owners, err := tx.ERPProvidersOf(ctx, table, id)
	if err != nil {
		return err
	}
	for _, p := range owners {
		if p != in.ProviderID {
			return refuse
		}
	}
	return nil
}

// MaxTokenName is the longest integration name.
const MaxTokenName = 64

// ErrTokenName refuses a token name that is not a plain identifier.
var ErrTokenName = errors.New("a token name is 1 to 64 letters, digits, '.', '_' or '-', and not all digits")

// CreateAPIToken issues a bearer token for an integration and returns it;
// this is the only time it is seen, since only its SHA-256 is kept. The
// name must be 1 to MaxTokenName letters, digits, '.', '_' or '-' and not
// all digits (so "token revoke" can tell names from ids); a name in use
// gives portal.ErrConflict.
func (a *App) CreateAPIToken(ctx context.Context, name string) (string, store.APIToken, error) {
	return a.CreateScopedAPIToken(ctx, name, "")
}

// CreateScopedAPIToken is CreateAPIToken for a token limited to the
// provider with the ERP id providerRef ("": every provider, as
// CreateAPIToken); ErrTokenProvider when the portal has no such provider.
func (a *App) CreateScopedAPIToken(ctx context.Context, name, providerRef string) (string, store.APIToken, error) {
	if !validTokenName(name) {
		return "", store.APIToken{}, ErrTokenName
	}
	secret, _ := newToken() // 256 random bits
	token := apiTokenPrefix + secret
	h := sha256.Sum256([]byte(token))
	var t store.APIToken
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var providerID int64
		if providerRef != "" {
			st, err := tx.ERPStateOf(ctx, "providers", ERPSource, providerRef)
			if errors.Is(err, portal.ErrNotFound) {
				return ErrTokenProvider
			}
			if err != nil {
				return err
			}
			providerID = st.ID
		}
		id, err := tx.CreateAPIToken(ctx, name, h[:], providerID)
		if err != nil {
			return err
		}
		t = store.APIToken{ID: id, Name: name, ProviderID: providerID, ProviderRef: providerRef, CreatedAt: tx.Now()}
		detail := name
		if providerRef != "" {
			detail += " (provider " + providerRef + ")"
		}
		return tx.Audit(ctx, store.AuditEntry{ActorRole: "cli", Action: "api_token.create", Detail: detail})
	})
	if err != nil {
		return "", t, fmt.Errorf("create token %q: %w", name, err)
	}
	return token, t, nil
}

func validTokenName(name string) bool {
	if name == "" || len(name) > MaxTokenName {
		return false
	}
	digits := true
	for _, r := range name {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '_', r == '-':
			digits = false
		default:
			return false
		}
	}
	return !digits
}

// APITokens lists every integration token, revoked ones too.
func (a *App) APITokens(ctx context.Context) ([]store.APIToken, error) {
	var out []store.APIToken
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.APITokens(ctx)
		return err
	})
	return out, err
}

// RevokeAPIToken revokes the token in use named by its id (all digits) or
// its name; portal.ErrNotFound when there is none. Requests with it fail
// from the next one on.
func (a *App) RevokeAPIToken(ctx context.Context, nameOrID string) (store.APIToken, error) {
	id, _ := strconv.ParseInt(nameOrID, 10, 64)
	var t store.APIToken
	err := a.db.Write(ctx, func(tx *store.Tx) (err error) {
		if t, err = tx.RevokeAPIToken(ctx, id, nameOrID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorRole: "cli", Action: "api_token.revoke", Detail: t.Name})
	})
	if err != nil {
		return t, fmt.Errorf("revoke token %q: %w", nameOrID, err)
	}
	return t, nil
}

// AuthenticateIntegration returns the integration of a bearer token, or
// portal.ErrUnauthenticated for a malformed, unknown or revoked one. The
// token's last use is written at most once a minute.
func (a *App) AuthenticateIntegration(ctx context.Context, token string) (Integration, error) {
	secret, ok := strings.CutPrefix(token, apiTokenPrefix)
	if !ok {
		return Integration{}, portal.ErrUnauthenticated
	}
	if _, ok := tokenHash(secret); !ok {
		return Integration{}, portal.ErrUnauthenticated
	}
	h := sha256.Sum256([]byte(token))
	var t store.APIToken
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		t, err = tx.APITokenByHash(ctx, h[:])
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		return Integration{}, portal.ErrUnauthenticated
	}
	if err != nil {
		return Integration{}, fmt.Errorf("authenticate integration: %w", err)
	}
	if a.db.Now().Sub(t.LastUsedAt) > touchEvery {
		if err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchAPIToken(ctx, t.ID) }); err != nil {
			a.log.Warn("record token use", "err", err)
		}
	}
	return Integration{TokenID: t.ID, Name: t.Name, ProviderID: t.ProviderID, ProviderRef: t.ProviderRef}, nil
}

// SyncMeta is what every ERP copy of a record carries besides its fields:
// the ERP's id and version of it, and a digest of the copy's content (the
// api package computes it from the canonical form of what was sent).
type SyncMeta struct {
	ExternalID string
	Version    int64
	Digest     string
}

// SyncOutcome is what an upsert did.
type SyncOutcome int

// Outcomes of an upsert.
const (
	SyncCreated   SyncOutcome = iota + 1 // a new row
	SyncUpdated                          // a newer copy was applied
	SyncUnchanged                        // the same copy again: nothing written
)

// StaleError means the ERP sent a copy older than the one applied, or a
// different copy under the same version; nothing was changed.
type StaleError struct{ Stored, Sent int64 }

func (e *StaleError) Error() string {
	return fmt.Sprintf("version %d is not newer than the stored version %d", e.Sent, e.Stored)
}

// ReferenceError means a copy names a record the portal does not have (or
// that the ERP deleted) by the ERP's id; Field is the JSON field naming it.
type ReferenceError struct {
	Field   string
	Ref     string
	Deleted bool
}

func (e *ReferenceError) Error() string {
	if e.Deleted {
		return fmt.Sprintf("%s %q names a deleted record", e.Field, e.Ref)
	}
	return fmt.Sprintf("%s %q names no record", e.Field, e.Ref)
}

// Synced is what an upsert did and the record as stored afterwards, with
// the ERP version it holds and when the ERP deleted it (zero: live).
type Synced[T any] struct {
	Outcome   SyncOutcome
	Record    T
	Version   int64
	DeletedAt time.Time
}

// syncRecord runs one upsert: it takes the record's lock, compares versions
// (StaleError, or SyncUnchanged for the same copy again), lets write apply
// the copy (given the stored state; zero ID when new), records the new
// version and audits the write, all in one transaction. read returns the
// record as stored.
func syncRecord[T any](ctx context.Context, a *App, in Integration, table string, m SyncMeta,
	write func(tx *store.Tx, st store.ERPState) (id, customerID, siteID int64, err error),
	read func(tx *store.Tx, id int64) (T, error)) (Synced[T], error) {
	var out Synced[T]
	var created bool
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.LockKey(ctx, "erp:"+table+":"+m.ExternalID); err != nil {
			return err
		}
		st, err := tx.ERPStateOf(ctx, table, ERPSource, m.ExternalID)
		switch {
		case errors.Is(err, portal.ErrNotFound):
			st, err = store.ERPState{}, nil
		case err != nil:
			return err
		}
		if err := checkScope(ctx, tx, in, table, st.ID, 0, "id", m.ExternalID); err != nil {
			return err
		}
		switch {
		case st.ID == 0:
		case m.Version < st.Version || (m.Version == st.Version && m.Digest != st.Digest):
			return &StaleError{Stored: st.Version, Sent: m.Version}
		case m.Version == st.Version:
			out = Synced[T]{Outcome: SyncUnchanged, Version: st.Version, DeletedAt: st.DeletedAt}
			out.Record, err = read(tx, st.ID)
			return err
		}
		created = st.ID == 0
		id, customerID, siteID, err := write(tx, st)
		if err != nil {
			return err
		}
		if err := tx.SetERPState(ctx, table, id, m.Version, m.Digest); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEntry{ActorRole: "api", Action: table + ".upsert", CustomerID: customerID,
			SiteID: siteID, Detail: fmt.Sprintf("token %s: %s v%d", in.Name, m.ExternalID, m.Version)}); err != nil {
			return err
		}
		out = Synced[T]{Outcome: SyncUpdated, Version: m.Version}
		if created {
			out.Outcome = SyncCreated
		}
		out.Record, err = read(tx, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("sync %s %q: %w", table, m.ExternalID, err)
	}
	return out, nil
}

// ref resolves the ERP id of a record another one names; field is the
// JSON field that named it. A deleted record cannot be named.
func ref(ctx context.Context, tx *store.Tx, table, field, externalID string) (int64, error) {
	st, err := tx.ERPStateOf(ctx, table, ERPSource, externalID)
	if errors.Is(err, portal.ErrNotFound) {
		return 0, &ReferenceError{Field: field, Ref: externalID}
	}
	if err != nil {
		return 0, err
	}
	if !st.DeletedAt.IsZero() {
		return 0, &ReferenceError{Field: field, Ref: externalID, Deleted: true}
	}
	return st.ID, nil
}

// SyncProvider writes a service provider from the ERP.
func (a *App) SyncProvider(ctx context.Context, in Integration, m SyncMeta, p portal.Provider) (Synced[portal.Provider], error) {
	p.Source, p.ExternalID = ERPSource, m.ExternalID
	return syncRecord(ctx, a, in, "providers", m, func(tx *store.Tx, _ store.ERPState) (int64, int64, int64, error) {
		id, err := tx.UpsertProvider(ctx, p)
		return id, 0, 0, err
	}, func(tx *store.Tx, id int64) (portal.Provider, error) { return tx.SyncedProvider(ctx, id) })
}

// SyncCustomer writes a customer record from the ERP. Its email decides at
// once which verified account sees it.
func (a *App) SyncCustomer(ctx context.Context, in Integration, m SyncMeta, c portal.Customer) (Synced[portal.Customer], error) {
	c.Source, c.ExternalID = ERPSource, m.ExternalID
	return syncRecord(ctx, a, in, "customers", m, func(tx *store.Tx, _ store.ERPState) (int64, int64, int64, error) {
		id, err := tx.UpsertCustomer(ctx, c)
		if err == nil {
			err = retireLegacyCredentials(ctx, tx, emailaddr.Normalize(c.Email))
		}
		return id, id, 0, err
	}, func(tx *store.Tx, id int64) (portal.Customer, error) { return tx.SyncedCustomer(ctx, id) })
}

// SyncSite writes a site from the ERP, naming its customer record and
// provider by their ERP ids. The access instructions are the customer's:
// the ERP does not write them.
func (a *App) SyncSite(ctx context.Context, in Integration, m SyncMeta, customerRef, providerRef string, s portal.Site) (Synced[portal.Site], error) {
	s.Source, s.ExternalID = ERPSource, m.ExternalID
	return syncRecord(ctx, a, in, "sites", m, func(tx *store.Tx, _ store.ERPState) (int64, int64, int64, error) {
		var err error
		if s.CustomerID, err = ref(ctx, tx, "customers", "customer_id", customerRef); err != nil {
			return 0, 0, 0, err
		}
		if s.ProviderID, err = ref(ctx, tx, "providers", "provider_id", providerRef); err != nil {
			return 0, 0, 0, err
		}
		if err := checkScope(ctx, tx, in, "sites", 0, s.ProviderID, "provider_id", providerRef); err != nil {
			return 0, 0, 0, err
		}
		id, err := tx.UpsertSite(ctx, s)
		return id, s.CustomerID, id, err
	}, func(tx *store.Tx, id int64) (portal.Site, error) { return tx.SyncedSite(ctx, id) })
}

// SyncContract writes a contract from the ERP, naming its site by the
// site's ERP id.
func (a *App) SyncContract(ctx context.Context, in Integration, m SyncMeta, siteRef string, c portal.Contract) (Synced[portal.Contract], error) {
	c.Source, c.ExternalID = ERPSource, m.ExternalID
	return syncRecord(ctx, a, in, "contracts", m, func(tx *store.Tx, _ store.ERPState) (int64, int64, int64, error) {
		var err error
		if c.SiteID, err = ref(ctx, tx, "sites", "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		site, err := tx.SyncedSite(ctx, c.SiteID)
		if err != nil {
			return 0, 0, 0, err
		}
		if err := checkScope(ctx, tx, in, "sites", 0, site.ProviderID, "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		id, err := tx.UpsertContract(ctx, c)
		return id, site.CustomerID, c.SiteID, err
	}, func(tx *store.Tx, id int64) (portal.Contract, error) { return tx.SyncedContract(ctx, id) })
}

// SyncVisit writes a visit from the ERP, naming its site (and optionally
// its contract, which must be the same site's) by their ERP ids.
//
// What the portal owns stays: the customer's note is never written, nor
// the provider's note of a cancellation made in the portal; and a visit
// that is closed (cancelled by either side, or done) is not reopened by a
// copy with an open status (planned, confirmed, in progress), however new:
// the ERP may not have read the cancellation from the changes feed yet,
// and a worker must not be sent to a home that cancelled. A copy with a
// closed status of its own applies, as do new times (the visit stays
// closed at them). To reinstate a cancelled visit the ERP sends a new one.
func (a *App) SyncVisit(ctx context.Context, in Integration, m SyncMeta, siteRef, contractRef string, v portal.Visit) (Synced[portal.Visit], error) {
	v.Source, v.ExternalID = ERPSource, m.ExternalID
	return syncRecord(ctx, a, in, "visits", m, func(tx *store.Tx, st store.ERPState) (int64, int64, int64, error) {
		var err error
		if v.SiteID, err = ref(ctx, tx, "sites", "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		site, err := tx.SyncedSite(ctx, v.SiteID)
		if err != nil {
			return 0, 0, 0, err
		}
		if err := checkScope(ctx, tx, in, "sites", 0, site.ProviderID, "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		v.ContractID = 0
		if contractRef != "" {
			if v.ContractID, err = ref(ctx, tx, "contracts", "contract_id", contractRef); err != nil {
				return 0, 0, 0, err
			}
			k, err := tx.SyncedContract(ctx, v.ContractID)
			if err != nil {
				return 0, 0, 0, err
			}
			if k.SiteID != v.SiteID {
				return 0, 0, 0, &ReferenceError{Field: "contract_id", Ref: contractRef}
			}
		}
		if st.ID != 0 {
			old, err := tx.SyncedVisit(ctx, st.ID)
			if err != nil {
				return 0, 0, 0, err
			}
			if closed(old.Status) && !closed(v.Status) {
				v.Status = old.Status
			}
			if closed(v.Status) && !closed(old.Status) {
				if err := tx.CloseMoveRequests(ctx, st.ID); err != nil {
					return 0, 0, 0, err
				}
			}
			v.ProviderNote = old.ProviderNote
		}
		id, err := tx.UpsertVisit(ctx, v)
		return id, site.CustomerID, v.SiteID, err
	}, func(tx *store.Tx, id int64) (portal.Visit, error) { return tx.SyncedVisit(ctx, id) })
}

// closed reports whether a visit is over for good: cancelled or done.
func closed(s portal.VisitStatus) bool { return s.Cancelled() || s == portal.VisitDone }

// SyncInvoice writes a billing summary with its lines from the ERP, naming
// its site by the site's ERP id (the customer record is the site's). A
// line whose VAT rate does not fit its performance date refuses the whole
// summary with a *portal.VATRateError naming the line. A new
// summary queues the "new billing summary" push to the accounts that see
// it, in the same transaction.
func (a *App) SyncInvoice(ctx context.Context, in Integration, m SyncMeta, siteRef string, inv portal.Invoice) (Synced[portal.Invoice], error) {
	inv.Source, inv.ExternalID = ERPSource, m.ExternalID
	notified := false
	out, err := syncRecord(ctx, a, in, "invoices", m, func(tx *store.Tx, st store.ERPState) (int64, int64, int64, error) {
		var err error
		if inv.SiteID, err = ref(ctx, tx, "sites", "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		site, err := tx.SyncedSite(ctx, inv.SiteID)
		if err != nil {
			return 0, 0, 0, err
		}
		if err := checkScope(ctx, tx, in, "sites", 0, site.ProviderID, "site_id", siteRef); err != nil {
			return 0, 0, 0, err
		}
		// VAT by date is checked on the way in: a line whose rate does not
		// fit its performance day refuses the summary (portal.VATRateError).
		contracts, err := tx.ContractsOfSite(ctx, inv.SiteID)
		if err != nil {
			return 0, 0, 0, err
		}
		if err := portal.CheckInvoiceVAT(inv.Lines, contracts); err != nil {
			return 0, 0, 0, err
		}
		inv.CustomerID = site.CustomerID
		id, err := tx.UpsertInvoice(ctx, inv)
		if err != nil {
			return 0, 0, 0, err
		}
		if st.ID == 0 {
			readers, err := customerAccounts(ctx, tx, site, CapBilling)
			if err != nil && !errors.Is(err, portal.ErrNotFound) {
				return 0, 0, 0, err
			}
			if err := a.notifyAccounts(ctx, tx, readers, portal.NotifyInvoice, "notify.invoice.title", "notify.invoice.body",
				fmt.Sprintf("/kohteet/%d/laskut/%d", site.ID, id), "site", siteLabel(site), "number", inv.Number); err != nil {
				return 0, 0, 0, err
			}
			notified = len(readers) > 0
		}
		return id, site.CustomerID, site.ID, nil
	}, func(tx *store.Tx, id int64) (portal.Invoice, error) { return tx.SyncedInvoice(ctx, id) })
	if err == nil && notified {
		a.wake()
	}
	return out, err
}

// SyncTables maps the API's kinds of record to their tables.
var SyncTables = map[string]string{"customers": "customers", "sites": "sites", "contracts": "contracts", "visits": "visits",
	"invoices": "invoices"}

// DeleteSynced marks a record of the ERP deleted (a status: the row stays,
// and no portal page shows it any more, nor what hangs on it). Deleting
// again changes nothing and answers the first deletion's time;
// portal.ErrNotFound when the ERP never wrote the record. A later copy with
// a newer version brings it back.
func (a *App) DeleteSynced(ctx context.Context, in Integration, kind, externalID string) (time.Time, int64, error) {
	table, ok := SyncTables[kind]
	if !ok {
		return time.Time{}, 0, portal.ErrNotFound
	}
	var at time.Time
	var version int64
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.LockKey(ctx, "erp:"+table+":"+externalID); err != nil {
			return err
		}
		st, err := tx.ERPStateOf(ctx, table, ERPSource, externalID)
		if err != nil {
			return err
		}
		if err := checkScope(ctx, tx, in, table, st.ID, 0, "id", externalID); err != nil {
			return err
		}
		version = st.Version
		if !st.DeletedAt.IsZero() {
			at = st.DeletedAt
			return nil
		}
		if at, err = tx.MarkERPDeleted(ctx, table, st.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorRole: "api", Action: table + ".delete",
			Detail: fmt.Sprintf("token %s: %s", in.Name, externalID)})
	})
	if err != nil {
		return at, version, fmt.Errorf("delete %s %q: %w", kind, externalID, err)
	}
	return at, version, nil
}

// MaxChanges is the most changes one page of the feed returns.
const MaxChanges = 1000

// Changes returns the changes made in the portal (cancellations, notes,
// feedback, consent and access changes) numbered above after, at most
// limit (1 to MaxChanges), oldest first; a provider-scoped token reads
// only its provider's (store.ChangesFeed).
func (a *App) Changes(ctx context.Context, in Integration, after int64, limit int) ([]store.FeedChange, error) {
	limit = min(max(limit, 1), MaxChanges)
	var out []store.FeedChange
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.ChangesFeed(ctx, ERPSource, max(after, 0), limit, in.ProviderID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, err)
	}
	return out, nil
}
