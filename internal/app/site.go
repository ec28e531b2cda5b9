package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// MaxAccessField is the longest text of one access-instruction field.
const MaxAccessField = 500

// SetAccessInstructions replaces the site's access instructions (keys,
// door code, pets, parking). The change is audited and journaled for the
// provider's systems; the journal names the fields that changed, not their
// content (a door code does not travel further than it must).
func (a *App) SetAccessInstructions(ctx context.Context, v Viewer, siteID int64, in portal.AccessInstructions) error {
	if v.Role != portal.RoleCustomer {
		return portal.ErrForbidden
	}
	fields := map[string]*string{"keys": &in.Keys, "door_code": &in.DoorCode, "pets": &in.Pets, "parking": &in.Parking, "other": &in.Other}
	var bad InvalidInput
	for name, p := range fields {
		*p = strings.TrimSpace(strings.ToValidUTF8(*p, ""))
		if utf8.RuneCountInString(*p) > MaxAccessField {
			bad = append(bad, FieldError{"access_" + name, "error.access.long"})
		}
	}
	if bad != nil {
		return bad
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapAccess), siteID)
		if err != nil {
			return err
		}
		readOnly, err := a.readOnly(ctx, tx, siteID)
		if err != nil {
			return err
		}
		if readOnly {
			return ErrReadOnly
		}
		old := s.Site.Access
		var changed []string
		was, now := old.Values(), in.Values()
		for i, name := range portal.AccessFields {
			if was[i] != now[i] {
				changed = append(changed, name)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		slices.Sort(changed)
		actor, err := actorOf(ctx, tx, v, s.Site)
		if err != nil {
			return err
		}
		if err := tx.SetAccess(ctx, siteID, in); err != nil {
			return err
		}
		if _, err := tx.AppendChange(ctx, store.ChangeOf{CustomerID: s.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.SiteAccessChanged{SiteID: siteID, SiteExternalID: s.Site.ExternalID, Fields: changed}); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
			Action: "site.access_changed", CustomerID: s.Site.CustomerID, SiteID: siteID, Detail: strings.Join(changed, ",")})
	})
	if err != nil {
		return fmt.Errorf("access instructions of site %d: %w", siteID, err)
	}
	return nil
}
