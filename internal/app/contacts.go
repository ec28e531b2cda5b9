package app

import (
	"context"
	"fmt"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Contacts is what the contact page shows: the chain's customer service
// and, for a customer, each of their homes with its provider.
type Contacts struct {
	Phone, Email string
	Homes        []portal.SiteWithProvider
}

// Contacts returns the chain's customer service and, for a signed-in
// customer, their own homes' providers. Anyone else (signed out, an
// unverified sign-up, provider staff, an admin) gets the chain's only:
// the homes of the scope of staff or an admin are not theirs to contact.
func (a *App) Contacts(ctx context.Context, v Viewer) (Contacts, error) {
	var out Contacts
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		pol, err := tx.Policies(ctx)
		if err != nil {
			return err
		}
		out.Phone, out.Email = pol.CustomerServicePhone, pol.CustomerServiceEmail
		if !v.Verified || v.Role != portal.RoleCustomer {
			return nil
		}
		out.Homes, err = tx.Sites(ctx, v.scopeFor(CapView))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("contacts: %w", err)
	}
	return out, nil
}
