package app

import (
	"context"
	"fmt"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// actorOf is who v is when changing something at site s from the
// customer's side (who did what, PRODUCT.md C11): the account, the name
// shown for it, and its role on the site — the owner when the site's
// customer record is v's own, else the role of v's grant. The caller has
// already found s through v.scope(), so v may act there at all.
func actorOf(ctx context.Context, tx *store.Tx, v Viewer, s portal.Site) (portal.Actor, error) {
	name, err := tx.ActorName(ctx, v.AccountID, s.CustomerID)
	if err != nil {
		return portal.Actor{}, fmt.Errorf("actor %d: %w", v.AccountID, err)
	}
	return portal.Actor{AccountID: v.AccountID, Name: name, Role: v.actorRole(s)}, nil
}

// actorRole is v's role on site s, which v.scope() has let v see.
func (v Viewer) actorRole(s portal.Site) portal.ActorRole {
	return portal.ActorOwner
}

// The changes a relative makes that the owner is told of.
const (
	changeCancelled     = mail.ChangeCancelled
	changeMoveRequested = mail.ChangeMoveRequested
)

// tellOwner tells the owner of site s — the verified account of the
// site's customer record — that actor, a relative acting under a grant,
// cancelled visit or asked to move it (change): a mail to the record's
// address, and a push to the owner's devices when they have not turned
// visit changes off. Both are queued in tx, the change's transaction.
func (a *App) tellOwner(ctx context.Context, tx *store.Tx, s portal.Site, visit portal.Visit, actor portal.Actor, change string) error {
	if err := a.mailCustomer(ctx, tx, s, mail.VisitChangedByRelative, map[string]string{"site": siteLabel(s),
		"visit": visit.StartsAt.In(portal.Helsinki).Format("2.1.2006 15.04"), "actor": actor.Name,
		"role": string(actor.Role), "change": change, "url": a.baseURL + visitPath(s.ID, visit.ID)}); err != nil {
		return err
	}
	owners, err := customerAccounts(ctx, tx, s)
	if err != nil {
		return err
	}
	key := "notify.relative.cancelled"
	if change == changeMoveRequested {
		key = "notify.relative.move"
	}
	return a.notifyAccounts(ctx, tx, owners, portal.NotifyVisitChanged, key+".title", key+".body",
		visitPath(s.ID, visit.ID), "name", actor.Name, "site", siteLabel(s))
}
