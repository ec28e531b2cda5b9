package app

import (
	"context"
	"errors"
	"fmt"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// actorOf is who v is when changing something at site s from the
// customer's side (who did what, PRODUCT.md C11): the account, the name
// shown for it, and its role on the site — the owner when the site's
// customer record is v's own, else the role of v's grant. The caller has
// already found s through v.siteScope(s.ID, the change's capability), so
// v may act there.
func actorOf(ctx context.Context, tx *store.Tx, v Viewer, s portal.Site) (portal.Actor, error) {
	name, err := tx.ActorName(ctx, v.AccountID, s.CustomerID)
	if err != nil {
		return portal.Actor{}, fmt.Errorf("actor %d: %w", v.AccountID, err)
	}
	role, err := v.actorRole(ctx, tx, s)
	if err != nil {
		return portal.Actor{}, fmt.Errorf("actor %d: %w", v.AccountID, err)
	}
	return portal.Actor{AccountID: v.AccountID, Name: name, Role: role}, nil
}

// actorRole is v's role on site s, which v's scope has let v see: the
// owner, or the role of v's active grant. The session's list of sites
// (Link) tells; a site missing from it (a grant accepted since the
// session was read) is looked up.
func (v Viewer) actorRole(ctx context.Context, tx *store.Tx, s portal.Site) (portal.ActorRole, error) {
	if l, ok := v.Link(s.ID); ok {
		if l.Role == "" {
			return portal.ActorOwner, nil
		}
		return portal.ActorRole(l.Role), nil
	}
	g, err := tx.ActiveGrant(ctx, s.ID, v.AccountID)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return portal.ActorOwner, nil
	case err != nil:
		return "", err
	}
	return portal.ActorRole(g.Role), nil
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
	// The owner only: the relative who acted knows, and other relatives
	// hear of visit changes by the provider, not of each other's.
	owners, err := ownerAccount(ctx, tx, s)
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

// journalGrant puts a change of a grant of site s (family access) in the
// changes journal for the ERP, made by v in role: the owner who invites or
// revokes, or the grantee who accepts or leaves.
func journalGrant(ctx context.Context, tx *store.Tx, v Viewer, s portal.Site, role portal.ActorRole, e portal.Event) error {
	name, err := tx.ActorName(ctx, v.AccountID, s.CustomerID)
	if err != nil {
		return fmt.Errorf("actor %d: %w", v.AccountID, err)
	}
	_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: s.CustomerID, SiteID: s.ID,
		Actor: portal.Actor{AccountID: v.AccountID, Name: name, Role: role}}, e)
	return err
}
