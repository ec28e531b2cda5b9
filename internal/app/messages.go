package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Messaging: one thread per site between the customer and the site's
// provider. Customers write as "customer", provider staff as "provider";
// the portal itself posts "system" messages (see providerChange).

// ErrThreadClosed means the site's contracts have ended and its thread
// closed ThreadKeptOpen after the last visit: it can be read, not written.
var ErrThreadClosed = errors.New("thread closed")

// MessagesPerPage is how many messages a thread page shows.
const MessagesPerPage = 50

// UnreadMailAfter is how long a message may stay unread before it is
// emailed; a thread sends at most one such email per side in this time.
const UnreadMailAfter = 15 * time.Minute

// KindMessageUnread is the job that emails a message still unread.
const KindMessageUnread = "message_unread"

// Thread is a page of a site's messages as one viewer sees them.
type Thread struct {
	Site     portal.Site
	Provider portal.Provider
	Messages []portal.Message
	// Older is the id to page back from (0 when these are the first).
	Older int64
	// Open is false once the thread has closed.
	Open bool
	// Side is what the viewer writes as: "customer" or "provider" ("" for
	// a chain admin, who only reads).
	Side string
}

// Side returns what a viewer writes as in threads: "customer",
// "provider", or "" for one who only reads (a chain admin).
func (v Viewer) Side() string {
	switch v.Role {
	case portal.RoleCustomer:
		return "customer"
	case portal.RoleStaff:
		return "provider"
	}
	return ""
}

// unreadFrom are the author kinds whose messages count as unread for a
// viewer writing as side: for a customer the provider's and the portal's,
// for anyone else the customer's.
func unreadFrom(side string) []string {
	if side == "customer" {
		return customerUnreadFrom
	}
	return otherUnreadFrom
}

// The two answers of unreadFrom, made once (callers only read them).
var (
	customerUnreadFrom = []string{"provider", "system"}
	otherUnreadFrom    = []string{"customer"}
)

// threadOpen applies portal.ThreadOpen to a site now.
func (a *App) threadOpen(ctx context.Context, tx *store.Tx, siteID int64) (bool, error) {
	contracts, err := tx.ContractsOfSite(ctx, siteID)
	if err != nil {
		return false, err
	}
	last, err := tx.LastVisitEnd(ctx, siteID)
	if err != nil {
		return false, err
	}
	return portal.ThreadOpen(contracts, last, tx.Now()), nil
}

// Thread returns the newest messages of a site's thread (or the page
// before message before) and marks them read for the viewer.
func (a *App) Thread(ctx context.Context, v Viewer, siteID, before int64) (Thread, error) {
	var th Thread
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapMessage), siteID)
		if err != nil {
			return err
		}
		th.Site, th.Provider, th.Side = s.Site, s.Provider, v.Side()
		msgs, err := tx.ThreadPage(ctx, siteID, before, MessagesPerPage+1)
		if err != nil {
			return err
		}
		if len(msgs) > MessagesPerPage {
			msgs = msgs[1:]
			th.Older = msgs[0].ID
		}
		th.Messages = msgs
		if th.Open, err = a.threadOpen(ctx, tx, siteID); err != nil {
			return err
		}
		if len(msgs) > 0 && before == 0 {
			if err := tx.MarkRead(ctx, msgs[0].ThreadID, v.AccountID, msgs[len(msgs)-1].ID); err != nil {
				return err
			}
		}
		if v.audited() {
			return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "thread.read",
				CustomerID: s.Site.CustomerID, SiteID: siteID})
		}
		return nil
	})
	if err != nil {
		return th, fmt.Errorf("thread of site %d: %w", siteID, err)
	}
	a.touchGrant(ctx, v, siteID)
	return th, nil
}

// MessagesAfter returns the messages of a site's thread after message
// after, for a live page, and marks them read: the page is open. A staff
// member's or admin's live read is audited like the page's.
func (a *App) MessagesAfter(ctx context.Context, v Viewer, siteID, after int64) ([]portal.Message, error) {
	var out []portal.Message
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapMessage), siteID)
		if err != nil {
			return err
		}
		if out, err = tx.MessagesAfter(ctx, siteID, after, MessagesPerPage); err != nil || len(out) == 0 {
			return err
		}
		if v.audited() {
			if err := tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "thread.read",
				CustomerID: s.Site.CustomerID, SiteID: siteID}); err != nil {
				return err
			}
		}
		return tx.MarkRead(ctx, out[0].ThreadID, v.AccountID, out[len(out)-1].ID)
	})
	if err != nil {
		return nil, fmt.Errorf("messages of site %d: %w", siteID, err)
	}
	return out, nil
}

// CanRead checks that the viewer may follow a site's thread.
func (a *App) CanRead(ctx context.Context, v Viewer, siteID int64) error {
	return a.db.Read(ctx, func(tx *store.Tx) error {
		_, err := tx.Site(ctx, v.siteScope(siteID, CapMessage), siteID)
		return err
	})
}

// PostMessage writes a message to a site's thread as the viewer (customer
// or the site's provider staff). Within the same transaction it queues
// the check that emails the message if it is still unread after
// UnreadMailAfter. Open pages of the thread hear of it at once.
func (a *App) PostMessage(ctx context.Context, v Viewer, siteID int64, text string) (portal.Message, error) {
	body, problem := portal.CleanMessage(text)
	if problem != "" {
		return portal.Message{}, InvalidInput{{"body", problem}}
	}
	side := v.Side()
	if side == "" {
		return portal.Message{}, portal.ErrNotFound
	}
	var m portal.Message
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapMessage), siteID)
		if err != nil {
			return err
		}
		open, err := a.threadOpen(ctx, tx, siteID)
		if err != nil {
			return err
		}
		if !open {
			return ErrThreadClosed
		}
		name, err := tx.AuthorName(ctx, v.EmailNorm)
		if side == "provider" {
			name, err = tx.StaffName(ctx, v.AccountID)
		}
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return err
		} // no name of record: the message goes without one
		thread, err := tx.EnsureThread(ctx, siteID)
		if err != nil {
			return err
		}
		m = portal.Message{ThreadID: thread, AuthorAccountID: v.AccountID, AuthorKind: side, AuthorName: name, Body: body,
			CreatedAt: tx.Now()}
		if m.ID, err = tx.AddMessage(ctx, m); err != nil {
			return err
		}
		if err := tx.MarkRead(ctx, thread, v.AccountID, m.ID); err != nil {
			return err
		}
		if v.audited() {
			if err := tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role),
				Action: "message.posted", CustomerID: s.Site.CustomerID, SiteID: siteID}); err != nil {
				return err
			}
		}
		payload, _ := json.Marshal(map[string]int64{"message_id": m.ID})
		if _, err = tx.EnqueueJob(ctx, KindMessageUnread, payload, tx.Now().Add(UnreadMailAfter)); err != nil {
			return err
		}
		// A push to the other side's devices; the mail comes only if the
		// message stays unread.
		readers, err := tx.StaffOf(ctx, s.Provider.ID)
		if side == "provider" {
			readers, err = customerAccounts(ctx, tx, s.Site, CapMessage)
		}
		if err != nil {
			return err
		}
		return a.notifyAccounts(ctx, tx, readers, portal.NotifyMessage, "notify.message.title", "notify.message.body",
			threadPath(siteID), "site", siteLabel(s.Site))
	})
	if err != nil {
		return m, fmt.Errorf("post to site %d: %w", siteID, err)
	}
	a.published(siteID)
	a.wake()
	return m, nil
}

// WithEvents sets the function that tells open pages of a site's thread
// about new messages (the realtime hub's Publish).
func WithEvents(f func(siteID int64)) Option { return func(a *App) { a.events = f } }

// WithBaseURL sets the portal's public address, for links in mails.
func WithBaseURL(u string) Option { return func(a *App) { a.baseURL = u } }

// published tells open pages of a site's thread that it has new messages.
func (a *App) published(siteID int64) {
	if a.events != nil {
		a.events(siteID)
	}
}

// Inbox is a page of the provider's threads.
type Inbox struct {
	Threads []portal.ThreadSummary
	// First is true for the inbox's first page.
	First bool
	// Next is where the next page starts; zero when this page is the last.
	Next InboxCursor
}

// More is true when a page follows this one.
func (in Inbox) More() bool { return !in.Next.IsZero() }

// InboxCursor is where a page of the provider's inbox starts (keyset
// paging): after the thread whose newest message is Before, in the group
// of the unread threads or, with Read, of the others. The zero cursor is
// the first page.
type InboxCursor struct {
	Read   bool
	Before int64
}

// IsZero is true for the first page's cursor.
func (c InboxCursor) IsZero() bool { return c == InboxCursor{} }

// String is the cursor in a link: "u" (unread) or "r" (the others) and
// the message id; empty for the first page.
func (c InboxCursor) String() string {
	if c.Before <= 0 {
		return ""
	}
	group := "u"
	if c.Read {
		group = "r"
	}
	return group + strconv.FormatInt(c.Before, 10)
}

// ParseInboxCursor reads a cursor written by String. Anything else, a
// tampered or truncated one too, is the first page's cursor: a cursor
// only says where to start in the viewer's own provider's threads, so
// one copied from another provider's page shows nothing of theirs.
func ParseInboxCursor(s string) InboxCursor {
	if len(s) < 2 || len(s) > 20 || (s[0] != 'u' && s[0] != 'r') {
		return InboxCursor{}
	}
	digits := s[1:]
	if digits[0] == '0' {
		return InboxCursor{}
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return InboxCursor{}
		}
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return InboxCursor{}
	}
	return InboxCursor{Read: s[0] == 'r', Before: id}
}

// ProviderInbox lists the threads of the staff member's provider, those
// with unread customer messages first, each group the latest first, a
// page from the cursor on.
func (a *App) ProviderInbox(ctx context.Context, v Viewer, from InboxCursor) (Inbox, error) {
	provider, err := v.staff()
	if err != nil {
		return Inbox{}, err
	}
	if from.Before <= 0 {
		from = InboxCursor{}
	}
	in := Inbox{First: from.IsZero()}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		// The unread threads first, then the others: two walks of the
		// provider's threads latest first, each from its key on and
		// stopping at its page.
		type entry struct {
			portal.ThreadSummary
			read bool
		}
		var list []entry
		if !from.Read {
			unread, err := tx.ProviderInbox(ctx, provider, v.AccountID, true, ProviderPerPage+1, from.Before)
			if err != nil {
				return err
			}
			for _, th := range unread {
				list = append(list, entry{th, false})
			}
		}
		if len(list) <= ProviderPerPage {
			before := int64(0)
			if from.Read {
				before = from.Before
			}
			rest, err := tx.ProviderInbox(ctx, provider, v.AccountID, false, ProviderPerPage+1-len(list), before)
			if err != nil {
				return err
			}
			for _, th := range rest {
				list = append(list, entry{th, true})
			}
		}
		if len(list) > ProviderPerPage {
			last := list[ProviderPerPage-1]
			in.Next = InboxCursor{Read: last.read, Before: last.LastMessageID}
			list = list[:ProviderPerPage]
		}
		in.Threads = make([]portal.ThreadSummary, len(list))
		for i, e := range list {
			in.Threads[i] = e.ThreadSummary
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "provider.inbox"})
	})
	if err != nil {
		return in, fmt.Errorf("provider inbox: %w", err)
	}
	return in, nil
}

// unreadPayload is the stored form of a KindMessageUnread job.
type unreadPayload struct {
	MessageID int64 `json:"message_id"`
}

// EmailIfUnread is the job that runs UnreadMailAfter after a message was
// posted: if no one on the receiving side has read it and that side was
// not emailed about the thread within UnreadMailAfter, it queues one
// email to them (the customer's address on record, or the provider's).
func (a *App) EmailIfUnread(ctx context.Context, payload []byte) error {
	var p unreadPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.MessageID == 0 {
		return fmt.Errorf("unread job payload %q: %w", payload, portal.ErrNotFound)
	}
	queued := false
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		m, err := tx.MessageByID(ctx, p.MessageID)
		if errors.Is(err, portal.ErrNotFound) {
			return nil // the thread is gone with its site
		}
		if err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, m.SiteID)
		if err != nil {
			return err
		}
		side, to, lang := "customer", "", "fi"
		var readers []int64
		if m.AuthorKind == "customer" {
			side, to = "provider", s.Provider.Email
			if readers, err = tx.StaffOf(ctx, s.Provider.ID); err != nil {
				return err
			}
		} else {
			c, err := tx.CustomerByID(ctx, s.Site.CustomerID)
			if err != nil {
				return err
			}
			to = c.Email
			if acc, err := tx.VerifiedAccountByEmail(ctx, c.Email); err == nil {
				readers, lang = []int64{acc.ID}, orDefault(acc.Language, "fi")
			} else if !errors.Is(err, portal.ErrNotFound) {
				return err
			}
		}
		if to == "" || a.mailer == nil {
			return nil
		}
		if read, err := tx.ReadBy(ctx, m.ThreadID, m.ID, readers); err != nil || read {
			return err
		}
		if ok, err := tx.ClaimThreadEmail(ctx, m.ThreadID, side, UnreadMailAfter); err != nil || !ok {
			return err
		}
		queued = true
		return a.mailer.Enqueue(ctx, tx, "message_unread", lang, to, map[string]string{
			"site": siteLabel(s.Site), "url": a.baseURL + threadPath(m.SiteID)})
	})
	if err != nil {
		return fmt.Errorf("unread check of message %d: %w", p.MessageID, err)
	}
	if queued {
		a.wake()
	}
	return nil
}

// threadPath is where a side reads a site's thread.
func threadPath(siteID int64) string {
	return "/kohteet/" + strconv.FormatInt(siteID, 10) + "/viestit"
}

// siteLabel names a site in a mail: its name and street.
func siteLabel(s portal.Site) string {
	if s.Name != "" {
		return s.Name + ", " + s.Street
	}
	return s.Street
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
