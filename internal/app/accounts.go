package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Code purposes; a code works only for the purpose it was made for.
const (
	PurposeSignup      = "signup"
	PurposeReset       = "reset"
	PurposeEmailChange = "email_change"
)

// Code rules (SECURITY.md): six digits, ten minutes, five wrong tries.
const (
	CodeLifetime = 10 * time.Minute
	CodeMaxTries = 5
	// PendingClaimLifetime is how long an unverified sign-up is kept.
	PendingClaimLifetime = 7 * 24 * time.Hour
)

// Mailer puts a mail into the outbox within the caller's transaction, so
// the mail is sent exactly when the change that causes it commits.
type Mailer interface {
	Enqueue(ctx context.Context, tx *store.Tx, kind, lang, to string, data map[string]string) error
}

// FieldError is bad input in one form field; Key is the text to show.
type FieldError struct{ Field, Key string }

// InvalidInput lists what is wrong with a form. Nothing was written.
type InvalidInput []FieldError

func (e InvalidInput) Error() string {
	var b strings.Builder
	b.WriteString("invalid input:")
	for _, f := range e {
		b.WriteString(" " + f.Field + "=" + f.Key)
	}
	return b.String()
}

// Field returns the text key of the error of a field, or "".
func (e InvalidInput) Field(name string) string {
	for _, f := range e {
		if f.Field == name {
			return f.Key
		}
	}
	return ""
}

// ErrCodeInvalid means the code is wrong, expired, used or dead. The
// reason is not told apart, so a guesser learns nothing.
var ErrCodeInvalid = errors.New("code invalid")

// ErrReauthenticate means the change needs a recent sign-in: the person
// must enter their password again.
var ErrReauthenticate = errors.New("recent sign-in required")

// Client is where a request comes from: for throttling and the device list.
type Client struct {
	IP        string
	UserAgent string
	// Device is the device's long-lived token (its cookie), if it has one.
	Device string
	Lang   string
}

// newCode returns six random digits.
func newCode() string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
}

// codeHash binds a code to its account and purpose.
func codeHash(accountID int64, purpose, code string) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "%d|%s|%s", accountID, purpose, code))
	return h[:]
}

// normalizeCode accepts a code typed with spaces or dashes ("123 456").
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
		default:
			return ""
		}
	}
	if b.Len() != 6 {
		return ""
	}
	return b.String()
}

// issueCode makes a code for an account (within quotas) and mails it. When
// an account's quota is used up nothing is sent and nothing is said, so the
// answer does not differ. The caller has taken the address's quota first
// (takeCodeMail), for any address, before looking up who owns it.
func (a *App) issueCode(ctx context.Context, tx *store.Tx, accountID int64, purpose, email, mailKind string, c Client) error {
	now := tx.Now()
	for _, q := range []struct {
		key   string
		limit int
	}{{codeKeyAccountIP(accountID, c.IP), codesPerAccountIP}, {codeKeyAccount(accountID), codesPerAccount}} {
		ok, err := quota(ctx, tx, q.key, q.limit, now)
		if err != nil {
			return err
		}
		if !ok {
			a.log.Warn("code quota used up", "account", accountID, "purpose", purpose)
			return nil
		}
	}
	code := newCode()
	if _, err := tx.CreateCode(ctx, store.Code{AccountID: accountID, Purpose: purpose, Email: email,
		CodeHash: codeHash(accountID, purpose, code), ExpiresAt: now.Add(CodeLifetime)}); err != nil {
		return err
	}
	return a.mail(ctx, tx, mailKind, c.Lang, email, map[string]string{"code": code, "email": email})
}

func (a *App) mail(ctx context.Context, tx *store.Tx, kind, lang, to string, data map[string]string) error {
	if a.mailer == nil {
		return errors.New("no mailer configured")
	}
	if contactMailKinds[kind] {
		var err error
		if data, err = a.withContacts(ctx, tx, data); err != nil {
			return err
		}
	}
	return a.mailer.Enqueue(ctx, tx, kind, lang, to, data)
}

// contactMailKinds are the mails that ask the reader to contact customer
// service (mail.ContactKinds): they name its phone, email and the
// portal's contact page.
var contactMailKinds = map[string]bool{"email_changed_notice": true, "password_changed_notice": true,
	"account_deleted_notice": true, "factor_added_notice": true, "factor_removed_notice": true}

// withContacts returns data with the chain's customer service added, as
// the chain policies hold it, and the address of the contact page.
func (a *App) withContacts(ctx context.Context, tx *store.Tx, data map[string]string) (map[string]string, error) {
	pol, err := tx.Policies(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(data)+3)
	maps.Copy(out, data)
	out["support_phone"], out["support_email"] = pol.CustomerServicePhone, pol.CustomerServiceEmail
	if a.baseURL != "" {
		out["contact_url"] = a.baseURL + ContactPath
	}
	return out, nil
}

// ContactPath is the portal's contact page.
const ContactPath = "/yhteystiedot"

// checkCode verifies a typed code against the account's active code of a
// purpose; a wrong one counts a try (five kill it). Every failed try also
// counts against the address the code is for (emailNorm, or the code's own
// address when "") and the IP, across accounts and pending claims: when
// their tries of the day are used up, no code is checked (*ThrottledError).
func (a *App) checkCode(ctx context.Context, tx *store.Tx, accountID int64, purpose, typed, emailNorm, ip string) (store.Code, error) {
	now := tx.Now()
	c, err := tx.ActiveCode(ctx, accountID, purpose)
	found := err == nil
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return c, err
	}
	if emailNorm == "" {
		if !found {
			return c, ErrCodeInvalid
		}
		emailNorm = c.EmailNorm
	}
	if err := codeTriesLeft(ctx, tx, now, emailNorm, ip); err != nil {
		return c, err
	}
	wrong := func() (store.Code, error) {
		if err := wrongCode(ctx, tx, now, emailNorm, ip); err != nil {
			return c, err
		}
		return c, ErrCodeInvalid
	}
	if !found || !now.Before(c.ExpiresAt) || c.Tries >= CodeMaxTries {
		return wrong()
	}
	code := normalizeCode(typed)
	if code == "" || subtle.ConstantTimeCompare(codeHash(accountID, purpose, code), c.CodeHash) != 1 {
		if err := tx.CodeTried(ctx, c.ID, CodeMaxTries); err != nil {
			return c, err
		}
		return wrong()
	}
	if err := tx.UseCode(ctx, c.ID); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return c, ErrCodeInvalid
		}
		return c, err
	}
	return c, nil
}

// emailProblem returns the text key of what is wrong with a typed email
// address (missing, too long, malformed), or "".
func emailProblem(email string) string {
	switch _, err := emailaddr.Check(email); {
	case strings.TrimSpace(email) == "":
		return "error.email.empty"
	case len(email) > emailaddr.MaxLength:
		return "error.email.long"
	case err != nil:
		return emailErrorKey(err, "error.email.invalid")
	}
	return ""
}

// emailErrorKey returns the text key for an error of emailaddr.Check: the
// look-alike refusals have their own texts, any other error the form's
// own key.
func emailErrorKey(err error, other string) string {
	switch {
	case errors.Is(err, emailaddr.ErrNotASCII):
		return "error.email.ascii"
	case errors.Is(err, emailaddr.ErrMixedScript):
		return "error.email.mixedScript"
	}
	return other
}

// CheckSignInForm reports what is missing or malformed in a sign-in form,
// before any account is looked up (so it tells nothing about accounts).
func CheckSignInForm(email, password string) InvalidInput {
	var bad InvalidInput
	if p := emailProblem(email); p != "" {
		bad = append(bad, FieldError{"email", p})
	}
	if password == "" {
		bad = append(bad, FieldError{"password", "error.password.empty"})
	}
	return bad
}

// checkNewAccount validates a sign-up form; it returns the cleaned email.
func checkNewAccount(email, password string) (string, error) {
	var bad InvalidInput
	if p := emailProblem(email); p != "" {
		bad = append(bad, FieldError{"email", p})
	}
	clean, _ := emailaddr.Check(email)
	if p := passwordProblem(password, email); p != "" {
		bad = append(bad, FieldError{"password", p})
	}
	if bad != nil {
		return "", bad
	}
	return clean, nil
}

// SignUp starts an account: it stores a pending claim with the password,
// signs the device in to it (an unverified account sees nothing) and mails
// a code. When the address already has a verified account, the owner gets
// a notice instead and the claim can never be verified — the answer is the
// same either way, so nobody learns whether an address has an account.
func (a *App) SignUp(ctx context.Context, email, password string, c Client) (token string, err error) {
	clean, err := checkNewAccount(email, password)
	if err != nil {
		return "", err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	token, tokenHash := newToken()
	err = a.db.Write(ctx, func(tx *store.Tx) error { return a.startSignUp(ctx, tx, clean, hash, tokenHash, c) })
	if err != nil {
		return "", fmt.Errorf("sign up: %w", err)
	}
	a.wake()
	return token, nil
}

// startSignUp stores a pending claim on clean with the password hash, opens
// its session and mails the code (or, when the address is taken, a notice
// to its owner).
func (a *App) startSignUp(ctx context.Context, tx *store.Tx, clean, hash string, tokenHash []byte, c Client) error {
	norm := emailaddr.Normalize(clean)
	// The address's code quota counts every sign-up, with an account or
	// without, so a refusal tells nothing about accounts.
	if err := takeCodeMail(ctx, tx, tx.Now(), norm, c.IP); err != nil {
		return err
	}
	owner, err := tx.VerifiedAccountByEmail(ctx, clean)
	exists := err == nil
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	// Claims on this address older than a week are dead: clear them.
	if err := tx.DeleteStalePendingClaims(ctx, norm, tx.Now().Add(-PendingClaimLifetime)); err != nil {
		return err
	}
	id, err := tx.CreateAccount(ctx, portal.Account{Email: clean, PasswordHash: hash, Language: c.Lang})
	if err != nil {
		return err
	}
	if _, err := tx.CreateSession(ctx, portal.Session{AccountID: id, TokenHash: tokenHash,
		UserAgent: truncate(c.UserAgent, 300), AuthAt: tx.Now()}); err != nil {
		return err
	}
	if exists {
		// The owner hears of sign-ups at most once an hour.
		if due, err := existsNoticeDue(ctx, tx, tx.Now(), norm); err != nil || !due {
			return err
		}
		lang := owner.Language
		if lang == "" {
			lang = c.Lang
		}
		return a.mail(ctx, tx, "signup_exists", lang, owner.Email, map[string]string{"email": owner.Email})
	}
	return a.issueCode(ctx, tx, id, PurposeSignup, clean, "signup_code", c)
}

// ResendSignupCode mails a new code to a pending claim (within quotas).
func (a *App) ResendSignupCode(ctx context.Context, v Viewer, c Client) error {
	if v.Verified {
		return nil
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := takeCodeMail(ctx, tx, tx.Now(), v.EmailNorm, c.IP); err != nil {
			return err
		}
		if _, err := tx.VerifiedAccountByEmail(ctx, v.Email); err == nil {
			return nil // the address is someone's: never send codes for it
		}
		return a.issueCode(ctx, tx, v.AccountID, PurposeSignup, v.Email, "signup_code", c)
	})
	if err != nil {
		return fmt.Errorf("resend code: %w", err)
	}
	a.wake()
	return nil
}

// VerifySignup checks the code of a pending claim. On success the account
// is verified, every other claim on the address is deleted with its
// sessions, every other session of this account ends, and the session gets
// a new token (returned). The customer records of the address appear at
// once, because the link is derived from the verified email.
func (a *App) VerifySignup(ctx context.Context, v Viewer, typed string, c Client) (string, error) {
	if v.Verified {
		return "", ErrCodeInvalid
	}
	token, tokenHash := newToken()
	var codeErr error
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := a.checkCode(ctx, tx, v.AccountID, PurposeSignup, typed, v.EmailNorm, c.IP); err != nil {
			if errors.Is(err, ErrCodeInvalid) {
				codeErr = err
				return nil // keep the counted try
			}
			return err
		}
		if err := tx.VerifyAccount(ctx, v.AccountID); err != nil {
			return err
		}
		// An address the chain invited as a provider's staff becomes staff
		// now that it is proven (console.go).
		if err := a.acceptStaffInvite(ctx, tx, v.AccountID, v.EmailNorm); err != nil {
			return err
		}
		if err := retireLegacyCredentials(ctx, tx, v.EmailNorm); err != nil {
			return err
		}
		if err := tx.DeleteSessionsExcept(ctx, v.AccountID, v.SessionID); err != nil {
			return err
		}
		return tx.ReplaceSessionToken(ctx, v.SessionID, tokenHash, tx.Now())
	})
	if err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	if codeErr != nil {
		return "", codeErr
	}
	a.log.Info("account verified", "account", v.AccountID)
	return token, nil
}

// RequestReset mails a password-reset code when the address has a verified
// account; otherwise it does the same work and sends nothing.
func (a *App) RequestReset(ctx context.Context, email string, c Client) error {
	if p := emailProblem(email); p != "" {
		return InvalidInput{{"email", p}}
	}
	clean, _ := emailaddr.Check(email)
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		// The quota of any address, with an account or without.
		if err := takeCodeMail(ctx, tx, tx.Now(), emailaddr.Normalize(clean), c.IP); err != nil {
			return err
		}
		acc, err := tx.VerifiedAccountByEmail(ctx, clean)
		if errors.Is(err, portal.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return a.issueCode(ctx, tx, acc.ID, PurposeReset, acc.Email, "reset_code", c)
	})
	if err != nil {
		return fmt.Errorf("request reset: %w", err)
	}
	a.wake()
	return nil
}

// ResetPassword sets a new password with a reset code. Every session of
// the account ends, its passkeys are suspended (FinishPasskeySignIn) and
// this device is signed in with a new one (token returned). An unknown
// address answers like a wrong code.
func (a *App) ResetPassword(ctx context.Context, email, typed, password string, c Client) (string, error) {
	clean, _ := emailaddr.Check(email)
	if p := passwordProblem(password, email); p != "" {
		return "", InvalidInput{{"password", p}}
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	token, tokenHash := newToken()
	var codeErr error
	var accountID int64
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if clean == "" {
			codeErr = ErrCodeInvalid
			return nil
		}
		// Tries count against the address typed, with an account or
		// without, so a refusal tells nothing about accounts.
		norm := emailaddr.Normalize(clean)
		if err := codeTriesLeft(ctx, tx, tx.Now(), norm, c.IP); err != nil {
			return err
		}
		acc, err := tx.VerifiedAccountByEmail(ctx, clean)
		if errors.Is(err, portal.ErrNotFound) {
			codeErr = ErrCodeInvalid
			return wrongCode(ctx, tx, tx.Now(), norm, c.IP)
		}
		if err != nil {
			return err
		}
		accountID = acc.ID
		if _, err := a.checkCode(ctx, tx, acc.ID, PurposeReset, typed, norm, c.IP); err != nil {
			if errors.Is(err, ErrCodeInvalid) {
				codeErr = err
				return nil
			}
			return err
		}
		if err := tx.SetPasswordHash(ctx, acc.ID, hash); err != nil {
			return err
		}
		if err := tx.SuspendPasskeys(ctx, acc.ID); err != nil {
			return err
		}
		if err := tx.DeleteSessionsExcept(ctx, acc.ID, 0); err != nil {
			return err
		}
		if _, err := tx.CreateSession(ctx, portal.Session{AccountID: acc.ID, TokenHash: tokenHash,
			UserAgent: truncate(c.UserAgent, 300), AuthAt: tx.Now()}); err != nil {
			return err
		}
		return a.mail(ctx, tx, "password_changed_notice", pick(acc.Language, c.Lang), acc.Email, nil)
	})
	if err != nil {
		return "", fmt.Errorf("reset password: %w", err)
	}
	if codeErr != nil {
		return "", codeErr
	}
	a.wake()
	a.log.Info("password reset", "account", accountID)
	return token, nil
}

// Reauthenticate checks the password again (throttled, checkPassword) and
// marks the session as recently signed in, for the changes that need it.
func (a *App) Reauthenticate(ctx context.Context, v Viewer, password string, c Client) error {
	acc, err := a.account(ctx, v.AccountID)
	if err != nil {
		return err
	}
	if err := a.checkPassword(ctx, acc, password, c); err != nil {
		return err
	}
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetSessionAuth(ctx, v.SessionID) })
}

// recent reports whether the viewer entered their password lately.
func (a *App) recent(v Viewer) bool { return a.db.Now().Sub(v.AuthAt) <= RecentAuth }

// ChangePassword replaces the password after checking the current one
// (throttled, checkPassword; the check is the recent sign-in); every other
// session ends and the owner is told.
func (a *App) ChangePassword(ctx context.Context, v Viewer, current, next string, c Client) error {
	acc, err := a.account(ctx, v.AccountID)
	if err != nil {
		return err
	}
	var bad InvalidInput
	if err := a.checkPassword(ctx, acc, current, c); err != nil {
		if !errors.As(err, &bad) {
			return err
		}
	}
	if p := passwordProblem(next, acc.Email); p != "" {
		bad = append(bad, FieldError{"password", p})
	}
	if bad != nil {
		return bad
	}
	hash, err := a.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(ctx, acc.ID, hash); err != nil {
			return err
		}
		if err := tx.DeleteSessionsExcept(ctx, acc.ID, v.SessionID); err != nil {
			return err
		}
		if err := tx.SetSessionAuth(ctx, v.SessionID); err != nil {
			return err
		}
		return a.mail(ctx, tx, "password_changed_notice", pick(acc.Language, c.Lang), acc.Email, nil)
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	a.wake()
	return nil
}

// RequestEmailChange mails a code to the new address; nothing changes
// until it is entered. Needs a recent sign-in.
func (a *App) RequestEmailChange(ctx context.Context, v Viewer, newEmail string, c Client) error {
	if !a.recent(v) {
		return ErrReauthenticate
	}
	clean, err := emailaddr.Check(newEmail)
	if err != nil {
		return InvalidInput{{"email", emailErrorKey(err, "error.email.invalid")}}
	}
	if emailaddr.Normalize(clean) == v.EmailNorm {
		return InvalidInput{{"email", "error.email.same"}}
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := takeCodeMail(ctx, tx, tx.Now(), emailaddr.Normalize(clean), c.IP); err != nil {
			return err
		}
		// A taken address gets no code; the answer stays the same.
		if _, err := tx.VerifiedAccountByEmail(ctx, clean); err == nil {
			return nil
		}
		return a.issueCode(ctx, tx, v.AccountID, PurposeEmailChange, clean, "email_change_code", c)
	})
	if err != nil {
		return fmt.Errorf("request email change: %w", err)
	}
	a.wake()
	return nil
}

// ConfirmEmailChange checks the code sent to the new address and switches
// the account to it: the records of the old address stop being visible and
// those of the new one appear, the old address is told, and every other
// session ends.
func (a *App) ConfirmEmailChange(ctx context.Context, v Viewer, typed string, c Client) error {
	if !a.recent(v) {
		return ErrReauthenticate
	}
	var codeErr error
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		code, err := a.checkCode(ctx, tx, v.AccountID, PurposeEmailChange, typed, "", c.IP)
		if errors.Is(err, ErrCodeInvalid) {
			codeErr = err
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.SetAccountEmail(ctx, v.AccountID, code.Email); err != nil {
			if errors.Is(err, portal.ErrConflict) {
				codeErr = ErrCodeInvalid
				return nil
			}
			return err
		}
		if err := tx.DeletePendingClaims(ctx, code.EmailNorm, v.AccountID); err != nil {
			return err
		}
		if err := retireLegacyCredentials(ctx, tx, code.EmailNorm); err != nil {
			return err
		}
		if err := tx.DeleteSessionsExcept(ctx, v.AccountID, v.SessionID); err != nil {
			return err
		}
		return a.mail(ctx, tx, "email_changed_notice", c.Lang, v.Email, map[string]string{"new_email": code.Email})
	})
	if err != nil {
		return fmt.Errorf("confirm email change: %w", err)
	}
	if codeErr != nil {
		return codeErr
	}
	a.wake()
	return nil
}

// Devices lists the account's signed-in devices.
func (a *App) Devices(ctx context.Context, v Viewer) ([]portal.Session, error) {
	var out []portal.Session
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.SessionsOf(ctx, v.AccountID)
		return err
	})
	return out, err
}

// SignOutDevice ends one session of the viewer's account; another
// account's session id gives portal.ErrNotFound.
func (a *App) SignOutDevice(ctx context.Context, v Viewer, sessionID int64) error {
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, v.AccountID, sessionID) })
}

// SignOutOthers ends every session of the account but this one.
func (a *App) SignOutOthers(ctx context.Context, v Viewer) error {
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSessionsExcept(ctx, v.AccountID, v.SessionID) })
}

// DeleteAccount deletes the account, its sessions and settings after the
// password is entered once more (throttled, checkPassword). The customer
// records stay with the company. The address is told.
func (a *App) DeleteAccount(ctx context.Context, v Viewer, password string, c Client) error {
	acc, err := a.account(ctx, v.AccountID)
	if err != nil {
		return err
	}
	if err := a.checkPassword(ctx, acc, password, c); err != nil {
		return err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteAccount(ctx, acc.ID); err != nil {
			return err
		}
		if !acc.Verified() {
			return nil
		}
		return a.mail(ctx, tx, "account_deleted_notice", pick(acc.Language, c.Lang), acc.Email, nil)
	})
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	a.wake()
	a.log.Info("account deleted", "account", acc.ID)
	return nil
}

// SetLanguage remembers the account's language (mails use it too).
func (a *App) SetLanguage(ctx context.Context, v Viewer, lang string) error {
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetLanguage(ctx, v.AccountID, lang) })
}

func (a *App) account(ctx context.Context, id int64) (portal.Account, error) {
	var acc portal.Account
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		acc, err = tx.AccountByID(ctx, id)
		return err
	})
	return acc, err
}

func pick(first, second string) string {
	if first != "" {
		return first
	}
	return second
}
