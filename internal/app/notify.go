package app

import (
	"context"
	"errors"
	"fmt"

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

// siteReaders returns the accounts told of something on a site: its
// customer's (customerAccounts) and the relatives whose grant's role allows
// c there (family access: a follower hears of visits and messages, a
// caretaker also of bills). Each person's own notification choices still
// decide what reaches them.
func siteReaders(ctx context.Context, tx *store.Tx, site portal.Site, c Capability) ([]int64, error) {
	readers, err := customerAccounts(ctx, tx, site)
	if err != nil {
		return nil, err
	}
	caretakerOnly := !GrantAllows(portal.GrantFollower, c)
	if caretakerOnly && !GrantAllows(portal.GrantCaretaker, c) {
		return readers, nil
	}
	grantees, err := tx.GranteesOf(ctx, site.ID, caretakerOnly)
	if err != nil {
		return nil, err
	}
	return append(readers, grantees...), nil
}

// customerAccounts returns the verified account that sees a site's
// customer record, if there is one.
func customerAccounts(ctx context.Context, tx *store.Tx, site portal.Site) ([]int64, error) {
	c, err := tx.CustomerByID(ctx, site.CustomerID)
	if err != nil || c.Email == "" {
		return nil, err
	}
	acc, err := tx.VerifiedAccountByEmail(ctx, c.Email)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []int64{acc.ID}, nil
}
