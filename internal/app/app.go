// Package app holds the portal's use cases and the one place where it is
// decided who may do what to which site. The web UI and the sync API call
// the same methods. Each use case runs in one transaction.
package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// SessionIdle is how long an unused session lives: sign-in lasts until
// sign-out, bounded by the longest time a browser keeps a cookie.
const SessionIdle = 400 * 24 * time.Hour

// RecentAuth is how long after entering a password a sensitive change is
// allowed without entering it again.
const RecentAuth = 15 * time.Minute

// touchEvery limits how often a session's last-used time is written.
const touchEvery = time.Minute

// App is the portal's use cases over one store.
type App struct {
	db     *store.DB
	hasher *Hasher
	log    *slog.Logger
	mailer Mailer
	wakeFn func()
	sealer *Sealer
	push   pushConfig // push.go
	// events tells open pages of a site's thread that it has new
	// messages; baseURL is the portal's address for links in mails.
	events  func(siteID int64)
	baseURL string
	texts   *i18n.Catalog
}

// Option configures an App.
type Option func(*App)

// WithMailer sets where mails go (the outbox).
func WithMailer(m Mailer) Option { return func(a *App) { a.mailer = m } }

// WithSealer sets the key that opens identity codes (to show them masked).
func WithSealer(s *Sealer) Option { return func(a *App) { a.sealer = s } }

// WithBrand names the chain in the texts of notifications ({brand});
// empty keeps each language's app.name.
func WithBrand(name string) Option {
	return func(a *App) {
		if a.texts != nil {
			a.texts = a.texts.WithBrand(name)
		}
	}
}

// WithWake sets a function called after a use case has queued work, so a
// background worker can pick it up at once.
func WithWake(f func()) Option { return func(a *App) { a.wakeFn = f } }

// New returns the use cases over db. They act at the time db's clock
// gives (the store's package comment: one clock).
func New(db *store.DB, hasher *Hasher, log *slog.Logger, opts ...Option) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{db: db, hasher: hasher, log: log}
	// The texts of notifications; the embedded locales are checked by
	// their own tests, so a failure here leaves notifications untranslated
	// rather than stopping the portal.
	if cat, err := i18n.Load(); err == nil {
		a.texts = cat
	} else {
		log.Error("load texts for notifications", "err", err)
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func (a *App) wake() {
	if a.wakeFn != nil {
		a.wakeFn()
	}
}

// Viewer is the signed-in person a request acts for.
type Viewer struct {
	AccountID  int64
	SessionID  int64
	Email      string
	EmailNorm  string
	Verified   bool
	Role       portal.Role
	ProviderID int64
	AuthAt     time.Time
	// SecondFactor is set when the session's person gave a second factor.
	SecondFactor bool
	// Refreshed is set when the session's last-used time was moved on, so
	// the web layer renews the cookie's lifetime.
	Refreshed bool
	// Sites are a customer's sites (without details), read with the session
	// for the site switcher every page shows. Staff and admins, who may see
	// a provider's or the whole chain's sites, have none here: they find
	// sites through their own pages, and a list of every site on every
	// request would grow with the chain.
	Sites []portal.Site
	// Language is the account's chosen language ("" until chosen).
	Language string
	// Unread counts a customer's unread messages per site, for the
	// navigation (nil when there are none).
	Unread map[int64]int
}

// The access rule (who sees which site, and may do what on it) is
// Viewer.scopeFor and GrantAllows in grants.go: one place for every use
// case.

// audited reports whether the viewer's reads of customer data go to the
// audit log (staff and admins).
func (v Viewer) audited() bool { return v.Role == portal.RoleAdmin || v.Role == portal.RoleStaff }

// SignIn checks an address and password and starts a new session on this
// device. It returns the session token and the device token (new when the
// device had none) for the cookies. Wrong credentials give
// portal.ErrUnauthenticated, with the same hashing work for an unknown
// address as for a known one; too many failures give *ThrottledError, keyed
// by (address, IP) and by IP so the answer does not depend on whether the
// address has an account. A device that has signed in to the account
// before is exempt from both delays, so a stranger cannot lock the owner
// out, not even from behind the owner's IP.
func (a *App) SignIn(ctx context.Context, email, password string, c Client) (token, device string, err error) {
	clean, emailErr := emailaddr.Check(email)
	norm := emailaddr.Normalize(clean)
	now := a.db.Now()
	device = c.Device
	if len(device) != 43 {
		device, _ = newToken()
	}
	deviceHash := sha256.Sum256([]byte(device))
	var acc portal.Account
	var accErr error
	var wait time.Duration
	known := false
	// Looking the address up, checking the blocks and counting the attempt
	// are one write transaction (claimSignIn), so that parallel attempts
	// cannot all pass the check before any of them is counted. A known
	// device with the right password is never blocked, neither by its
	// address's failures nor by its IP's (someone else behind the same
	// address); its failures still count.
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if emailErr == nil {
			acc, accErr = tx.VerifiedAccountByEmail(ctx, clean)
			if accErr != nil && !errors.Is(accErr, portal.ErrNotFound) {
				return accErr
			}
		}
		if accErr == nil && acc.ID != 0 {
			var err error
			if known, err = tx.KnownDevice(ctx, acc.ID, deviceHash[:]); err != nil {
				return err
			}
		}
		if known {
			return nil
		}
		var err error
		wait, err = claimSignIn(ctx, tx, c.IP, signInKeyAccount(norm, c.IP))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("sign in: %w", err)
	}
	if wait > 0 {
		a.log.Info("sign-in throttled", "wait_s", int(wait.Seconds()))
		return "", "", &ThrottledError{RetryAfter: wait}
	}
	failed := func(reason string, accountID int64) (string, string, error) {
		if known {
			// Not counted yet (claimSignIn counts the others).
			err := a.db.Write(ctx, func(tx *store.Tx) error { return failSignIn(ctx, tx, now, c.IP, signInKeyAccount(norm, c.IP)) })
			if err != nil {
				return "", "", fmt.Errorf("sign in: %w", err)
			}
		}
		a.log.Info("sign-in failed", "reason", reason, "account", accountID)
		return "", "", portal.ErrUnauthenticated
	}
	if emailErr != nil || password == "" || len([]rune(password)) > MaxPasswordLen || acc.ID == 0 {
		a.hasher.CheckDummy(ctx, password)
		return failed("unknown", 0)
	}
	rehash, err := a.hasher.Check(ctx, acc.PasswordHash, password)
	if err != nil {
		return failed("password", acc.ID)
	}
	var newHash string
	if rehash {
		if newHash, err = a.hasher.Hash(ctx, password); err != nil {
			return "", "", fmt.Errorf("rehash: %w", err)
		}
	}
	token, hash := newToken()
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if newHash != "" {
			if err := tx.SetPasswordHash(ctx, acc.ID, newHash); err != nil {
				return err
			}
		}
		var err error
		if known {
			err = tx.ClearAttempts(ctx, signInKeyAccount(norm, c.IP))
		} else {
			err = succeedSignIn(ctx, tx, c.IP, signInKeyAccount(norm, c.IP))
		}
		if err != nil {
			return err
		}
		if err := tx.RememberDevice(ctx, acc.ID, deviceHash[:]); err != nil {
			return err
		}
		_, err = tx.CreateSession(ctx, portal.Session{AccountID: acc.ID, TokenHash: hash,
			UserAgent: truncate(c.UserAgent, 300), AuthAt: tx.Now()})
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("start session: %w", err)
	}
	a.log.Info("signed in", "account", acc.ID)
	return token, device, nil
}

// Authenticate returns the viewer of a session token, or
// portal.ErrUnauthenticated when the token is unknown or idle too long.
func (a *App) Authenticate(ctx context.Context, token string) (Viewer, error) {
	hash, ok := tokenHash(token)
	if !ok {
		return Viewer{}, portal.ErrUnauthenticated
	}
	var v Viewer
	var s portal.Session
	// One statement: the session, its account and role, and a customer's
	// sites with the unread messages per site, for the navigation.
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		sa, sites, unread, err := tx.SessionWithSites(ctx, hash, customerUnreadFrom)
		if err != nil {
			return err
		}
		s = sa.Session
		acc := sa.Account
		v = Viewer{AccountID: acc.ID, SessionID: s.ID, Email: acc.Email, EmailNorm: acc.EmailNorm,
			Verified: acc.Verified(), Role: sa.Role, ProviderID: sa.ProviderID, AuthAt: s.AuthAt, Language: acc.Language,
			SecondFactor: !s.SecondFactorAt.IsZero()}
		if v.Verified && v.Role == portal.RoleCustomer {
			v.Sites, v.Unread = sites, unread
		}
		return nil
	})
	if errors.Is(err, portal.ErrNotFound) {
		return Viewer{}, portal.ErrUnauthenticated
	}
	if err != nil {
		return Viewer{}, fmt.Errorf("authenticate: %w", err)
	}
	now := a.db.Now()
	if now.Sub(s.LastSeenAt) > SessionIdle {
		a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, s.AccountID, s.ID) })
		return Viewer{}, portal.ErrUnauthenticated
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, s.ID) })
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return Viewer{}, fmt.Errorf("touch session: %w", err)
		}
		v.Refreshed = true
	}
	return v, nil
}

// SignOut ends the session of token on the server. An unknown token is not
// an error: the person is signed out either way.
func (a *App) SignOut(ctx context.Context, token string) error {
	hash, ok := tokenHash(token)
	if !ok {
		return nil
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.SessionByTokenHash(ctx, hash)
		if errors.Is(err, portal.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.DeleteSession(ctx, s.AccountID, s.ID)
	})
}

// Overview returns every site the viewer may see, each with its provider,
// contracts, next visit and latest billing summary.
func (a *App) Overview(ctx context.Context, v Viewer) ([]portal.SiteSummary, error) {
	var out []portal.SiteSummary
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.SiteSummaries(ctx, v.scopeFor(CapView), tx.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	for i := range out {
		v.fitSummary(&out[i])
	}
	if v.audited() && len(out) > 0 {
		if err := a.audit(ctx, v, "sites.list", 0, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Site returns one site the viewer may see, or portal.ErrNotFound — the
// same answer whether the site does not exist or belongs to someone else.
func (a *App) Site(ctx context.Context, v Viewer, siteID int64) (portal.SiteSummary, error) {
	d, err := a.site(ctx, v, siteID, store.Reader{AccountID: v.AccountID, From: unreadFrom(v.Side())}, store.DashboardParts{})
	return d.SiteSummary, err
}

// CancelledVisitsShown is how many cancelled visits ahead the dashboard
// shows.
const CancelledVisitsShown = 3

// Dashboard returns a site's own page, the dashboard, in one statement:
// the site as Site does, its cancelled visits that have not ended yet
// (CancelledVisitsShown, soonest first, each with what its cancellation
// cost: the next visit is never a cancelled one), the visit waiting for
// the viewer's rating — the latest done one still within RatingWindow
// without a rating, for a customer who may rate at the site (staff and
// admins do not rate) — and, for customers, where the page's live status
// stream starts. A customer's unread messages are those their session
// counted (Viewer.Unread), the number the navigation shows beside it.
func (a *App) Dashboard(ctx context.Context, v Viewer, siteID int64) (portal.SiteDashboard, error) {
	if v.Role != portal.RoleCustomer {
		r := store.Reader{AccountID: v.AccountID, From: unreadFrom(v.Side())}
		return a.site(ctx, v, siteID, r, store.DashboardParts{Cancelled: CancelledVisitsShown})
	}
	d, err := a.site(ctx, v, siteID, store.Reader{}, store.DashboardParts{Cancelled: CancelledVisitsShown,
		Rate: v.siteScope(siteID, CapRate), RateWindow: RatingWindow, LiveFrom: true})
	if err != nil {
		return d, err
	}
	d.Unread = v.Unread[siteID]
	return d, nil
}

// site reads a site's summary, its unread messages counted for r, with
// the dashboard's parts asked for.
func (a *App) site(ctx context.Context, v Viewer, siteID int64, r store.Reader, parts store.DashboardParts) (portal.SiteDashboard, error) {
	var out portal.SiteDashboard
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.SiteDashboard(ctx, v.siteScope(siteID, CapView), siteID, tx.Now(), r, parts)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("site %d: %w", siteID, err)
	}
	v.fitSummary(&out.SiteSummary)
	a.touchGrant(ctx, v, siteID)
	if v.audited() {
		if err := a.audit(ctx, v, "site.view", out.Site.CustomerID, out.Site.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// fitSummary marks a summary with the viewer's link to its site and leaves
// out what their grant's role does not show: a follower sees no bills, so
// not the latest one either (on any page, or in the offline copy).
func (v Viewer) fitSummary(sum *portal.SiteSummary) {
	if v.Role != portal.RoleCustomer {
		return
	}
	sum.Site.Grant, _ = v.Link(sum.Site.ID)
	if !v.May(sum.Site.ID, CapBilling) {
		sum.LatestInvoice = nil
	}
}

func (a *App) audit(ctx context.Context, v Viewer, action string, customerID, siteID int64) error {
	return a.db.Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: action,
			CustomerID: customerID, SiteID: siteID})
	})
}

// newToken returns a 256-bit random session token and its SHA-256.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	t := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(t))
	return t, h[:]
}

func tokenHash(token string) ([]byte, bool) {
	if len(token) != 43 || strings.ContainsFunc(token, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return nil, false
	}
	h := sha256.Sum256([]byte(token))
	return h[:], true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// Now reads the portal's one clock, the store's.
func (a *App) Now() time.Time { return a.db.Now() }

// OrderServiceURL is where a person with no sites yet can order a service.
func (a *App) OrderServiceURL(ctx context.Context) (string, error) {
	var u string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		p, err := tx.Policies(ctx)
		u = p.OrderServiceURL
		return err
	})
	return u, err
}

// Ping reports whether the database answers.
func (a *App) Ping(ctx context.Context) error {
	return a.db.Read(ctx, func(tx *store.Tx) error { _, err := tx.Policies(ctx); return err })
}

// authenticateAgain re-reads a viewer's session (tests and use cases that
// changed it).
func (a *App) authenticateAgain(ctx context.Context, v Viewer) (Viewer, error) {
	var out Viewer
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := tx.AccountByID(ctx, v.AccountID)
		if err != nil {
			return err
		}
		s, err := tx.SessionByID(ctx, v.SessionID)
		if err != nil {
			return err
		}
		out = v
		out.Email, out.EmailNorm, out.Verified, out.AuthAt = acc.Email, acc.EmailNorm, acc.Verified(), s.AuthAt
		out.SecondFactor = !s.SecondFactorAt.IsZero()
		return nil
	})
	return out, err
}
