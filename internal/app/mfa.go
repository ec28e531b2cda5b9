package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The second factor (SECURITY.md): provider staff and chain admins give one
// after their password at every sign-in, and set one up at their first.
// A passkey (WebAuthn, with user verification) signs anyone in without a
// password and counts as both factors; an authenticator app's code (TOTP)
// works without JavaScript; recovery codes help when the phone is lost.

// NeedsSecondFactor reports whether the viewer must still give a second
// factor in this session before seeing anything.
func (v Viewer) NeedsSecondFactor() bool {
	return (v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin) && !v.SecondFactor
}

// ErrSecondFactor means a code (authenticator or recovery) did not work.
var ErrSecondFactor = errors.New("second factor not accepted")

// ErrPasskey means a passkey ceremony failed: expired, tampered with, or an
// unknown passkey. The page says to try again.
var ErrPasskey = errors.New("passkey not accepted")

// ErrSecondFactorFirst means the session has not given its second factor
// and the account has one: the change waits until it is given.
var ErrSecondFactorFirst = errors.New("second factor first")

// mayChangeFactors is the one rule for adding or removing a way to confirm
// the sign-in (passkey, authenticator app, recovery codes). Before the
// session has given its second factor, it may only set up the first factor
// of an account that has none (after an admin's invitation or reset);
// otherwise the session must be fully signed in and have entered its
// password (or used a passkey) within RecentAuth.
func (a *App) mayChangeFactors(ctx context.Context, tx *store.Tx, v Viewer) error {
	if v.NeedsSecondFactor() {
		m, err := mfaOf(ctx, tx, v.AccountID)
		if err != nil {
			return err
		}
		if m.Any() {
			return ErrSecondFactorFirst
		}
		return nil
	}
	if !a.recent(v) {
		return ErrReauthenticate
	}
	return nil
}

// factorNotice mails the account that a factor was added or removed.
func (a *App) factorNotice(ctx context.Context, tx *store.Tx, v Viewer, kind, factor string) error {
	return a.mail(ctx, tx, kind, v.Language, v.Email, map[string]string{"factor": factor})
}

// The mails of factorNotice and the factors they name (mail kinds).
const (
	factorAdded         = "factor_added_notice"
	factorRemoved       = "factor_removed_notice"
	factorPasskey       = "passkey"
	factorAuthenticator = "authenticator"
	factorAll           = "all" // an admin's reset of every factor
)

// ErrPasskeySuspended means the passkey was suspended by a password reset:
// it signs in only after the new password on the same device, which
// confirms it again.
var ErrPasskeySuspended = errors.New("passkey suspended since a password reset")

// RecoveryCodeCount is how many recovery codes a set has.
const RecoveryCodeCount = 10

// ceremonyLifetime is how long a passkey prompt may stay open.
const ceremonyLifetime = 5 * time.Minute

// MFA is what an account has set up as a second factor.
type MFA struct {
	TOTP         bool
	Passkeys     []portal.Passkey
	RecoveryLeft int
}

// Any reports whether anything is set up.
func (m MFA) Any() bool { return m.TOTP || len(m.Passkeys) > 0 }

// MFAState reads the viewer's second factors.
func (a *App) MFAState(ctx context.Context, v Viewer) (MFA, error) {
	var m MFA
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = mfaOf(ctx, tx, v.AccountID); err != nil {
			return err
		}
		m.RecoveryLeft, err = tx.RecoveryCodesLeft(ctx, v.AccountID)
		return err
	})
	return m, err
}

func mfaOf(ctx context.Context, tx *store.Tx, accountID int64) (MFA, error) {
	var m MFA
	t, err := tx.TOTPOf(ctx, accountID)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return m, err
	}
	m.TOTP = err == nil && !t.ConfirmedAt.IsZero()
	m.Passkeys, err = tx.PasskeysOf(ctx, accountID)
	return m, err
}

// TOTPSetup is a new authenticator-app secret waiting for its first code.
type TOTPSetup struct {
	Secret string // grouped base32, to type into the app
	URI    string // otpauth:// link, for an app on the same device
}

// StartTOTP makes a new secret for the viewer's authenticator app (the one
// waiting for its first code is replaced; a confirmed one stays until
// removed).
func (a *App) StartTOTP(ctx context.Context, v Viewer) (TOTPSetup, error) {
	if a.sealer == nil {
		return TOTPSetup{}, errors.New("start totp: no secret key configured")
	}
	secret := make([]byte, portal.TOTPSecretBytes)
	rand.Read(secret)
	enc, err := a.sealer.Seal(secret)
	if err != nil {
		return TOTPSetup{}, err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.mayChangeFactors(ctx, tx, v); err != nil {
			return err
		}
		return tx.SetUnconfirmedTOTP(ctx, v.AccountID, enc)
	})
	if errors.Is(err, portal.ErrConflict) || errors.Is(err, ErrSecondFactorFirst) || errors.Is(err, ErrReauthenticate) {
		return TOTPSetup{}, err
	}
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("start totp: %w", err)
	}
	return TOTPSetup{Secret: portal.TOTPSecretText(secret), URI: portal.TOTPURI("Asiakassivu", v.Email, secret)}, nil
}

// PendingTOTP shows again the secret waiting for its first code (after a
// mistyped code); ErrNotFound when there is none.
func (a *App) PendingTOTP(ctx context.Context, v Viewer) (TOTPSetup, error) {
	var t store.TOTPSecret
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.TOTPOf(ctx, v.AccountID)
		return err
	})
	if err != nil {
		return TOTPSetup{}, err
	}
	if !t.ConfirmedAt.IsZero() || a.sealer == nil {
		return TOTPSetup{}, portal.ErrNotFound
	}
	secret, err := a.sealer.Open(t.SecretEnc)
	if err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: portal.TOTPSecretText(secret), URI: portal.TOTPURI("Asiakassivu", v.Email, secret)}, nil
}

// mfaKey is the throttling key of an account's second-factor attempts.
func mfaKey(accountID int64) string { return fmt.Sprintf("mfa:acct:%d", accountID) }

// ConfirmTOTP checks the first code of a new secret. On success the secret
// is in use (when mayChangeFactors allows it), the owner is mailed, this
// session has given its second factor, and when the account had no
// recovery codes a new set is returned to show once.
func (a *App) ConfirmTOTP(ctx context.Context, v Viewer, typed string) ([]string, error) {
	var codes []string
	enrolled := false
	err := a.secondFactor(ctx, v, func(tx *store.Tx) (bool, error) {
		t, err := tx.TOTPOf(ctx, v.AccountID)
		if errors.Is(err, portal.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		enrol := t.ConfirmedAt.IsZero()
		if enrol {
			if err := a.mayChangeFactors(ctx, tx, v); err != nil {
				return false, err
			}
		}
		ok, err := a.acceptTOTP(ctx, tx, v.AccountID, t, typed)
		if !ok || err != nil {
			return ok, err
		}
		if enrolled = enrol; enrol {
			if err := a.factorNotice(ctx, tx, v, factorAdded, factorAuthenticator); err != nil {
				return false, err
			}
		}
		codes, err = a.ensureRecoveryCodes(ctx, tx, v.AccountID)
		return true, err
	})
	if err == nil && enrolled {
		a.wake()
	}
	return codes, err
}

// SecondFactor checks an authenticator code or a recovery code for this
// session's sign-in. Failures are throttled per account.
func (a *App) SecondFactor(ctx context.Context, v Viewer, typed string) error {
	return a.secondFactor(ctx, v, func(tx *store.Tx) (bool, error) {
		if code := normalizeRecoveryCode(typed); len(code) == 10 {
			err := tx.UseRecoveryCode(ctx, v.AccountID, recoveryHash(code))
			if errors.Is(err, portal.ErrNotFound) {
				return false, nil
			}
			if err == nil {
				a.log.Info("recovery code used", "account", v.AccountID)
			}
			return err == nil, err
		}
		t, err := tx.TOTPOf(ctx, v.AccountID)
		if errors.Is(err, portal.ErrNotFound) || err == nil && t.ConfirmedAt.IsZero() {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return a.acceptTOTP(ctx, tx, v.AccountID, t, typed)
	})
}

// secondFactor runs a check within the throttle: a blocked account waits,
// a failed check counts, a passed one marks the session.
func (a *App) secondFactor(ctx context.Context, v Viewer, check func(tx *store.Tx) (bool, error)) error {
	var wait time.Duration
	passed := false
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if wait, err = blocked(ctx, tx, mfaKey(v.AccountID), tx.Now()); err != nil || wait > 0 {
			return err
		}
		if passed, err = check(tx); err != nil {
			return err
		}
		if !passed {
			return nil
		}
		if err := tx.ClearAttempts(ctx, mfaKey(v.AccountID)); err != nil {
			return err
		}
		return tx.SetSecondFactor(ctx, v.SessionID)
	})
	switch {
	case err != nil:
		return fmt.Errorf("second factor: %w", err)
	case wait > 0:
		return &ThrottledError{RetryAfter: wait}
	case !passed:
		if err := a.db.Write(ctx, func(tx *store.Tx) error {
			return fail(ctx, tx, mfaKey(v.AccountID), freeFailuresPerAccountIP, tx.Now())
		}); err != nil {
			return fmt.Errorf("second factor: %w", err)
		}
		a.log.Info("second factor refused", "account", v.AccountID)
		return ErrSecondFactor
	}
	a.log.Info("second factor given", "account", v.AccountID)
	return nil
}

// acceptTOTP checks a code against a secret and records its step, so the
// same code never works twice.
func (a *App) acceptTOTP(ctx context.Context, tx *store.Tx, accountID int64, t store.TOTPSecret, typed string) (bool, error) {
	if a.sealer == nil {
		return false, errors.New("totp: no secret key configured")
	}
	secret, err := a.sealer.Open(t.SecretEnc)
	if err != nil {
		return false, err
	}
	step, ok := portal.CheckTOTP(secret, typed, tx.Now(), t.LastStep)
	if !ok {
		return false, nil
	}
	if err := tx.AcceptTOTPStep(ctx, accountID, step); errors.Is(err, portal.ErrConflict) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}

var recoveryAlphabet = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// normalizeRecoveryCode drops dashes and spaces and folds case.
func normalizeRecoveryCode(s string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
}

func recoveryHash(code string) []byte {
	h := sha256.Sum256([]byte("recovery:" + code))
	return h[:]
}

// ensureRecoveryCodes makes a set of recovery codes when the account has
// none left; it returns the new codes (to show once) or nil.
func (a *App) ensureRecoveryCodes(ctx context.Context, tx *store.Tx, accountID int64) ([]string, error) {
	left, err := tx.RecoveryCodesLeft(ctx, accountID)
	if err != nil || left > 0 {
		return nil, err
	}
	return newRecoveryCodes(ctx, tx, accountID)
}

func newRecoveryCodes(ctx context.Context, tx *store.Tx, accountID int64) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		rand.Read(b)
		c := recoveryAlphabet.EncodeToString(b)[:10]
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = recoveryHash(c)
	}
	return codes, tx.ReplaceRecoveryCodes(ctx, accountID, hashes)
}

// NewRecoveryCodes replaces the viewer's recovery codes with a new set,
// shown once; mayChangeFactors decides (a recent sign-in).
func (a *App) NewRecoveryCodes(ctx context.Context, v Viewer) ([]string, error) {
	var codes []string
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.mayChangeFactors(ctx, tx, v); err != nil {
			return err
		}
		var err error
		codes, err = newRecoveryCodes(ctx, tx, v.AccountID)
		return err
	})
	return codes, err
}

// waUser is an account as the WebAuthn library sees it.
type waUser struct {
	handle []byte
	email  string
	keys   []portal.Passkey
	creds  []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return u.handle }
func (u *waUser) WebAuthnName() string                       { return u.email }
func (u *waUser) WebAuthnDisplayName() string                { return u.email }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func loadWAUser(ctx context.Context, tx *store.Tx, accountID int64) (*waUser, error) {
	acc, err := tx.AccountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	h, err := tx.WebAuthnHandle(ctx, accountID)
	if err != nil {
		return nil, err
	}
	u := &waUser{handle: h, email: acc.Email}
	if u.keys, err = tx.PasskeysOf(ctx, accountID); err != nil {
		return nil, err
	}
	for _, k := range u.keys {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(k.Data), &c); err != nil {
			return nil, fmt.Errorf("passkey %d: %w", k.ID, err)
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// webAuthn is the relying party: the portal's host and origin.
func (a *App) webAuthn() (*webauthn.WebAuthn, error) {
	u, err := url.Parse(a.baseURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("passkeys: the portal's address is not set")
	}
	return webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: "Asiakassivu",
		RPOrigins: []string{u.Scheme + "://" + u.Host}})
}

// The ceremony kinds.
const (
	ceremonyRegister = "register"
	ceremonySignIn   = "signin"
)

func startCeremony(ctx context.Context, tx *store.Tx, accountID int64, kind string, session *webauthn.SessionData) (string, error) {
	data, err := json.Marshal(session)
	if err != nil {
		return "", err
	}
	token, hash := newToken()
	return token, tx.StartCeremony(ctx, hash, store.Ceremony{AccountID: accountID, Kind: kind, Data: string(data)},
		tx.Now().Add(ceremonyLifetime))
}

func takeCeremony(ctx context.Context, tx *store.Tx, token, kind string, accountID int64) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	hash, ok := tokenHash(token)
	if !ok {
		return s, ErrPasskey
	}
	c, err := tx.TakeCeremony(ctx, hash)
	if errors.Is(err, portal.ErrNotFound) || err == nil && (c.Kind != kind || c.AccountID != accountID) {
		return s, ErrPasskey
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(c.Data), &s)
}

// BeginPasskeyRegistration starts adding a passkey to the viewer's account
// (when mayChangeFactors allows it): the options for
// navigator.credentials.create and the ceremony's token.
func (a *App) BeginPasskeyRegistration(ctx context.Context, v Viewer) (token string, options []byte, err error) {
	wa, err := a.webAuthn()
	if err != nil {
		return "", nil, err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.mayChangeFactors(ctx, tx, v); err != nil {
			return err
		}
		u, err := loadWAUser(ctx, tx, v.AccountID)
		if err != nil {
			return err
		}
		var exclude []protocol.CredentialDescriptor
		for _, c := range u.creds {
			exclude = append(exclude, c.Descriptor())
		}
		creation, session, err := wa.BeginRegistration(u,
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
				ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
				UserVerification: protocol.VerificationRequired}),
			webauthn.WithExclusions(exclude))
		if err != nil {
			return err
		}
		if options, err = json.Marshal(creation); err != nil {
			return err
		}
		token, err = startCeremony(ctx, tx, v.AccountID, ceremonyRegister, session)
		return err
	})
	if errors.Is(err, ErrSecondFactorFirst) || errors.Is(err, ErrReauthenticate) {
		return "", nil, err
	}
	if err != nil {
		return "", nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	return token, options, nil
}

// MaxPasskeyName is the longest name a passkey may be given.
const MaxPasskeyName = 100

// FinishPasskeyRegistration checks the browser's answer and stores the
// passkey, when mayChangeFactors still allows it; the owner is mailed.
// Adding one counts as this session's second factor (it is how staff set
// theirs up at the first sign-in); an account without recovery codes gets
// a set, returned to show once.
func (a *App) FinishPasskeyRegistration(ctx context.Context, v Viewer, token string, response []byte, name string) ([]string, error) {
	wa, err := a.webAuthn()
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		a.log.Info("passkey registration refused", "account", v.AccountID, "err", err)
		return nil, ErrPasskey
	}
	name = truncate(strings.TrimSpace(name), MaxPasskeyName)
	var codes []string
	var refused error
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.mayChangeFactors(ctx, tx, v); err != nil {
			refused = err
			return nil
		}
		session, err := takeCeremony(ctx, tx, token, ceremonyRegister, v.AccountID)
		if err != nil {
			refused = err
			return nil
		}
		u, err := loadWAUser(ctx, tx, v.AccountID)
		if err != nil {
			return err
		}
		cred, err := wa.CreateCredential(u, session, parsed)
		if err != nil {
			a.log.Info("passkey registration refused", "account", v.AccountID, "err", err)
			refused = ErrPasskey
			return nil
		}
		data, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		if _, err := tx.AddPasskey(ctx, portal.Passkey{AccountID: v.AccountID, CredentialID: cred.ID, Name: name, Data: string(data)}); err != nil {
			return err
		}
		if err := tx.SetSecondFactor(ctx, v.SessionID); err != nil {
			return err
		}
		if err := a.factorNotice(ctx, tx, v, factorAdded, factorPasskey); err != nil {
			return err
		}
		if v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin {
			if codes, err = a.ensureRecoveryCodes(ctx, tx, v.AccountID); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "passkey.add"})
	})
	if err != nil {
		return nil, fmt.Errorf("finish passkey registration: %w", err)
	}
	if refused != nil {
		return nil, refused
	}
	a.wake()
	a.log.Info("passkey added", "account", v.AccountID)
	return codes, nil
}

// BeginPasskeySignIn starts a sign-in with a passkey (nobody is known
// yet: the browser offers the passkeys it has for this site).
func (a *App) BeginPasskeySignIn(ctx context.Context) (token string, options []byte, err error) {
	wa, err := a.webAuthn()
	if err != nil {
		return "", nil, err
	}
	assertion, session, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return "", nil, err
	}
	if options, err = json.Marshal(assertion); err != nil {
		return "", nil, err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		token, err = startCeremony(ctx, tx, 0, ceremonySignIn, session)
		return err
	})
	return token, options, err
}

// FinishPasskeySignIn checks the browser's answer and opens a session that
// has given both factors (the passkey is something the person has, unlocked
// by something they know or are). current is the device's session, if it
// has one: a passkey suspended by a password reset signs in only when the
// device has signed in to the same account since (every older session
// ended with the reset), and that use confirms the passkey again.
func (a *App) FinishPasskeySignIn(ctx context.Context, token string, response []byte, c Client, current Viewer) (string, error) {
	wa, err := a.webAuthn()
	if err != nil {
		return "", err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return "", ErrPasskey
	}
	session, hash := newToken()
	var refused error
	var accountID int64
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		sd, err := takeCeremony(ctx, tx, token, ceremonySignIn, 0)
		if err != nil {
			refused = err
			return nil
		}
		var user *waUser
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			id, err := tx.AccountByWebAuthnHandle(ctx, userHandle)
			if err != nil {
				return nil, err
			}
			accountID = id
			user, err = loadWAUser(ctx, tx, id)
			return user, err
		}
		_, cred, err := wa.ValidatePasskeyLogin(handler, sd, parsed)
		if err != nil {
			a.log.Info("passkey sign-in refused", "err", err)
			refused = ErrPasskey
			return nil
		}
		for i, k := range user.keys {
			if bytes.Equal(k.CredentialID, cred.ID) {
				if !k.SuspendedAt.IsZero() {
					if current.AccountID != accountID {
						a.log.Info("suspended passkey refused", "account", accountID)
						refused = ErrPasskeySuspended
						return nil
					}
					if err := tx.ResumePasskey(ctx, k.ID); err != nil {
						return err
					}
					a.log.Info("passkey confirmed after a password reset", "account", accountID)
				}
				data, err := json.Marshal(cred)
				if err != nil {
					return err
				}
				if err := tx.UsePasskey(ctx, user.keys[i].ID, string(data)); err != nil {
					return err
				}
			}
		}
		now := tx.Now()
		_, err = tx.CreateSession(ctx, portal.Session{AccountID: accountID, TokenHash: hash,
			UserAgent: truncate(c.UserAgent, 300), AuthAt: now, SecondFactorAt: now})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("passkey sign-in: %w", err)
	}
	if refused != nil {
		return "", refused
	}
	a.log.Info("signed in with a passkey", "account", accountID)
	return session, nil
}

// RemovePasskey removes one of the viewer's passkeys, when
// mayChangeFactors allows it; the owner is mailed. Staff and admins keep
// at least one second factor.
func (a *App) RemovePasskey(ctx context.Context, v Viewer, id int64) error {
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.mayChangeFactors(ctx, tx, v); err != nil {
			return err
		}
		m, err := mfaOf(ctx, tx, v.AccountID)
		if err != nil {
			return err
		}
		if (v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin) && !m.TOTP && len(m.Passkeys) <= 1 {
			return portal.ErrConflict
		}
		if err := tx.DeletePasskey(ctx, v.AccountID, id); err != nil {
			return err
		}
		if err := a.factorNotice(ctx, tx, v, factorRemoved, factorPasskey); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "passkey.remove"})
	})
	if err == nil {
		a.wake()
	}
	return err
}
