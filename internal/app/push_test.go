package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/push"
	"asiakassivu/internal/push/pushtest"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// fakeDNS answers host lookups from a table: no test depends on DNS.
type fakeDNS map[string]string

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

var dns = fakeDNS{"localhost": "127.0.0.1", "fcm.googleapis.com": "142.250.74.106"}

// pushWorld is a world whose app lets the loopback test push service
// through the endpoint check, and a worker that sends push jobs to it.
type pushWorld struct {
	*world
	svc    *pushtest.Service
	push   *App
	worker *jobs.Worker
	keys   push.Keys
}

func newPushWorld(t *testing.T, db *store.DB, clock *storetest.Clock) *pushWorld {
	t.Helper()
	w := newWorld(t, db, clock)
	pw := &pushWorld{world: w, svc: pushtest.New(t)}
	pw.push = New(db, w.app.hasher, nil, WithPushTestHosts(pw.svc.Host()), WithPushResolver(dns))
	var err error
	if pw.keys, err = pw.push.PushKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := push.NewSender(push.SenderOptions{Keys: pw.keys, Subscriber: "noreply@asiakassivu.example", Now: clock.Now,
		Client: push.NewClient(push.ClientOptions{Allow: []string{pw.svc.Host()}, TLS: pw.svc.TLS()})})
	if err != nil {
		t.Fatal(err)
	}
	pw.worker = jobs.New(db, jobs.Options{Name: "test-worker"})
	pw.worker.RegisterPush(s)
	return pw
}

// subscribe subscribes a new browser of the test service for v.
func (pw *pushWorld) subscribe(t *testing.T, v Viewer) (*pushtest.Subscriber, int64) {
	t.Helper()
	sub := pw.svc.Subscribe(t)
	id, err := pw.push.SubscribePush(context.Background(), v, PushSubscriptionInput{Endpoint: sub.Endpoint, P256dh: sub.P256dh(),
		Auth: sub.Auth(), UserAgent: "Mozilla/5.0 (Android 14; Mobile; rv:130.0) Gecko/130.0 Firefox/130.0"})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return sub, id
}

// notify runs the helper in a transaction of its own, as a use case would.
func (pw *pushWorld) notify(accountID int64, kind portal.NotificationKind, title, body, url string) error {
	ctx := context.Background()
	return pw.db.Write(ctx, func(tx *store.Tx) error { return pw.push.notify(ctx, tx, accountID, kind, title, body, url) })
}

func (pw *pushWorld) pushJobs(t *testing.T) int64 {
	t.Helper()
	var n int64
	err := pw.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT count(*) FROM jobs WHERE kind = 'push'`, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (pw *pushWorld) lastPushJob(t *testing.T) store.Job {
	t.Helper()
	var j store.Job
	err := pw.db.Read(context.Background(), func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryInt(context.Background(), `SELECT max(id) FROM jobs WHERE kind = 'push'`, &id); err != nil {
			return err
		}
		var err error
		j, err = tx.JobByID(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (pw *pushWorld) runOnce(t *testing.T) bool {
	t.Helper()
	did, err := pw.worker.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("worker: %v", err)
	}
	return did
}

// TestPushDelivered: a browser-like subscription made through the app gets
// the notification: the test service verifies the VAPID token against the
// server's stored key and decrypts the payload with the subscription's
// private key (RFC 8291), code of its own, not the sending library's.
func TestPushDelivered(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		maija := pw.signIn(t, "maija@example.fi")
		sub, id := pw.subscribe(t, maija)
		url := "/kohteet/" + strconv.FormatInt(pw.sites["koti"], 10) + "/viestit"
		if err := pw.notify(maija.AccountID, portal.NotifyMessage, "Uusi viesti", "Tuottaja A: Tulemme huomenna klo 9.", url); err != nil {
			t.Fatal(err)
		}
		if !pw.runOnce(t) {
			t.Fatal("no job to run")
		}
		got := pw.svc.Deliveries()
		if len(got) != 1 || got[0].Err != nil || got[0].Status != 201 {
			t.Fatalf("deliveries: %+v", got)
		}
		d := got[0]
		var msg map[string]string
		if err := json.Unmarshal(d.Plaintext, &msg); err != nil {
			t.Fatalf("payload %q: %v", d.Plaintext, err)
		}
		want := map[string]string{"title": "Uusi viesti", "body": "Tuottaja A: Tulemme huomenna klo 9.", "url": url, "kind": "message"}
		if len(msg) != len(want) {
			t.Errorf("payload %v, want %v", msg, want)
		}
		for k, v := range want {
			if msg[k] != v {
				t.Errorf("payload %s = %q, want %q", k, msg[k], v)
			}
		}
		var stored store.VAPIDKeys
		db.Read(ctx, func(tx *store.Tx) (err error) { stored, err = tx.VAPIDKeys(ctx); return err })
		if d.VAPIDKey != stored.Public || d.Claims.Aud != "https://"+hostOf(t, sub.Endpoint) || d.Claims.Sub != "mailto:noreply@asiakassivu.example" {
			t.Errorf("vapid: key %q (stored %q), claims %+v", d.VAPIDKey, stored.Public, d.Claims)
		}
		if j := pw.lastPushJob(t); j.DoneAt.IsZero() || j.Failed() || j.Attempts != 1 {
			t.Errorf("job %+v", j)
		}
		settings, err := pw.push.PushSettings(ctx, maija)
		if err != nil {
			t.Fatal(err)
		}
		if len(settings.Devices) != 1 || settings.Devices[0].ID != id || settings.Devices[0].EndpointHash != EndpointHash(sub.Endpoint) ||
			settings.PublicKey != stored.Public {
			t.Errorf("settings %+v", settings)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			s, err := tx.PushSubscriptionByID(ctx, id)
			if err != nil || !s.LastUsedAt.Equal(t0) || s.ConsentTextVersion != PushConsentVersion || !s.ConsentedAt.Equal(t0) {
				t.Errorf("subscription after delivery: %+v %v", s, err)
			}
			return nil
		})
	})
}

// hostOf returns the host:port of an endpoint.
func hostOf(t *testing.T, endpoint string) string {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestPushGoneAndRetried: 429 and 503 leave the job for later (no sooner
// than Retry-After, attempts growing) until it goes through; 410 deletes
// the subscription and ends the job.
func TestPushGoneAndRetried(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		maija := pw.signIn(t, "maija@example.fi")
		pw.subscribe(t, maija)
		pw.svc.Answer(pushtest.Answer{Status: 429, RetryAfter: "300"}, pushtest.Answer{Status: 503})
		if err := pw.notify(maija.AccountID, portal.NotifyVisitChanged, "Palveluvuoro siirtyi", "", "/"); err != nil {
			t.Fatal(err)
		}
		pw.runOnce(t)
		j := pw.lastPushJob(t)
		if !j.DoneAt.IsZero() || j.Attempts != 1 || !j.RunAt.Equal(t0.Add(300*time.Second)) || !strings.Contains(j.LastError, "429") {
			t.Fatalf("after 429: %+v", j)
		}
		clock.Advance(299 * time.Second)
		if pw.runOnce(t) {
			t.Fatal("retried before Retry-After")
		}
		clock.Advance(time.Second)
		pw.runOnce(t)
		j = pw.lastPushJob(t)
		if !j.DoneAt.IsZero() || j.Attempts != 2 || !j.RunAt.Equal(clock.Now().Add(jobs.DefaultBackoff(2))) || !strings.Contains(j.LastError, "503") {
			t.Fatalf("after 503: %+v", j)
		}
		clock.Advance(jobs.DefaultBackoff(2))
		pw.runOnce(t)
		if j = pw.lastPushJob(t); j.DoneAt.IsZero() || j.Failed() || j.Attempts != 3 {
			t.Fatalf("after 201: %+v", j)
		}
		if n := len(pw.svc.Deliveries()); n != 3 {
			t.Errorf("%d deliveries, want 3", n)
		}

		// Gone: the subscription is deleted and the job ends at once.
		pw.svc.Answer(pushtest.Answer{Status: 410})
		if err := pw.notify(maija.AccountID, portal.NotifyVisitChanged, "Palveluvuoro peruttiin", "", "/"); err != nil {
			t.Fatal(err)
		}
		pw.runOnce(t)
		if j = pw.lastPushJob(t); !j.Failed() || j.Attempts != 1 || !strings.Contains(j.LastError, "410") {
			t.Fatalf("after 410: %+v", j)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			if subs, err := tx.PushSubscriptionsOf(ctx, maija.AccountID); err != nil || len(subs) != 0 {
				t.Errorf("subscriptions after 410: %+v %v", subs, err)
			}
			return nil
		})
		before := pw.pushJobs(t)
		if err := pw.notify(maija.AccountID, portal.NotifyVisitChanged, "Vielä yksi", "", "/"); err != nil {
			t.Fatal(err)
		}
		if n := pw.pushJobs(t); n != before {
			t.Errorf("a job was queued for a removed subscription")
		}
	})
}

// TestPushOtherRefusalsAndRemovedDevices: another 4xx ends the job at
// once; a device removed (or taken over by another account) after the
// job was queued gets nothing.
func TestPushOtherRefusalsAndRemovedDevices(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		maija := pw.signIn(t, "maija@example.fi")
		matti := pw.signIn(t, "matti@example.fi")
		sub, id := pw.subscribe(t, maija)
		pw.svc.Answer(pushtest.Answer{Status: 413})
		if err := pw.notify(maija.AccountID, portal.NotifyInvoice, "Uusi laskutuskooste", "", "/"); err != nil {
			t.Fatal(err)
		}
		pw.runOnce(t)
		if j := pw.lastPushJob(t); !j.Failed() || j.Attempts != 1 {
			t.Errorf("after 413: %+v", j)
		}
		// Matti signs in on maija's device and subscribes it: a job queued
		// for maija before that is not delivered to him.
		if err := pw.notify(maija.AccountID, portal.NotifyMessage, "Maijan viesti", "", "/"); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.push.SubscribePush(ctx, matti, PushSubscriptionInput{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}); err != nil {
			t.Fatal(err)
		}
		n := len(pw.svc.Deliveries())
		pw.runOnce(t)
		if len(pw.svc.Deliveries()) != n {
			t.Error("maija's notification went to the device matti took over")
		}
		if j := pw.lastPushJob(t); j.DoneAt.IsZero() || j.Failed() {
			t.Errorf("job of a taken-over device: %+v", j)
		}
		if err := pw.push.UnsubscribePush(ctx, maija, id); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("maija removes the device matti now holds: %v", err)
		}
	})
}

// TestNotifyPreferences: a kind turned off queues nothing; the others
// queue one job per device; bad input fails the caller's transaction.
func TestNotifyPreferences(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		maija := pw.signIn(t, "maija@example.fi")
		matti := pw.signIn(t, "matti@example.fi")
		pw.subscribe(t, maija)
		pw.subscribe(t, maija)
		if err := pw.push.SetNotificationKinds(ctx, maija, []portal.NotificationKind{portal.NotifyMessage, portal.NotifyVisitReminder}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			account int64
			kind    portal.NotificationKind
			jobs    int64
		}{
			{maija.AccountID, portal.NotifyInvoice, 0},
			{maija.AccountID, portal.NotifyVisitChanged, 0},
			{maija.AccountID, portal.NotifyMessage, 2},
			{maija.AccountID, portal.NotifyVisitReminder, 2},
			{matti.AccountID, portal.NotifyMessage, 0}, // no devices
		} {
			before := pw.pushJobs(t)
			if err := pw.notify(c.account, c.kind, "Otsikko", "Teksti", "/"); err != nil {
				t.Fatalf("%s: %v", c.kind, err)
			}
			if got := pw.pushJobs(t) - before; got != c.jobs {
				t.Errorf("account %d, %s: %d jobs, want %d", c.account, c.kind, got, c.jobs)
			}
		}
		settings, _ := pw.push.PushSettings(ctx, maija)
		on := map[portal.NotificationKind]bool{}
		for _, k := range settings.Kinds {
			on[k.Kind] = k.On
		}
		if len(settings.Kinds) != 5 || !on[portal.NotifyMessage] || on[portal.NotifyInvoice] || on[portal.NotifyVisitChanged] ||
			!on[portal.NotifyVisitReminder] || on[portal.NotifyVisitLive] {
			t.Errorf("settings %+v", settings.Kinds)
		}
		if mattis, _ := pw.push.PushSettings(ctx, matti); len(mattis.Kinds) != 5 || !mattis.Kinds[0].On || !mattis.Kinds[4].On {
			t.Errorf("defaults %+v", mattis.Kinds)
		}
		before := pw.pushJobs(t)
		for _, bad := range []struct {
			kind portal.NotificationKind
			url  string
		}{{"spam", "/"}, {portal.NotifyMessage, "https://evil.example/"}, {portal.NotifyMessage, "//evil.example/"},
			{portal.NotifyMessage, "/\\evil.example"}, {portal.NotifyMessage, "javascript:alert(1)"}} {
			if err := pw.notify(maija.AccountID, bad.kind, "Otsikko", "", bad.url); err == nil {
				t.Errorf("notify %s %q accepted", bad.kind, bad.url)
			}
		}
		if err := pw.notify(maija.AccountID, portal.NotifyMessage, "  ", "", "/"); err == nil {
			t.Error("empty title accepted")
		}
		if n := pw.pushJobs(t); n != before {
			t.Errorf("refused notifications queued %d jobs", n-before)
		}
		var bad InvalidInput
		if err := pw.push.SetNotificationKinds(ctx, maija, []portal.NotificationKind{"spam"}); !errors.As(err, &bad) {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

// TestSubscribePushRefusals: endpoints that are not https on a public
// address, and keys that are not a browser's, are refused with the field
// named, and nothing is stored.
func TestSubscribePushRefusals(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	clock := storetest.NewClock(t0)
	pw := newPushWorld(t, db, clock)
	ctx := context.Background()
	maija := pw.signIn(t, "maija@example.fi")
	sub := pw.svc.Subscribe(t)
	strict := New(db, pw.app.hasher, nil, WithPushResolver(dns))
	for _, c := range []struct {
		app      *App
		endpoint string
		p256dh   string
		field    string
	}{
		{pw.push, "http://fcm.googleapis.com/fcm/send/x", sub.P256dh(), "endpoint"},
		{pw.push, "https://localhost/fcm/send/x", sub.P256dh(), "endpoint"},
		{pw.push, "https://10.0.0.1/x", sub.P256dh(), "endpoint"},
		{pw.push, "https://fcm.googleapis.com/fcm/send/x", "not-a-key", "keys"},
		// Without the test-only allow-list the loopback service is refused.
		{strict, sub.Endpoint, sub.P256dh(), "endpoint"},
	} {
		_, err := c.app.SubscribePush(ctx, maija, PushSubscriptionInput{Endpoint: c.endpoint, P256dh: c.p256dh, Auth: sub.Auth()})
		var bad InvalidInput
		if !errors.As(err, &bad) || bad.Field(c.field) == "" {
			t.Errorf("%s: %v, want an error on %s", c.endpoint, err, c.field)
		}
	}
	var n int64
	db.Read(ctx, func(tx *store.Tx) (err error) { n, err = tx.Count(ctx, "push_subscriptions"); return err })
	if n != 0 {
		t.Errorf("%d subscriptions stored from refused input", n)
	}
	if _, err := pw.push.SubscribePush(ctx, maija, PushSubscriptionInput{Endpoint: "https://fcm.googleapis.com/fcm/send/x",
		P256dh: sub.P256dh(), Auth: sub.Auth()}); err != nil {
		t.Errorf("public endpoint refused: %v", err)
	}
}

// TestPushKeysSharedByInstances: two instances starting together on one
// database (two handles) end with one VAPID key pair.
func TestPushKeysSharedByInstances(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.DSN(t, e)
			var apps [2]*App
			for i := range apps {
				db, err := store.Open(ctx, dsn, storetest.SuiteClock().Now)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if i == 0 && e == store.SQLite {
					if err := db.Migrate(ctx, nil); err != nil {
						t.Fatal(err)
					}
				}
				sealer, _ := NewSealer(bytes.Repeat([]byte{3}, 32))
				apps[i] = New(db, NewHasher(cheap), nil, WithSealer(sealer))
			}
			var keys [2]push.Keys
			var errs [2]error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range apps {
				wg.Go(func() {
					<-start
					keys[i], errs[i] = apps[i].PushKeys(ctx)
				})
			}
			close(start)
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("errors: %v, %v", errs[0], errs[1])
			}
			if keys[0] != keys[1] || keys[0].Check() != nil {
				t.Errorf("instances hold different keys: %v / %v", keys[0], keys[1])
			}
		})
	}
}

// TestVAPIDKeySealed: with a secret key the VAPID private key is stored
// sealed; one stored in the clear (before there was a key) is sealed on the
// first read and stays the same key; the wrong key or none cannot use it.
func TestVAPIDKeySealed(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		stored := func() store.VAPIDKeys {
			var k store.VAPIDKeys
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { k, err = tx.VAPIDKeys(ctx); return err }); err != nil {
				t.Fatal(err)
			}
			return k
		}
		clear, err := New(db, NewHasher(cheap), nil).PushKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stored().Private != clear.Private {
			t.Fatalf("without a secret key the key is stored as it is")
		}
		key, _ := NewSealer(bytes.Repeat([]byte{5}, 32))
		sealed, err := New(db, NewHasher(cheap), nil, WithSealer(key)).PushKeys(ctx)
		if err != nil || sealed != clear {
			t.Fatalf("sealing changed the key pair: %v %v", err, sealed)
		}
		row := stored()
		if !strings.HasPrefix(row.Private, "sealed:") || strings.Contains(row.Private, clear.Private) {
			t.Fatalf("stored private key %q is not sealed", row.Private)
		}
		again, err := New(db, NewHasher(cheap), nil, WithSealer(key)).PushKeys(ctx)
		if err != nil || again != clear || stored().Private != row.Private {
			t.Errorf("second start: %v %v", err, again)
		}
		wrong, _ := NewSealer(bytes.Repeat([]byte{6}, 32))
		if _, err := New(db, NewHasher(cheap), nil, WithSealer(wrong)).PushKeys(ctx); !errors.Is(err, ErrWrongKey) {
			t.Errorf("wrong key: %v", err)
		}
		if _, err := New(db, NewHasher(cheap), nil).PushKeys(ctx); err == nil {
			t.Error("a sealed key opened without a secret key")
		}
	})
}

// TestLivePush: "on the way" and "done" reach the customer's devices as
// the kind visit_live, in the account's language; "arrived" does not;
// with the kind turned off nothing is queued.
func TestLivePush(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pw := newPushWorld(t, db, clock)
		maija, staff := pw.signIn(t, "maija@example.fi"), pw.signIn(t, "staff@example.fi")
		pw.subscribe(t, maija)
		visit, start := liveVisit(t, pw.world)
		seq := func() int {
			d, err := pw.push.ProviderVisit(ctx, staff, visit)
			if err != nil {
				t.Fatal(err)
			}
			return d.Visit.Visit.Sequence
		}
		clock.Set(start.Add(-30 * time.Minute))
		for _, c := range []struct {
			step  func() error
			jobs  int64
			title string
		}{
			{func() error { return pw.push.DepartVisit(ctx, staff, visit, seq(), "20") }, 1, "Työntekijä on matkalla"},
			{func() error { return pw.push.ArriveVisit(ctx, staff, visit, seq()) }, 0, ""},
			{func() error { return pw.push.MarkVisitDone(ctx, staff, visit, seq(), "") }, 1, "Käynti on valmis"},
		} {
			before := pw.pushJobs(t)
			if err := c.step(); err != nil {
				t.Fatal(err)
			}
			if got := pw.pushJobs(t) - before; got != c.jobs {
				t.Errorf("%q: %d push jobs, want %d", c.title, got, c.jobs)
			}
			if c.jobs > 0 {
				if j := pw.lastPushJob(t); !strings.Contains(string(j.Payload), c.title) || !strings.Contains(string(j.Payload), "visit_live") {
					t.Errorf("push job %s, want %q of visit_live", j.Payload, c.title)
				}
			}
		}
		if j := changesOfKind(t, db, portal.KindVisitDeparted); len(j) != 1 {
			t.Fatalf("departed journal %+v", j)
		}
		// Turned off: the next visit's steps queue nothing.
		if err := pw.push.SetNotificationKinds(ctx, maija, []portal.NotificationKind{portal.NotifyMessage}); err != nil {
			t.Fatal(err)
		}
		var next int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			next, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: pw.sites["koti"], Source: "t", ExternalID: "live2",
				StartsAt: start.Add(3 * time.Hour), EndsAt: start.Add(4 * time.Hour), Status: portal.VisitConfirmed})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before := pw.pushJobs(t)
		d, _ := pw.push.ProviderVisit(ctx, staff, next)
		if err := pw.push.DepartVisit(ctx, staff, next, d.Visit.Visit.Sequence, ""); err != nil {
			t.Fatal(err)
		}
		if got := pw.pushJobs(t) - before; got != 0 {
			t.Errorf("with visit_live off: %d push jobs", got)
		}
	})
}
