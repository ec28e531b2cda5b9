package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The legacy bridge (PRODUCT.md C8): a customer of the old extranet signs in
// once with the old username and password and is led straight to creating
// the new account with the email on their record. Once that account is
// verified the old credentials are deleted (retireLegacyCredentials).

// LegacyTicketLifetime is how long a successful legacy sign-in waits for
// the new account's password.
const LegacyTicketLifetime = 30 * time.Minute

// ErrLegacyRefused is the one answer to every legacy sign-in that cannot
// lead on: unknown username, wrong password, a customer outside the
// cut-over, a bridge past its retirement date, or a record whose new
// account already exists. One answer, so the form tells nobody which.
var ErrLegacyRefused = errors.New("legacy sign-in refused")

// ErrLegacyTicket means the ticket of a legacy sign-in is unknown, used or
// expired: the person signs in with the old credentials again.
var ErrLegacyTicket = errors.New("legacy ticket not valid")

// LegacyBridge tells the legacy form whether it is still open (today is
// before the retirement date) and the date it closes.
type LegacyBridge struct {
	Open       bool
	Retirement portal.Date
}

// LegacyBridgeState reads the chain's legacy dates.
func (a *App) LegacyBridgeState(ctx context.Context) (LegacyBridge, error) {
	var b LegacyBridge
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		p, err := tx.Policies(ctx)
		b = LegacyBridge{Open: portal.DateOf(tx.Now()).Before(p.LegacyRetirement), Retirement: p.LegacyRetirement}
		return err
	})
	return b, err
}

// LegacyTicket is a legacy sign-in that succeeded: the ticket that lets
// the person choose the new account's password, and the record's email the
// new account will have (the page shows it masked).
type LegacyTicket struct {
	Token string
	Email string
}

// CheckLegacyForm reports what is missing in the legacy sign-in form.
func CheckLegacyForm(username, password string) InvalidInput {
	var bad InvalidInput
	if strings.TrimSpace(username) == "" {
		bad = append(bad, FieldError{"username", "error.legacy.username.empty"})
	} else if len(username) > 200 {
		bad = append(bad, FieldError{"username", "error.legacy.username.long"})
	}
	if password == "" {
		bad = append(bad, FieldError{"password", "error.password.empty"})
	}
	return bad
}

func legacyKey(username, ip string) string {
	return "legacy:user:" + store.NormalizeUsername(username) + "|" + ip
}

// LegacySignIn checks old extranet credentials. Attempts are throttled like
// sign-ins (per username and address, and per address); every refusal is
// ErrLegacyRefused and takes as long as a check of a known username.
func (a *App) LegacySignIn(ctx context.Context, username, password string, c Client) (LegacyTicket, error) {
	if bad := CheckLegacyForm(username, password); bad != nil {
		return LegacyTicket{}, bad
	}
	var (
		found     store.LegacySignIn
		foundErr  error
		pol       portal.ChainPolicies
		wait      time.Duration
		userKey   = legacyKey(username, c.IP)
		today     portal.Date
		ticketTTL = LegacyTicketLifetime
	)
	// The block check and the count are one step (claimSignIn), as in
	// SignIn.
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if wait, err = claimSignIn(ctx, tx, c.IP, userKey); err != nil || wait > 0 {
			return err
		}
		if pol, err = tx.Policies(ctx); err != nil {
			return err
		}
		today = portal.DateOf(tx.Now())
		found, foundErr = tx.LegacySignInByUsername(ctx, username)
		if foundErr != nil && !errors.Is(foundErr, portal.ErrNotFound) {
			return foundErr
		}
		return nil
	})
	if err != nil {
		return LegacyTicket{}, fmt.Errorf("legacy sign-in: %w", err)
	}
	if wait > 0 {
		a.log.Info("legacy sign-in throttled", "wait_s", int(wait.Seconds()))
		return LegacyTicket{}, &ThrottledError{RetryAfter: wait}
	}
	refuse := func(reason string) (LegacyTicket, error) {
		// Counted already, by claimSignIn.
		a.log.Info("legacy sign-in refused", "reason", reason, "credential", found.Credential.ID)
		return LegacyTicket{}, ErrLegacyRefused
	}
	if foundErr != nil {
		a.hasher.CheckDummy(ctx, password)
		return refuse("unknown")
	}
	oldHash, err := legacy.Hash(found.Credential.Algorithm, found.Credential.Params, password)
	if err != nil {
		a.hasher.CheckDummy(ctx, password)
		return refuse("algorithm")
	}
	// The wrapped value is argon2id of the legacy hash, which is ASCII, so
	// the hasher's normalisation leaves it as it is.
	if _, err := a.hasher.Check(ctx, found.Credential.WrappedHash, oldHash); err != nil {
		return refuse("password")
	}
	switch {
	case !portal.LegacyEligible(found.RegularSince, pol.LegacyCutover, pol.LegacyRetirement, today):
		return refuse("not eligible")
	case found.VerifiedExists:
		return refuse("new account exists")
	case emailaddr.Normalize(found.Email) == "":
		return refuse("no email on record")
	}
	token, hash := newToken()
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := succeedSignIn(ctx, tx, c.IP, userKey); err != nil {
			return err
		}
		if err := tx.DeleteSpentLegacyTickets(ctx, tx.Now()); err != nil {
			return err
		}
		if err := tx.CreateLegacyTicket(ctx, hash, found.Credential.ID, tx.Now().Add(ticketTTL)); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorRole: "legacy", Action: "legacy.sign_in", CustomerID: found.Credential.CustomerID,
			Detail: "credential " + found.Credential.ExternalID})
	})
	if err != nil {
		return LegacyTicket{}, fmt.Errorf("legacy sign-in: %w", err)
	}
	a.log.Info("legacy sign-in", "credential", found.Credential.ID)
	return LegacyTicket{Token: token, Email: found.Email}, nil
}

// LegacyTicketEmail returns the record's email of a usable ticket, for the
// page that asks for the new password.
func (a *App) LegacyTicketEmail(ctx context.Context, ticket string) (string, error) {
	hash, ok := tokenHash(ticket)
	if !ok {
		return "", ErrLegacyTicket
	}
	var email string
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		s, err := tx.LegacySignInByTicket(ctx, hash)
		email = s.Email
		return err
	})
	if errors.Is(err, portal.ErrNotFound) {
		return "", ErrLegacyTicket
	}
	return email, err
}

// LegacySignUp starts the new account of a legacy sign-in: the address is
// the one on the record (the person cannot choose another here — they may
// sign up with any address the normal way), the password is new, and the
// code goes to that address like any sign-up's. A password the rules
// refuse leaves the ticket usable, so the person just tries again.
func (a *App) LegacySignUp(ctx context.Context, ticket, password string, c Client) (string, error) {
	hash, ok := tokenHash(ticket)
	if !ok {
		return "", ErrLegacyTicket
	}
	email, err := a.LegacyTicketEmail(ctx, ticket)
	if err != nil {
		return "", err
	}
	clean, err := checkNewAccount(email, password)
	if err != nil {
		var bad InvalidInput
		if errors.As(err, &bad) && bad.Field("email") != "" {
			return "", ErrLegacyTicket // the record's address is not usable
		}
		return "", err
	}
	pwHash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	token, tokenHash := newToken()
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.LegacySignInByTicket(ctx, hash)
		if err != nil {
			return err
		}
		if s.VerifiedExists {
			return portal.ErrNotFound
		}
		if err := tx.UseLegacyTicket(ctx, hash); err != nil {
			return err
		}
		return a.startSignUp(ctx, tx, clean, pwHash, tokenHash, c)
	})
	if errors.Is(err, portal.ErrNotFound) {
		return "", ErrLegacyTicket
	}
	if err != nil {
		return "", fmt.Errorf("legacy sign-up: %w", err)
	}
	a.wake()
	return token, nil
}

// retireLegacyCredentials deletes the old extranet credentials of the
// customer records of emailNorm once a verified account holds that address
// (a sign-up verified through the bridge or the normal way, an email
// change confirmed, or a record moved to an address that has one); with an
// empty emailNorm, of every such address (after an import). A credential
// must not outlive the account that replaces it: afterwards the old
// username answers as an unknown one.
func retireLegacyCredentials(ctx context.Context, tx *store.Tx, emailNorm string) error {
	n, err := tx.DeleteLegacyCredentialsOfVerified(ctx, emailNorm)
	if err != nil || n == 0 {
		return err
	}
	return tx.Audit(ctx, store.AuditEntry{ActorRole: "system", Action: "legacy.credentials_deleted",
		Detail: fmt.Sprintf("%d credential(s): the new account is verified", n)})
}
