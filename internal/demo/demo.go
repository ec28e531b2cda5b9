// Package demo fills a database with deterministic, realistic demo data:
// three providers, six sign-ins, seven homes with contracts, visits,
// billing summaries, messages, feedback and deduction consents (Load), and
// synthetic customers in bulk for load tests (Synthetic). All data goes
// through the store's API; dates are relative to the loading time in
// Europe/Helsinki, so the demo always looks current.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Password is the demo accounts' password.
const Password = "demo-salasana-2025"

// The old extranet sign-in of the demo's legacy customer (PRODUCT.md C8),
// stored as the old system did (salted SHA-256) and wrapped like every
// imported credential.
const (
	LegacyUsername = "eino.nieminen"
	LegacyPassword = "Extranet-2019"
	legacySalt     = "demo-extranet-salt"
)

// TOTPSecret is the authenticator-app secret of the demo's staff and admin
// accounts (their second factor): in an authenticator app the key
// MFZW SYLL MFZX G2LW OUWW IZLN N4WW 65DQ, or the code shown on the
// development outbox page.
var TOTPSecret = []byte("asiakassivu-demo-otp")

// Source is the source of every row Load writes.
const Source = "demo"

// ErrNotEmpty is returned (wrapped) by Load when the database already holds
// accounts, customers or providers; it wraps portal.ErrConflict.
var ErrNotEmpty = fmt.Errorf("database is not empty; demo data loads only into an empty database: %w", portal.ErrConflict)

// Options are what Load needs from the application.
type Options struct {
	// Now is the loading time; every date of the demo is relative to its
	// day in Europe/Helsinki.
	Now time.Time
	// HashPassword produces the stored password hash (the argon2id PHC
	// string) of the demo accounts.
	HashPassword func(string) (string, error)
	// Encrypt seals the payers' personal identity codes for storage.
	Encrypt func([]byte) ([]byte, error)
}

// Login is one demo address to try at the sign-in page.
type Login struct {
	Email string
	// Role is "customer", "staff" or "admin".
	Role string
	// Note says what the address shows, in Finnish and English.
	Note string
	// HasAccount is false for customer records that have no account yet:
	// signing up with the address (any password) links their data.
	HasAccount bool
}

// Result describes what Load wrote.
type Result struct {
	// Accounts lists the demo sign-ins (password: Password) followed by
	// the addresses that have data but no account yet.
	Accounts []Login
	// Counts is how many rows were written.
	Counts Counts
}

// Counts are row counts by table.
type Counts struct {
	Providers, Accounts, Customers, Sites, Contracts, Visits, Invoices, InvoiceLines, Threads, Messages, Feedback,
	Consents, Payers, LegacyCredentials int
	// Grants counts family-access grants and invitations.
	Grants int
}

// Load writes the demo data into an empty database in one transaction. It
// fails with an error wrapping ErrNotEmpty (and so portal.ErrConflict) when
// the database already holds data, and then changes nothing.
//
// The data is a fixed story dated relative to opt.Now: visits of the last
// 18 months and the next three, one of them in progress when loading
// between 7 and 20 o'clock Helsinki time; a visit at every site two and ten
// days ahead; billing summaries monthly since January 2023. Loads with the
// same opt.Now write identical rows (password hashes and sealed identity
// codes are whatever opt's functions return); loads on the same day differ
// only in the accounts' verification time and the in-progress visit.
// The demo chain's customer service.
const (
	DemoServicePhone = "010 555 0100"
	DemoServiceEmail = "asiakaspalvelu@demo.example"
)

func Load(ctx context.Context, db *store.DB, opt Options) (Result, error) {
	switch {
	case opt.Now.IsZero():
		return Result{}, errors.New("demo: Options.Now is not set")
	case opt.HashPassword == nil:
		return Result{}, errors.New("demo: Options.HashPassword is not set")
	case opt.Encrypt == nil:
		return Result{}, errors.New("demo: Options.Encrypt is not set (identity codes are stored encrypted)")
	}
	p := newPlan(opt.Now)
	// Hashing and sealing are slow or fallible: done before the write
	// transaction so that it holds the writer only for writing.
	hashes := make([]string, len(demoAccounts))
	for i, a := range demoAccounts {
		h, err := opt.HashPassword(Password)
		if err != nil {
			return Result{}, fmt.Errorf("demo: hash password of %s: %w", a.email, err)
		}
		hashes[i] = h
	}
	payers := make([][]store.Payer, len(p.sites))
	for i, sp := range p.sites {
		for _, pd := range sp.def.payers {
			enc, err := opt.Encrypt([]byte(identityCode(pd.birth, pd.nnn)))
			if err != nil {
				return Result{}, fmt.Errorf("demo: encrypt identity code: %w", err)
			}
			payers[i] = append(payers[i], store.Payer{Name: pd.name, IdentityCodeEnc: enc, ShareBP: pd.share})
		}
	}
	// The legacy credential as the old extranet stored it, then wrapped.
	sum := sha256.Sum256([]byte(legacySalt + LegacyPassword))
	params, canonical, err := legacy.SplitHash(portal.LegacySHA256, hex.EncodeToString(sum[:]), legacySalt)
	if err != nil {
		return Result{}, fmt.Errorf("demo: legacy credential: %w", err)
	}
	wrapped, err := opt.HashPassword(canonical)
	if err != nil {
		return Result{}, fmt.Errorf("demo: wrap legacy credential: %w", err)
	}
	legacy := store.LegacyCredential{Source: Source, Algorithm: portal.LegacySHA256, Params: params, WrappedHash: wrapped}
	totp, err := opt.Encrypt(TOTPSecret)
	if err != nil {
		return Result{}, fmt.Errorf("demo: seal authenticator secret: %w", err)
	}
	var res Result
	err = db.Write(ctx, func(tx *store.Tx) error {
		res = Result{}
		empty, err := tx.IsEmpty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			return ErrNotEmpty
		}
		return p.write(ctx, tx, hashes, payers, legacy, totp, &res.Counts)
	})
	if err != nil {
		return Result{}, fmt.Errorf("demo: load: %w", err)
	}
	for _, a := range demoAccounts {
		res.Accounts = append(res.Accounts, Login{Email: a.email, Role: string(a.role), Note: a.note, HasAccount: true})
	}
	res.Accounts = append(res.Accounts,
		Login{Email: "uusi@demo.example", Role: string(portal.RoleCustomer), Note: "ei tiliä: luo tili tällä osoitteella, " +
			"niin kohde, käynnit ja laskut ilmestyvät; toinen@ on kutsunut hänet seuraajaksi: /kutsu/" + InvitationToken +
			" / no account: sign up with this address and the data appears; toinen@ has invited this address to follow a home"},
		Login{Email: "vanha@demo.example", Role: string(portal.RoleCustomer), Note: "vanhan Extranetin asiakas (sopimus " +
			"vuodesta 2019), ei tiliä; vanhat tunnukset " + LegacyUsername + " / " + LegacyPassword +
			" / legacy extranet customer, no account; old sign-in " + LegacyUsername + " / " + LegacyPassword})
	return res, nil
}

func (p *plan) write(ctx context.Context, tx *store.Tx, hashes []string, payers [][]store.Payer, legacy store.LegacyCredential,
	totp []byte, res *Counts) error {
	provIDs := make([]int64, len(p.providers))
	for i, pr := range p.providers {
		id, err := tx.UpsertProvider(ctx, pr)
		if err != nil {
			return fmt.Errorf("provider %s: %w", pr.ExternalID, err)
		}
		provIDs[i] = id
		res.Providers++
	}
	accIDs := make([]int64, len(demoAccounts))
	for i, a := range demoAccounts {
		id, err := tx.CreateAccount(ctx, portal.Account{Email: a.email, PasswordHash: hashes[i], VerifiedAt: p.now,
			Language: "fi"})
		if err != nil {
			return fmt.Errorf("account %s: %w", a.email, err)
		}
		accIDs[i] = id
		res.Accounts++
	}
	for _, prov := range []int{provTampere, provHelsinki} {
		st := staffNames[prov]
		if err := tx.AddStaff(ctx, provIDs[prov], accIDs[st.account], st.name); err != nil {
			return fmt.Errorf("staff: %w", err)
		}
	}
	if err := tx.AddAdmin(ctx, accIDs[accYllapito]); err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	// Staff and admins sign in with a second factor: the demo's use the
	// authenticator secret TOTPSecret.
	for i, a := range demoAccounts {
		if a.role == portal.RoleCustomer {
			continue
		}
		if err := tx.SetUnconfirmedTOTP(ctx, accIDs[i], totp); err != nil {
			return fmt.Errorf("authenticator of %s: %w", a.email, err)
		}
		if err := tx.AcceptTOTPStep(ctx, accIDs[i], 1); err != nil {
			return fmt.Errorf("authenticator of %s: %w", a.email, err)
		}
	}
	accountID := func(k int) int64 {
		if k == accNone {
			return 0
		}
		return accIDs[k]
	}
	for i := range p.sites {
		sp := &p.sites[i]
		if err := sp.write(ctx, tx, provIDs[sp.def.provider], accountID, payers[i], legacy, res); err != nil {
			return fmt.Errorf("site %s: %w", sp.site.ExternalID, err)
		}
	}
	if err := p.writeGrants(ctx, tx, accountID, res); err != nil {
		return fmt.Errorf("grants: %w", err)
	}
	pol, err := tx.Policies(ctx)
	if err != nil {
		return fmt.Errorf("policies: %w", err)
	}
	pol.LegacyRetirement = p.today.AddDays(90)
	// The demo chain's customer service, for the contact page and the
	// mails that ask to contact it.
	pol.CustomerServicePhone, pol.CustomerServiceEmail = DemoServicePhone, DemoServiceEmail
	if err := tx.SetPolicies(ctx, pol); err != nil {
		return fmt.Errorf("policies: %w", err)
	}
	return nil
}

func (sp *sitePlan) write(ctx context.Context, tx *store.Tx, providerID int64, accountID func(int) int64,
	payers []store.Payer, legacy store.LegacyCredential, res *Counts) error {
	custID, err := tx.UpsertCustomer(ctx, sp.customer)
	if err != nil {
		return err
	}
	res.Customers++
	if sp.def.legacyUser != "" {
		legacy.CustomerID, legacy.ExternalID, legacy.Username = custID, sp.customer.ExternalID, sp.def.legacyUser
		if _, err := tx.UpsertLegacyCredential(ctx, legacy); err != nil {
			return err
		}
		res.LegacyCredentials++
	}
	s := sp.site
	s.CustomerID, s.ProviderID = custID, providerID
	siteID, err := tx.UpsertSite(ctx, s)
	if err != nil {
		return err
	}
	sp.id = siteID
	res.Sites++
	contractIDs := make([]int64, len(sp.contracts))
	for i, c := range sp.contracts {
		c.SiteID = siteID
		if contractIDs[i], err = tx.UpsertContract(ctx, c); err != nil {
			return err
		}
		res.Contracts++
	}
	visitIDs := make(map[string]int64, len(sp.visits))
	for _, v := range sp.visits {
		v.SiteID, v.ContractID = siteID, contractIDs[v.contract]
		id, err := tx.UpsertVisit(ctx, v.Visit)
		if err != nil {
			return err
		}
		visitIDs[v.ExternalID] = id
		res.Visits++
	}
	for _, inv := range sp.invoices {
		inv.CustomerID, inv.SiteID = custID, siteID
		if _, err := tx.UpsertInvoice(ctx, inv); err != nil {
			return err
		}
		res.Invoices++
		res.InvoiceLines += len(inv.Lines)
	}
	threadID, err := tx.EnsureThread(ctx, siteID)
	if err != nil {
		return err
	}
	res.Threads++
	for _, m := range sp.messages {
		m.ThreadID, m.AuthorAccountID = threadID, accountID(m.account)
		if _, err := tx.AddMessage(ctx, m.Message); err != nil {
			return err
		}
		res.Messages++
	}
	if d := sp.def.caretakerCancel; d != 0 {
		if err := sp.cancelForCustomer(ctx, tx, siteID, visitIDs, d, accountID(accCaretaker)); err != nil {
			return err
		}
	}
	for _, f := range sp.feedback {
		f.SiteID = siteID
		if f.visit != "" {
			f.VisitID = visitIDs[f.visit]
		}
		if _, err := tx.UpsertFeedback(ctx, f.Feedback); err != nil {
			return err
		}
		res.Feedback++
	}
	if len(payers) > 0 {
		if _, err := tx.SetDeductionConsent(ctx, custID, true, true, "2024-1", payers); err != nil {
			return err
		}
		res.Consents++
		res.Payers += len(payers)
	}
	return nil
}

// cancelForCustomer cancels, as the home's caretaker (account
// caretakerID), the regular visit nearest to offset days ahead, in time
// (free): the visit then says who cancelled it, as the portal records a
// cancellation made under a grant.
func (sp *sitePlan) cancelForCustomer(ctx context.Context, tx *store.Tx, siteID int64, visitIDs map[string]int64, offset int,
	caretakerID int64) error {
	now := sp.now
	target := portal.DateOf(now).AddDays(offset)
	var best *plannedVisit
	for i := range sp.visits {
		v := &sp.visits[i]
		if v.contract != 0 || (v.Status != portal.VisitPlanned && v.Status != portal.VisitConfirmed) || !v.StartsAt.After(now) {
			continue
		}
		if best == nil || abs(daysBetween(portal.DateOf(v.StartsAt), target)) < abs(daysBetween(portal.DateOf(best.StartsAt), target)) {
			best = v
		}
	}
	if best == nil {
		return fmt.Errorf("no visit near %v to cancel", target)
	}
	v, err := tx.VisitOfSite(ctx, siteID, visitIDs[best.ExternalID])
	if err != nil {
		return err
	}
	return tx.CancelVisitByCustomer(ctx, v.ID, v.Sequence, 0, portal.FeeFree,
		portal.Actor{AccountID: caretakerID, Name: demoSites[0].custName, Role: portal.ActorCaretaker})
}

// InvitationToken is the link token of the demo's pending invitation: Pekka
// (toinen@) invites uusi@ to follow his home. Open /kutsu/InvitationToken,
// sign up as uusi@demo.example, and accept.
var InvitationToken = func() string {
	sum := sha256.Sum256([]byte("asiakassivu demo invitation toinen uusi"))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}()

// writeGrants writes family access (PRODUCT.md C11): the homes marked
// lookedAfter have Maija (accCaretaker) as their asioiden hoitaja, invited
// by the owner and accepted; and Pekka's (toinen@) pending invitation to
// uusi@ to follow his home. Only token hashes are stored, as the portal
// does; the accepted grants' tokens are spent.
func (p *plan) writeGrants(ctx context.Context, tx *store.Tx, accountID func(int) int64, res *Counts) error {
	for _, sp := range p.sites {
		if !sp.def.lookedAfter {
			continue
		}
		email := demoAccounts[accCaretaker].email
		h := sha256.Sum256([]byte("asiakassivu demo grant " + sp.def.key))
		id, err := tx.InsertGrant(ctx, portal.Grant{SiteID: sp.id, Role: portal.GrantCaretaker, Email: email, EmailNorm: email,
			InvitedBy: accountID(sp.def.account), Language: "fi", ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, h[:])
		if err != nil {
			return err
		}
		if err := tx.AcceptGrant(ctx, id, accountID(accCaretaker)); err != nil {
			return err
		}
		res.Grants++
	}
	for _, sp := range p.sites {
		if sp.def.key != "toinen" {
			continue
		}
		h := sha256.Sum256([]byte(InvitationToken))
		if _, err := tx.InsertGrant(ctx, portal.Grant{SiteID: sp.id, Role: portal.GrantFollower, Email: "uusi@demo.example",
			EmailNorm: "uusi@demo.example", InvitedBy: accountID(accToinen), Language: "fi",
			ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, h[:]); err != nil {
			return err
		}
		res.Grants++
	}
	return nil
}
