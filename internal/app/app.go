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
	now    func() time.Time
	hasher *Hasher
	log    *slog.Logger
}

// New returns the use cases over db. now is the clock.
func New(db *store.DB, hasher *Hasher, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{db: db, now: now, hasher: hasher, log: log}
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
	// Refreshed is set when the session's last-used time was moved on, so
	// the web layer renews the cookie's lifetime.
	Refreshed bool
}

// scope is the access rule of PRODUCT.md: a verified customer sees the
// records whose normalised email equals the account's; provider staff see
// their provider's sites; chain admins see everything. An unverified
// account sees nothing.
func (v Viewer) scope() store.Scope {
	switch {
	case !v.Verified:
		return store.Scope{}
	case v.Role == portal.RoleAdmin:
		return store.Scope{All: true}
	case v.Role == portal.RoleStaff:
		return store.Scope{ProviderID: v.ProviderID}
	}
	return store.Scope{EmailNorm: v.EmailNorm}
}

// audited reports whether the viewer's reads of customer data go to the
// audit log (staff and admins).
func (v Viewer) audited() bool { return v.Role == portal.RoleAdmin || v.Role == portal.RoleStaff }

// Credentials is what a person types to sign in.
type Credentials struct {
	Email     string
	Password  string
	UserAgent string
}

// MaxPasswordLength is the longest password accepted.
const MaxPasswordLength = 128

// SignIn checks the credentials and starts a new session. It returns the
// session token for the cookie. Wrong credentials give
// portal.ErrUnauthenticated, and an unknown address costs the same hashing
// work as a known one.
func (a *App) SignIn(ctx context.Context, c Credentials) (token string, err error) {
	email, emailErr := portal.CheckEmail(c.Email)
	if emailErr != nil || c.Password == "" || len([]rune(c.Password)) > MaxPasswordLength {
		a.hasher.CheckDummy(ctx, c.Password)
		return "", portal.ErrUnauthenticated
	}
	var acc portal.Account
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		acc, err = tx.VerifiedAccountByEmail(ctx, email)
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		a.hasher.CheckDummy(ctx, c.Password)
		a.log.Info("sign-in failed", "reason", "unknown")
		return "", portal.ErrUnauthenticated
	}
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	rehash, err := a.hasher.Check(ctx, acc.PasswordHash, c.Password)
	if err != nil {
		a.log.Info("sign-in failed", "account", acc.ID, "reason", "password")
		return "", portal.ErrUnauthenticated
	}
	var newHash string
	if rehash {
		if newHash, err = a.hasher.Hash(ctx, c.Password); err != nil {
			return "", fmt.Errorf("rehash: %w", err)
		}
	}
	token, hash := newToken()
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if newHash != "" {
			if err := tx.SetPasswordHash(ctx, acc.ID, newHash); err != nil {
				return err
			}
		}
		_, err := tx.CreateSession(ctx, portal.Session{AccountID: acc.ID, TokenHash: hash,
			UserAgent: truncate(c.UserAgent, 300), AuthAt: tx.Now()})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	a.log.Info("signed in", "account", acc.ID)
	return token, nil
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
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if s, err = tx.SessionByTokenHash(ctx, hash); err != nil {
			return err
		}
		acc, err := tx.AccountByID(ctx, s.AccountID)
		if err != nil {
			return err
		}
		v = Viewer{AccountID: acc.ID, SessionID: s.ID, Email: acc.Email, EmailNorm: acc.EmailNorm,
			Verified: acc.Verified(), AuthAt: s.AuthAt}
		v.Role, v.ProviderID, err = tx.AccountRole(ctx, acc.ID)
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		return Viewer{}, portal.ErrUnauthenticated
	}
	if err != nil {
		return Viewer{}, fmt.Errorf("authenticate: %w", err)
	}
	now := a.now()
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
		sites, err := tx.Sites(ctx, v.scope())
		if err != nil {
			return err
		}
		for _, s := range sites {
			sum, err := a.summary(ctx, tx, s)
			if err != nil {
				return err
			}
			out = append(out, sum)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
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
	var out portal.SiteSummary
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.scope(), siteID)
		if err != nil {
			return err
		}
		out, err = a.summary(ctx, tx, s)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("site %d: %w", siteID, err)
	}
	if v.audited() {
		if err := a.audit(ctx, v, "site.view", out.Site.CustomerID, out.Site.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (a *App) summary(ctx context.Context, tx *store.Tx, s store.SiteWithProvider) (portal.SiteSummary, error) {
	sum := portal.SiteSummary{Site: s.Site, Provider: s.Provider}
	var err error
	if sum.Contracts, err = tx.ContractsOfSite(ctx, s.Site.ID); err != nil {
		return sum, err
	}
	if sum.NextVisit, err = tx.NextVisit(ctx, s.Site.ID, a.now()); err != nil {
		return sum, err
	}
	sum.LatestInvoice, err = tx.LatestInvoice(ctx, s.Site.ID)
	return sum, err
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

// Now is the app's clock.
func (a *App) Now() time.Time { return a.now() }

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
