package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/push"
	"asiakassivu/internal/store"
)

// KindPush is the job kind of one Web Push notification to one device.
const KindPush = "push"

// Bounds of a notification's texts: lock screens show a line or two, and
// the whole message must fit in one encrypted push record.
const (
	MaxPushTitle = 100
	MaxPushBody  = 300
	maxPushURL   = 500
)

// pushPayload is the stored form of a push job: which subscription of which
// account, and what to show.
type pushPayload struct {
	Subscription int64        `json:"subscription"`
	Account      int64        `json:"account"`
	Message      push.Message `json:"message"`
}

// EnqueuePush queues msg, of kind, to every device of the account that
// allowed notifications — one job per device — in tx, the transaction of
// the change the notification tells about. Nothing is queued when the
// account turned the kind off or has no devices. It returns the number of
// jobs written; call the worker's Notify after the commit for a prompt
// send. Texts longer than MaxPushTitle and MaxPushBody are shortened; a
// URL that is not a local path ("/…") is refused, as is an unknown kind.
func EnqueuePush(ctx context.Context, tx *store.Tx, accountID int64, kind portal.NotificationKind, msg push.Message) (int, error) {
	if !kind.Valid() {
		return 0, fmt.Errorf("enqueue push: unknown kind %q", kind)
	}
	msg.Kind = string(kind)
	msg.Title = shorten(msg.Title, MaxPushTitle)
	msg.Body = shorten(msg.Body, MaxPushBody)
	if msg.URL == "" {
		msg.URL = "/"
	}
	if msg.Title == "" {
		return 0, errors.New("enqueue push: empty title")
	}
	if len(msg.URL) > maxPushURL || !portal.LocalURL(msg.URL) {
		return 0, fmt.Errorf("enqueue push: url %q is not a local path", msg.URL)
	}
	if _, err := msg.JSON(); err != nil {
		return 0, fmt.Errorf("enqueue push: %w", err)
	}
	on, err := tx.NotificationEnabled(ctx, accountID, kind)
	if err != nil {
		return 0, fmt.Errorf("enqueue push: %w", err)
	}
	if !on {
		return 0, nil
	}
	subs, err := tx.PushSubscriptionsOf(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("enqueue push: %w", err)
	}
	for _, s := range subs {
		b, err := json.Marshal(pushPayload{Subscription: s.ID, Account: accountID, Message: msg})
		if err != nil {
			return 0, fmt.Errorf("enqueue push: %w", err)
		}
		if _, err := tx.EnqueueJob(ctx, KindPush, b, time.Time{}); err != nil {
			return 0, fmt.Errorf("enqueue push: %w", err)
		}
	}
	return len(subs), nil
}

// shorten trims s, turns control characters (line breaks too: a
// notification is one paragraph) into spaces, and cuts it to n characters
// with an ellipsis.
func shorten(s string, n int) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "")))
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// PushSender sends one message to one subscription; *push.Sender is one.
type PushSender interface {
	Send(ctx context.Context, sub push.Subscription, m push.Message) error
}

// PushHandler sends push jobs through s, reading the subscription from db
// at send time (a device that resubscribed has new keys). What the push
// service answers decides the job's fate:
//   - 2xx: done;
//   - 404 or 410: the subscription is dead; it is deleted and the job given
//     up at once, logged at info level (a device gone is routine);
//   - 429 and 5xx: tried again later, no sooner than the service's
//     Retry-After;
//   - any other status, an endpoint that now leads to a non-public address,
//     or a message too large: given up at once;
//   - a network error: tried again later.
//
// A job whose subscription was removed, or now belongs to another account,
// is done without sending.
func PushHandler(db *store.DB, s PushSender) Handler {
	return func(ctx context.Context, payload []byte) error {
		var p pushPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return Permanent(fmt.Errorf("push job payload: %w", err))
		}
		var sub store.PushSubscription
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			sub, err = tx.PushSubscriptionByID(ctx, p.Subscription)
			return err
		})
		if errors.Is(err, portal.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("push job: %w", err)
		}
		if sub.AccountID != p.Account {
			return nil
		}
		err = s.Send(ctx, push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, p.Message)
		var se *push.StatusError
		switch {
		case err == nil:
			// A failed note of the time must not send the notification
			// again, so its error is not the job's.
			db.Write(ctx, func(tx *store.Tx) error { return tx.TouchPushSubscription(ctx, sub.ID) })
			return nil
		case errors.As(err, &se) && se.Gone():
			if derr := db.Write(ctx, func(tx *store.Tx) error {
				return tx.DeleteGonePushSubscription(ctx, sub.ID, sub.Endpoint)
			}); derr != nil {
				return fmt.Errorf("remove dead push subscription %d: %w", sub.ID, derr)
			}
			return Routine(fmt.Errorf("push subscription %d removed: %w", sub.ID, err))
		case errors.As(err, &se) && se.Temporary():
			return RetryAfter(err, se.RetryAfter)
		case errors.As(err, &se), errors.Is(err, push.ErrEndpoint), errors.Is(err, push.ErrPayload):
			return Permanent(err)
		}
		return err
	}
}

// RegisterPush makes w send push jobs through s, and empty the payloads of
// finished ones in its cleanup (a notification may quote a message).
func (w *Worker) RegisterPush(s PushSender) {
	w.Register(KindPush, PushHandler(w.db, s))
	w.scrubPayload(KindPush)
}
