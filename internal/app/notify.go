package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/jobs"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/push"
	"asiakassivu/internal/store"
)

// notify queues a push notification of kind to every device of the account
// that allowed notifications, in tx — the transaction of the change it
// tells about, so the notification goes out exactly when the change
// commits (jobs.EnqueuePush). Nothing is queued when the account turned
// the kind off or has no devices; that is not an error.
//
// title and body are plain text in the account's language, shortened to
// jobs.MaxPushTitle and jobs.MaxPushBody characters; they show on lock
// screens, so they should name what happened rather than quote private
// details. url is the local path a click opens ("/kohteet/12/viestit"); ""
// opens the front page, and anything not starting with a single "/" is an
// error (as is an unknown kind), which fails the caller's transaction.
//
// Call a.wake() after the commit, as for mail, so the worker sends at once.
func (a *App) notify(ctx context.Context, tx *store.Tx, accountID int64, kind portal.NotificationKind, title, body, url string) error {
	if _, err := jobs.EnqueuePush(ctx, tx, accountID, kind, push.Message{Title: title, Body: body, URL: url}); err != nil {
		return fmt.Errorf("notify account %d: %w", accountID, err)
	}
	return nil
}

// notifyAccounts queues a push of kind to each account, in its own
// language: the title and body are text keys of the locales, filled with
// args (pairs of name and value, as i18n.Printer.T takes them).
func (a *App) notifyAccounts(ctx context.Context, tx *store.Tx, accounts []int64, kind portal.NotificationKind,
	titleKey, bodyKey string, url string, args ...any) error {
	if a.texts == nil {
		return nil
	}
	for _, id := range accounts {
		acc, err := tx.AccountByID(ctx, id)
		if errors.Is(err, portal.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		lang, ok := i18n.Parse(acc.Language)
		if !ok {
			lang = i18n.Finnish
		}
		p := a.texts.Printer(lang)
		if err := a.notify(ctx, tx, id, kind, p.T(titleKey, args...), p.T(bodyKey, args...), url); err != nil {
			return err
		}
	}
	return nil
}

// ownerAccount returns the verified account that sees the site's customer
// record (its owner), as a list of one, or none when the record has no
// email or no verified account has it.
func ownerAccount(ctx context.Context, tx *store.Tx, site portal.Site) ([]int64, error) {
	cu, err := tx.CustomerByID(ctx, site.CustomerID)
	if err != nil || cu.Email == "" {
		return nil, err
	}
	acc, err := tx.VerifiedAccountByEmail(ctx, cu.Email)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return []int64{acc.ID}, nil
}

// customerAccounts returns the accounts told of what happens on a site
// that capability c concerns: the verified account that sees the site's
// customer record, if there is one, and the relatives whose grant's role
// allows c (GrantAllows; a follower hears of messages and visits, not of
// bills). Each gets a push only where they turned notifications on.
func customerAccounts(ctx context.Context, tx *store.Tx, site portal.Site, c Capability) ([]int64, error) {
	out, err := ownerAccount(ctx, tx, site)
	if err != nil {
		return nil, err
	}
	grantees, err := tx.GranteesOfSite(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range grantees {
		if GrantAllows(g.Role, c) && !slices.Contains(out, g.AccountID) {
			out = append(out, g.AccountID)
		}
	}
	return out, nil
}
