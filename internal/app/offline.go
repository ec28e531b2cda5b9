package app

import (
	"context"
	"fmt"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// OfflineDays is how many days ahead (after today, in Helsinki) a device
// keeps the visits of its signed-in customer for reading without a network.
const OfflineDays = 14

// maxOfflineVisits bounds the visits kept per site, whatever the ERP sends.
const maxOfflineVisits = 60

// OfflineSite is what a device keeps of one site: the site itself (with its
// access instructions and the provider's contacts, shown on its page), its
// visits of the next OfflineDays days and its latest bill.
type OfflineSite struct {
	Site          portal.Site
	Visits        []portal.Visit
	LatestInvoice *portal.Invoice
}

// OfflineCopy decides what the viewer's device may keep for reading without
// a network: only the sites a customer sees (their own and those granted to them), each with its visits from now to
// the end of the OfflineDays'th day ahead and its latest bill. Staff and
// admins keep nothing (portal.ErrForbidden). One read, one clock.
func (a *App) OfflineCopy(ctx context.Context, v Viewer) ([]OfflineSite, error) {
	if v.Role != portal.RoleCustomer || !v.Verified {
		return nil, portal.ErrForbidden
	}
	var out []OfflineSite
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		last := portal.DateOf(now).AddDays(OfflineDays)
		sums, err := tx.SiteSummaries(ctx, v.scopeFor(CapView), now)
		if err != nil {
			return err
		}
		for _, sum := range sums {
			v.fitSummary(&sum)
			visits, err := tx.SiteVisits(ctx, sum.Site.ID, now, true, maxOfflineVisits, 0)
			if err != nil {
				return err
			}
			kept := OfflineSite{Site: sum.Site, LatestInvoice: sum.LatestInvoice}
			for _, vi := range visits {
				if last.Before(portal.DateOf(vi.StartsAt)) {
					break // ordered by start
				}
				kept.Visits = append(kept.Visits, vi)
			}
			out = append(out, kept)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("offline copy: %w", err)
	}
	return out, nil
}
