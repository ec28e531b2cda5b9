package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/push"
	"asiakassivu/internal/store"
)

// PushConsentVersion names the text the profile shows where a person turns
// notifications on (profile.push.*): it is stored with each device's
// consent. Change it whenever that text changes in substance.
const PushConsentVersion = "push-2026-1"

// pushConfig is the App's Web Push state: how endpoints are checked, and
// the VAPID key pair once read.
type pushConfig struct {
	resolver push.Resolver
	allow    []string
	mu       sync.Mutex
	keys     push.Keys
}

// WithPushResolver sets how the host names of push endpoints are looked up
// (default: the system's resolver). Tests give one that needs no network.
func WithPushResolver(r push.Resolver) Option { return func(a *App) { a.push.resolver = r } }

// WithPushTestHosts lets push endpoints on the named hosts (e.g.
// "127.0.0.1") pass the public-address check. It exists for tests, whose
// push service listens on loopback; no flag or setting reaches it.
func WithPushTestHosts(hosts ...string) Option {
	return func(a *App) { a.push.allow = append(a.push.allow, hosts...) }
}

// PushKeys returns the server's VAPID key pair, making and storing one on
// the first start. Instances that start together end with the same pair
// (store.Tx.EnsureVAPIDKeys). With a secret key (WithSealer) the private
// key is stored sealed; one stored in the clear by an earlier version is
// sealed on the first read.
func (a *App) PushKeys(ctx context.Context) (push.Keys, error) {
	a.push.mu.Lock()
	defer a.push.mu.Unlock()
	if a.push.keys.Public != "" {
		return a.push.keys, nil
	}
	candidate, err := push.GenerateKeys()
	if err != nil {
		return push.Keys{}, err
	}
	sealedCandidate, err := a.sealVAPID(candidate.Private)
	if err != nil {
		return push.Keys{}, err
	}
	var keys push.Keys
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		stored, err := tx.EnsureVAPIDKeys(ctx, store.VAPIDKeys{Public: candidate.Public, Private: sealedCandidate})
		if err != nil {
			return err
		}
		keys.Public = stored.Public
		if keys.Private, err = a.openVAPID(stored.Private); err != nil {
			return err
		}
		if a.sealer != nil && !strings.HasPrefix(stored.Private, sealedPrefix) {
			sealed, err := a.sealVAPID(keys.Private)
			if err != nil {
				return err
			}
			return tx.ReplaceVAPIDPrivate(ctx, stored.Private, sealed)
		}
		return nil
	})
	if err != nil {
		return push.Keys{}, fmt.Errorf("vapid keys: %w", err)
	}
	if err := keys.Check(); err != nil {
		return push.Keys{}, fmt.Errorf("stored vapid keys: %w", err)
	}
	a.push.keys = keys
	return keys, nil
}

// sealedPrefix marks a stored secret sealed with the secret key.
const sealedPrefix = "sealed:"

// sealVAPID is the stored form of a VAPID private key: sealed with the
// secret key when there is one.
func (a *App) sealVAPID(private string) (string, error) {
	if a.sealer == nil {
		return private, nil
	}
	b, err := a.sealer.Seal([]byte(private))
	if err != nil {
		return "", err
	}
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// openVAPID is the private key of its stored form: a sealed one needs the
// secret key it was sealed with, one in the clear is as stored.
func (a *App) openVAPID(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	if a.sealer == nil {
		return "", errors.New("the VAPID private key is sealed and no secret key is set")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", ErrWrongKey
	}
	plain, err := a.sealer.Open(b)
	return string(plain), err
}

// PushDevice is one device that receives notifications, as the profile
// lists it. EndpointHash (hex SHA-256 of the endpoint) lets the page's
// script mark the device it runs on without the page holding endpoints.
type PushDevice struct {
	ID           int64
	UserAgent    string
	EndpointHash string
	Since        time.Time
	LastUsed     time.Time // zero until a notification went through
}

// NotificationSetting is one kind of notification and whether it is on.
type NotificationSetting struct {
	Kind portal.NotificationKind
	On   bool
}

// PushSettings is what the profile shows about notifications.
type PushSettings struct {
	// PublicKey is the VAPID public key for PushManager.subscribe.
	PublicKey string
	Devices   []PushDevice
	Kinds     []NotificationSetting
}

// EndpointHash is the hex SHA-256 of a push endpoint.
func EndpointHash(endpoint string) string {
	h := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(h[:])
}

// PushSettings returns the viewer's devices that receive notifications and
// the kinds they have on.
func (a *App) PushSettings(ctx context.Context, v Viewer) (PushSettings, error) {
	keys, err := a.PushKeys(ctx)
	if err != nil {
		return PushSettings{}, err
	}
	out := PushSettings{PublicKey: keys.Public}
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		subs, err := tx.PushSubscriptionsOf(ctx, v.AccountID)
		if err != nil {
			return err
		}
		for _, s := range subs {
			out.Devices = append(out.Devices, PushDevice{ID: s.ID, UserAgent: s.UserAgent, EndpointHash: EndpointHash(s.Endpoint),
				Since: s.ConsentedAt, LastUsed: s.LastUsedAt})
		}
		prefs, err := tx.NotificationPreferences(ctx, v.AccountID)
		if err != nil {
			return err
		}
		for _, k := range portal.NotificationKinds() {
			on, set := prefs[k]
			out.Kinds = append(out.Kinds, NotificationSetting{Kind: k, On: on || !set})
		}
		return nil
	})
	if err != nil {
		return PushSettings{}, fmt.Errorf("push settings: %w", err)
	}
	return out, nil
}

// PushSubscriptionInput is what a browser reports after
// PushManager.subscribe, and the browser it runs in.
type PushSubscriptionInput struct {
	Endpoint  string
	P256dh    string
	Auth      string
	UserAgent string
}

// SubscribePush stores this device's subscription as the viewer's, with
// their consent (PushConsentVersion, now); the same device subscribing
// again updates its row. The endpoint must be https on a public address
// (InvalidInput "endpoint": error.push.endpoint) and the keys those of a
// browser (InvalidInput "keys": error.push.keys); nothing is stored
// otherwise. It returns the subscription's id.
func (a *App) SubscribePush(ctx context.Context, v Viewer, in PushSubscriptionInput) (int64, error) {
	if !v.Verified {
		return 0, portal.ErrForbidden
	}
	in.Endpoint = strings.TrimSpace(in.Endpoint)
	var bad InvalidInput
	// The endpoint is checked (and resolved) before any transaction, so no
	// database lock waits on DNS.
	if err := push.CheckEndpoint(ctx, in.Endpoint, a.pushResolver(), a.push.allow); err != nil {
		if !errors.Is(err, push.ErrEndpoint) {
			return 0, err
		}
		a.log.Info("push endpoint refused", "account", v.AccountID, "reason", err.Error())
		bad = append(bad, FieldError{"endpoint", "error.push.endpoint"})
	}
	if err := push.CheckKeys(in.P256dh, in.Auth); err != nil {
		bad = append(bad, FieldError{"keys", "error.push.keys"})
	}
	if len(bad) > 0 {
		return 0, bad
	}
	var id int64
	err := a.db.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: v.AccountID, Endpoint: in.Endpoint,
			P256dh: strings.TrimRight(in.P256dh, "="), Auth: strings.TrimRight(in.Auth, "="),
			UserAgent: truncate(in.UserAgent, 300), ConsentTextVersion: PushConsentVersion})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("subscribe push: %w", err)
	}
	a.log.Info("push subscribed", "account", v.AccountID, "subscription", id)
	return id, nil
}

func (a *App) pushResolver() push.Resolver {
	if a.push.resolver != nil {
		return a.push.resolver
	}
	return net.DefaultResolver
}

// UnsubscribePush removes one of the viewer's devices from notifications;
// another account's subscription id gives portal.ErrNotFound.
func (a *App) UnsubscribePush(ctx context.Context, v Viewer, id int64) error {
	err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeletePushSubscription(ctx, v.AccountID, id) })
	if err != nil {
		return fmt.Errorf("unsubscribe push %d: %w", id, err)
	}
	return nil
}

// SetNotificationKinds turns on the kinds in on and turns every other
// kind off, for all the viewer's devices. An unknown kind is InvalidInput
// and changes nothing.
func (a *App) SetNotificationKinds(ctx context.Context, v Viewer, on []portal.NotificationKind) error {
	for _, k := range on {
		if !k.Valid() {
			return InvalidInput{{"", "error.push.form"}}
		}
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		for _, k := range portal.NotificationKinds() {
			if err := tx.SetNotificationPreference(ctx, v.AccountID, k, slices.Contains(on, k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set notification kinds: %w", err)
	}
	return nil
}

// ExportNotifications is the account's notification settings in its data
// export: the devices that allowed notifications, with the consent each
// gave, and the kinds turned on.
type ExportNotifications struct {
	Devices []ExportPushDevice `json:"devices"`
	KindsOn []string           `json:"kinds_on"`
}

// ExportPushDevice is one device that allowed notifications. Its endpoint
// and keys are left out: they are the push service's address for the
// device, not information about the person.
type ExportPushDevice struct {
	UserAgent          string    `json:"user_agent"`
	ConsentTextVersion string    `json:"consent_text_version"`
	ConsentedAt        time.Time `json:"consented_at"`
	LastUsedAt         time.Time `json:"last_notified_at,omitzero"`
}

func exportNotifications(ctx context.Context, tx *store.Tx, accountID int64) (ExportNotifications, error) {
	out := ExportNotifications{Devices: []ExportPushDevice{}, KindsOn: []string{}}
	subs, err := tx.PushSubscriptionsOf(ctx, accountID)
	if err != nil {
		return out, err
	}
	for _, s := range subs {
		out.Devices = append(out.Devices, ExportPushDevice{UserAgent: s.UserAgent, ConsentTextVersion: s.ConsentTextVersion,
			ConsentedAt: s.ConsentedAt, LastUsedAt: s.LastUsedAt})
	}
	prefs, err := tx.NotificationPreferences(ctx, accountID)
	if err != nil {
		return out, err
	}
	for _, k := range portal.NotificationKinds() {
		if on, set := prefs[k]; on || !set {
			out.KindsOn = append(out.KindsOn, string(k))
		}
	}
	return out, nil
}
