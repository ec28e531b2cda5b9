package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// ConsentTextVersion is the version of the consent text the portal shows.
const ConsentTextVersion = "portal-2026-1"

// MaxPayerName bounds a payer's name.
const MaxPayerName = 200

// PayerView is a payer as the portal shows it: the identity code masked.
// Ref names the stored payer (PayerRef of its sealed code) so that a form
// can keep the code without sending it again.
type PayerView struct {
	Name    string
	Masked  string
	ShareBP int
	Ref     string
}

// PayerRef is a stored payer's reference: the first 8 bytes of the SHA-256
// of its sealed code, in hex. The sealed code has a random nonce, so the
// reference tells nothing of the code and changes whenever the code is
// entered again.
func PayerRef(sealed []byte) string {
	sum := sha256.Sum256(sealed)
	return hex.EncodeToString(sum[:8])
}

// ConsentView is the deduction-sending consent of one customer record.
type ConsentView struct {
	CustomerID  int64
	Sites       []portal.Site
	Exists      bool
	Enabled     bool
	Migrated    bool
	TextVersion string
	Payers      []PayerView
	History     []portal.ConsentEvent
}

// Consents lists the consents of the viewer's customer records (customers
// only: staff and admins manage none here).
func (a *App) Consents(ctx context.Context, v Viewer) ([]ConsentView, error) {
	if v.Role != portal.RoleCustomer {
		return nil, portal.ErrNotFound
	}
	var out []ConsentView
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx, v.scopeFor(CapConsent))
		if err != nil {
			return err
		}
		for _, s := range sites {
			i := 0
			for i < len(out) && out[i].CustomerID != s.Site.CustomerID {
				i++
			}
			if i < len(out) {
				out[i].Sites = append(out[i].Sites, s.Site)
				continue
			}
			cv := ConsentView{CustomerID: s.Site.CustomerID, Sites: []portal.Site{s.Site}}
			c, err := tx.ConsentOf(ctx, s.Site.CustomerID)
			switch {
			case errors.Is(err, portal.ErrNotFound):
			case err != nil:
				return err
			default:
				cv.Exists, cv.Enabled, cv.Migrated, cv.TextVersion = true, c.Enabled, c.Migrated, c.TextVersion
				for _, p := range c.Payers {
					cv.Payers = append(cv.Payers, PayerView{Name: p.Name, Masked: a.maskSealed(p.IdentityCodeEnc), ShareBP: p.ShareBP,
						Ref: PayerRef(p.IdentityCodeEnc)})
				}
			}
			if cv.History, err = tx.ConsentHistory(ctx, s.Site.CustomerID); err != nil {
				return err
			}
			out = append(out, cv)
		}
		return nil
	})
	return out, err
}

// maskSealed opens a sealed identity code and masks it; a code that does
// not open (no key, or the wrong one) shows as stars only.
func (a *App) maskSealed(sealed []byte) string {
	if a.sealer == nil {
		return portal.MaskHetu("")
	}
	plain, err := a.sealer.Open(sealed)
	if err != nil {
		return portal.MaskHetu("")
	}
	return portal.MaskHetu(string(plain))
}

// PayerInput is a payer as entered in the consent form. Keep is the Ref
// of the stored payer the form's row showed: with the code left empty, the
// payer keeps that payer's sealed code (a new payer needs a code).
type PayerInput struct {
	Name         string
	IdentityCode string
	ShareBP      int
	Keep         string
}

// SetConsent turns a customer record's consent on (with its one or two
// payers, replacing earlier ones) or off (the payers and the history are
// kept; no further reports). A payer whose code is left empty keeps the
// stored code of the payer its Keep names, if that payer is still stored
// (the code stays sealed as it was; it is not opened). It needs a recent
// sign-in, and is audited (without the data) and journaled.
func (a *App) SetConsent(ctx context.Context, v Viewer, customerID int64, enabled bool, payers []PayerInput) error {
	if v.Role != portal.RoleCustomer {
		return portal.ErrNotFound
	}
	if !a.recent(v) {
		return ErrReauthenticate
	}
	var sealed []store.Payer
	kept := 0
	if enabled {
		var bad InvalidInput
		if len(payers) < 1 || len(payers) > 2 {
			return InvalidInput{{"payer1name", "consent.error.payers"}}
		}
		shares := make([]int, len(payers))
		today := portal.DateOf(a.db.Now())
		for i, p := range payers {
			n := fmt.Sprint(i + 1)
			name := strings.TrimSpace(p.Name)
			if name == "" || utf8.RuneCountInString(name) > MaxPayerName {
				bad = append(bad, FieldError{"payer" + n + "name", "consent.error.name"})
			}
			code := portal.NormalizeHetu(p.IdentityCode)
			if strings.TrimSpace(p.IdentityCode) == "" && p.Keep != "" {
				code = ""
				kept++
			} else if problem := portal.CheckPayerHetu(code, today); problem != portal.HetuOK {
				bad = append(bad, FieldError{"payer" + n + "code", hetuMessage[problem]})
			}
			shares[i] = p.ShareBP
			payers[i].Name, payers[i].IdentityCode = name, code
		}
		if len(payers) == 2 && payers[0].IdentityCode != "" && payers[0].IdentityCode == payers[1].IdentityCode {
			bad = append(bad, FieldError{"payer2code", "consent.error.samePerson"})
		}
		if !portal.CheckShares(shares) {
			bad = append(bad, FieldError{"payer1share", "consent.error.shares"})
		}
		if bad != nil {
			return bad
		}
		if a.sealer == nil {
			return errors.New("consent: no secret key to seal identity codes")
		}
		for _, p := range payers {
			var enc []byte
			if p.IdentityCode != "" {
				var err error
				if enc, err = a.sealer.Seal([]byte(p.IdentityCode)); err != nil {
					return err
				}
			}
			sealed = append(sealed, store.Payer{Name: p.Name, IdentityCodeEnc: enc, ShareBP: p.ShareBP})
		}
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if owns, err := ownsCustomer(ctx, tx, v, customerID); err != nil {
			return err
		} else if !owns {
			return portal.ErrNotFound
		}
		count := len(sealed)
		if kept > 0 {
			if err := keepCodes(ctx, tx, customerID, payers, sealed); err != nil {
				return err
			}
			if same, err := a.samePerson(sealed); err != nil || same {
				return cmp.Or(err, error(InvalidInput{{"payer2code", "consent.error.samePerson"}}))
			}
		}
		if enabled {
			if _, err := tx.SetDeductionConsent(ctx, customerID, true, false, ConsentTextVersion, sealed); err != nil {
				return err
			}
		} else {
			if err := tx.SetConsentEnabled(ctx, customerID, false, ConsentTextVersion); err != nil {
				return err
			}
			if c, err := tx.ConsentOf(ctx, customerID); err == nil {
				count = len(c.Payers)
			}
		}
		if err := tx.AddConsentEvent(ctx, portal.ConsentEvent{CustomerID: customerID, Enabled: enabled,
			TextVersion: ConsentTextVersion, PayerCount: count, ActorAccountID: v.AccountID}); err != nil {
			return err
		}
		action := "deduction.consent_off"
		if enabled {
			action = "deduction.consent_on"
		}
		if err := tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: action,
			CustomerID: customerID}); err != nil {
			return err
		}
		// Only the owner changes the consent (grants never carry it).
		name, err := tx.ActorName(ctx, v.AccountID, customerID)
		if err != nil {
			return err
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: customerID,
			Actor: portal.Actor{AccountID: v.AccountID, Name: name, Role: portal.ActorOwner}}, portal.DeductionConsentChanged{
			CustomerID: customerID, Enabled: enabled, Payers: count, CodesKept: kept, TextVersion: ConsentTextVersion})
		return err
	})
}

// hetuMessage is the message of each problem of a payer's identity code.
var hetuMessage = map[portal.HetuProblem]string{
	portal.HetuInvalid:   "consent.error.code",
	portal.HetuTemporary: "consent.error.codeTemporary",
	portal.HetuFuture:    "consent.error.codeFuture",
}

// samePerson reports whether two payers' sealed codes are one person's
// (a kept code is compared opened: the same code sealed twice differs).
func (a *App) samePerson(sealed []store.Payer) (bool, error) {
	if len(sealed) != 2 {
		return false, nil
	}
	var codes [2]string
	for i, p := range sealed {
		plain, err := a.sealer.Open(p.IdentityCodeEnc)
		if err != nil {
			return false, fmt.Errorf("consent: open payer code: %w", err)
		}
		codes[i] = string(plain)
	}
	return codes[0] == codes[1], nil
}

// keepCodes gives each payer whose code was left empty the sealed code of
// the stored payer its Keep names; a payer no longer stored (changed in
// the meantime), or one named twice, is refused: its code must be entered.
func keepCodes(ctx context.Context, tx *store.Tx, customerID int64, payers []PayerInput, sealed []store.Payer) error {
	c, err := tx.ConsentOf(ctx, customerID)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	used := map[string]bool{}
	var bad InvalidInput
	for i, p := range payers {
		if sealed[i].IdentityCodeEnc != nil {
			continue
		}
		found := false
		for _, old := range c.Payers {
			if !used[p.Keep] && PayerRef(old.IdentityCodeEnc) == p.Keep {
				sealed[i].IdentityCodeEnc, found = old.IdentityCodeEnc, true
				break
			}
		}
		if !found {
			bad = append(bad, FieldError{fmt.Sprintf("payer%dcode", i+1), "consent.error.codeGone"})
		}
		used[p.Keep] = true
	}
	if bad != nil {
		return bad
	}
	return nil
}

// ownsCustomer reports whether one of the viewer's sites belongs to the
// customer record; a database error is returned, never read as "no".
func ownsCustomer(ctx context.Context, tx *store.Tx, v Viewer, customerID int64) (bool, error) {
	sites, err := tx.Sites(ctx, v.scopeFor(CapConsent))
	if err != nil {
		return false, err
	}
	for _, s := range sites {
		if s.Site.CustomerID == customerID {
			return true, nil
		}
	}
	return false, nil
}
