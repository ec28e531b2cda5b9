package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"asiakassivu/internal/portal"
)

// VAPIDKeys is the server's VAPID key pair as stored (base64url).
type VAPIDKeys struct {
	Public, Private string
	CreatedAt       time.Time
}

// EnsureVAPIDKeys stores candidate as the key pair unless one is stored
// already, and returns the stored pair. Instances that start together
// each offer their own candidate and all end with the same pair: the row
// has a fixed key, so the second insert does nothing (on PostgreSQL it
// waits for the first to commit) and the read that follows sees the
// winner's.
func (tx *Tx) EnsureVAPIDKeys(ctx context.Context, candidate VAPIDKeys) (VAPIDKeys, error) {
	if candidate.Public == "" || candidate.Private == "" {
		return VAPIDKeys{}, errors.New("ensure vapid keys: empty candidate")
	}
	if _, err := tx.exec(ctx, `INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO NOTHING`, candidate.Public, candidate.Private, tx.now); err != nil {
		return VAPIDKeys{}, err
	}
	return tx.VAPIDKeys(ctx)
}

// VAPIDKeys returns the stored key pair, or portal.ErrNotFound before the
// first start made one.
func (tx *Tx) VAPIDKeys(ctx context.Context) (VAPIDKeys, error) {
	var k VAPIDKeys
	err := tx.queryRow(ctx, `SELECT public_key, private_key, created_at FROM vapid_keys WHERE id = 1`).
		Scan(&k.Public, &k.Private, timeCol{&k.CreatedAt})
	return k, mapErr(err)
}

// ReplaceVAPIDPrivate stores private in place of the stored private key
// old (the same key in another form); another instance that replaced it
// first wins.
func (tx *Tx) ReplaceVAPIDPrivate(ctx context.Context, old, private string) error {
	_, err := tx.exec(ctx, `UPDATE vapid_keys SET private_key = $1 WHERE id = 1 AND private_key = $2`, private, old)
	return err
}

// PushSubscription is one device's push subscription.
type PushSubscription struct {
	ID        int64
	AccountID int64
	Endpoint  string
	P256dh    string
	Auth      string
	UserAgent string
	// ConsentTextVersion and ConsentedAt record the consent the person gave
	// on this device: which text they saw, and when.
	ConsentTextVersion string
	ConsentedAt        time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	LastUsedAt         time.Time // zero until a notification went through
}

const pushSubColumns = `id, account_id, endpoint, p256dh, auth, user_agent, consent_text_version, consented_at,
	created_at, updated_at, last_used_at`

func scanPushSub(r interface{ Scan(...any) error }) (PushSubscription, error) {
	var s PushSubscription
	err := r.Scan(&s.ID, &s.AccountID, &s.Endpoint, &s.P256dh, &s.Auth, &s.UserAgent, &s.ConsentTextVersion,
		timeCol{&s.ConsentedAt}, timeCol{&s.CreatedAt}, timeCol{&s.UpdatedAt}, timeCol{&s.LastUsedAt})
	return s, err
}

// SavePushSubscription stores a device's subscription and returns its id.
// The endpoint identifies the device: subscribing again from it updates
// the row (new keys, consent, browser). When the device was subscribed by
// another account (someone else signed in on it), that row is replaced by
// this account's: a device notifies one account at a time. (The push jobs
// name the account too, so nothing queued for the other one reaches it even
// if SQLite hands out the freed id again.)
func (tx *Tx) SavePushSubscription(ctx context.Context, s PushSubscription) (int64, error) {
	if _, err := tx.exec(ctx, `DELETE FROM push_subscriptions WHERE endpoint = $1 AND account_id <> $2`,
		s.Endpoint, s.AccountID); err != nil {
		return 0, err
	}
	return tx.insert(ctx, `INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, user_agent,
			consent_text_version, consented_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)
		ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,
			user_agent = excluded.user_agent, consent_text_version = excluded.consent_text_version,
			consented_at = excluded.consented_at, updated_at = excluded.updated_at
		RETURNING id`, s.AccountID, s.Endpoint, s.P256dh, s.Auth, s.UserAgent, s.ConsentTextVersion, tx.now)
}

// PushSubscriptionsOf lists an account's subscriptions, newest first.
func (tx *Tx) PushSubscriptionsOf(ctx context.Context, accountID int64) ([]PushSubscription, error) {
	rows, err := tx.query(ctx, `SELECT `+pushSubColumns+` FROM push_subscriptions WHERE account_id = $1
		ORDER BY created_at DESC, id DESC`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (PushSubscription, error) { return scanPushSub(r) })
}

// PushSubscriptionByID returns one subscription, or portal.ErrNotFound.
func (tx *Tx) PushSubscriptionByID(ctx context.Context, id int64) (PushSubscription, error) {
	s, err := scanPushSub(tx.queryRow(ctx, `SELECT `+pushSubColumns+` FROM push_subscriptions WHERE id = $1`, id))
	return s, mapErr(err)
}

// DeletePushSubscription removes one subscription of an account; another
// account's id gives portal.ErrNotFound.
func (tx *Tx) DeletePushSubscription(ctx context.Context, accountID, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM push_subscriptions WHERE id = $1 AND account_id = $2`, id, accountID)
	return affected(res, err)
}

// DeleteGonePushSubscription removes a subscription its push service
// reported gone, if it still has the endpoint that was refused.
func (tx *Tx) DeleteGonePushSubscription(ctx context.Context, id int64, endpoint string) error {
	_, err := tx.exec(ctx, `DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2`, id, endpoint)
	return err
}

// TouchPushSubscription records that a notification went through.
func (tx *Tx) TouchPushSubscription(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE push_subscriptions SET last_used_at = $1 WHERE id = $2`, tx.now, id)
	return err
}

// NotificationPreferences returns the kinds an account has set, on or
// off; a kind not in the map is on.
func (tx *Tx) NotificationPreferences(ctx context.Context, accountID int64) (map[portal.NotificationKind]bool, error) {
	rows, err := tx.query(ctx, `SELECT kind, enabled FROM notification_preferences WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[portal.NotificationKind]bool{}
	for rows.Next() {
		var k string
		var on bool
		if err := rows.Scan(&k, &on); err != nil {
			return nil, mapErr(err)
		}
		out[portal.NotificationKind(k)] = on
	}
	return out, mapErr(rows.Err())
}

// NotificationEnabled reports whether an account wants notifications of a
// kind (on unless turned off).
func (tx *Tx) NotificationEnabled(ctx context.Context, accountID int64, kind portal.NotificationKind) (bool, error) {
	var on bool
	err := tx.queryRow(ctx, `SELECT enabled FROM notification_preferences WHERE account_id = $1 AND kind = $2`,
		accountID, string(kind)).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return on, mapErr(err)
}

// SetNotificationPreference turns a kind on or off for an account.
func (tx *Tx) SetNotificationPreference(ctx context.Context, accountID int64, kind portal.NotificationKind, on bool) error {
	_, err := tx.exec(ctx, `INSERT INTO notification_preferences (account_id, kind, enabled, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
		accountID, string(kind), on, tx.now)
	return err
}
