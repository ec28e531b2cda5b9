package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the suite's instant (storetest.Start; ASIAKASSIVU_TEST_NOW moves
// it): tests build their data relative to it, or pin a clock of their own
// where their data is of fixed dates.
var t0 = storetest.Start()

// cheap keeps the suite fast under -race; the default cost is tested in
// TestDefaultHash and timed in BenchmarkHash.
var cheap = Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}

type world struct {
	app       *App
	db        *store.DB
	clock     *storetest.Clock
	hashes    *atomic.Int64
	sites     map[string]int64 // by external id
	providers map[string]int64
}

// newWorld builds two customers (maija with two sites, matti with one),
// two providers, a staff member of provider A, an admin, and an unverified
// claim on maija's address.
func newWorld(t *testing.T, db *store.DB, clock *storetest.Clock) *world {
	t.Helper()
	ctx := context.Background()
	h := NewHasher(cheap)
	w := &world{db: db, clock: clock, hashes: new(atomic.Int64), sites: map[string]int64{}, providers: map[string]int64{}}
	h.count = func() { w.hashes.Add(1) }
	w.app = New(db, h, nil)
	pw, _ := h.Hash(ctx, "oikea-salasana-123")
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, p := range []string{"A", "B"} {
			id, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: p, Name: "Tuottaja " + p, Active: true})
			if err != nil {
				return err
			}
			w.providers[p] = id
		}
		for _, c := range []struct{ ext, email, provider string }{
			{"koti", "Maija@Example.fi", "A"}, {"mokki", "maija@example.FI", "B"}, {"matti", "matti@example.fi", "A"},
		} {
			cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: c.ext, Name: c.ext, Email: c.email})
			if err != nil {
				return err
			}
			sid, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: w.providers[c.provider], Source: "t", ExternalID: c.ext, Street: "Katu 1"})
			if err != nil {
				return err
			}
			w.sites[c.ext] = sid
		}
		for _, a := range []struct {
			email    string
			verified bool
		}{{"maija@example.fi", true}, {"matti@example.fi", true}, {"staff@example.fi", true}, {"admin@example.fi", true}, {"MAIJA@example.fi", false}} {
			acc := portal.Account{Email: a.email, PasswordHash: pw}
			if a.verified {
				acc.VerifiedAt = tx.Now()
			}
			id, err := tx.CreateAccount(ctx, acc)
			if err != nil {
				return err
			}
			switch a.email {
			case "staff@example.fi":
				err = tx.AddStaff(ctx, w.providers["A"], id, "Sari")
			case "admin@example.fi":
				err = tx.AddAdmin(ctx, id)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.hashes.Store(0)
	return w
}

func (w *world) signIn(t *testing.T, email string) Viewer {
	t.Helper()
	tok, _, err := w.app.SignIn(context.Background(), email, "oikea-salasana-123", Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	v, err := w.app.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatalf("authenticate %s: %v", email, err)
	}
	return v
}

func siteIDs(sums []portal.SiteSummary) []int64 {
	var ids []int64
	for _, s := range sums {
		ids = append(ids, s.Site.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestAccessRule(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clock)
		all := []int64{w.sites["koti"], w.sites["mokki"], w.sites["matti"]}
		slices.Sort(all)
		cases := []struct {
			email string
			want  []int64
		}{
			{"maija@example.fi", []int64{w.sites["koti"], w.sites["mokki"]}},
			{"matti@example.fi", []int64{w.sites["matti"]}},
			{"staff@example.fi", []int64{w.sites["koti"], w.sites["matti"]}},
			{"admin@example.fi", all},
		}
		for _, c := range cases {
			v := w.signIn(t, c.email)
			sums, err := w.app.Overview(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(c.want)
			slices.Sort(want)
			if got := siteIDs(sums); !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", c.email, got, want)
			}
			for _, id := range all {
				_, err := w.app.Site(ctx, v, id)
				if visible := slices.Contains(want, id); visible != (err == nil) {
					t.Errorf("%s site %d: err = %v, visible = %v", c.email, id, err, visible)
				}
				if err != nil && !errors.Is(err, portal.ErrNotFound) {
					t.Errorf("%s site %d: err = %v, want ErrNotFound", c.email, id, err)
				}
			}
		}
		// An unverified claim sees nothing even though its address matches.
		unverified := Viewer{AccountID: 99, EmailNorm: "maija@example.fi", Role: portal.RoleCustomer}
		if sums, err := w.app.Overview(ctx, unverified); err != nil || len(sums) != 0 {
			t.Errorf("unverified sees %d sites, err %v", len(sums), err)
		}
		// Staff and admin reads are audited, customers' are not.
		var n int64
		db.Read(ctx, func(tx *store.Tx) (err error) { n, err = tx.Count(ctx, "audit_log"); return err })
		if n != 2+2+3 { // staff: list + 2 views; admin: list + 3 views
			t.Errorf("audit rows = %d, want 7", n)
		}
	})
}

// TestEmailChangeMovesRecords: an ERP email change moves the record to the
// new owner at once; an account's email change leaves its old records.
func TestEmailChangeMovesRecords(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clock)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "mokki", Name: "mokki", Email: "Matti@Example.fi"})
			return err
		})
		got, _ := w.app.Overview(ctx, maija)
		if ids := siteIDs(got); !slices.Equal(ids, []int64{w.sites["koti"]}) {
			t.Errorf("maija after move: %v", ids)
		}
		got, _ = w.app.Overview(ctx, matti)
		if ids := siteIDs(got); !slices.Equal(ids, []int64{w.sites["mokki"], w.sites["matti"]}) {
			t.Errorf("matti after move: %v", ids)
		}
		if _, err := w.app.Site(ctx, maija, w.sites["mokki"]); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("maija still reaches the moved site: %v", err)
		}
	})
}

func TestSignInAndOut(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		w := newWorld(t, db, clock)
		bad := []struct{ email, password string }{
			{"maija@example.fi", "väärä-salasana-123"},
			{"tuntematon@example.fi", "oikea-salasana-123"},
			{"", ""},
			{strings.Repeat("a", 10000) + "@example.fi", "x"},
			{"maija@example.fi", strings.Repeat("x", 129)},
		}
		for i, c := range bad {
			w.hashes.Store(0)
			ip := fmt.Sprintf("192.0.2.%d", 10+i)
			if _, _, err := w.app.SignIn(ctx, c.email, c.password, Client{IP: ip}); !errors.Is(err, portal.ErrUnauthenticated) {
				t.Errorf("SignIn(%.30q): err = %v, want ErrUnauthenticated", c.email, err)
			}
			if n := w.hashes.Load(); n != 1 {
				t.Errorf("SignIn(%.30q) computed %d hashes, want 1 (same work for every failure)", c.email, n)
			}
		}
		// The same person on two devices: two sessions, different tokens.
		tok1, dev1, err := w.app.SignIn(ctx, " MAIJA@example.fi ", "oikea-salasana-123", Client{IP: "192.0.2.1"})
		if err != nil || len(dev1) != 43 {
			t.Fatal(err, dev1)
		}
		tok2, _, _ := w.app.SignIn(ctx, "maija@example.fi", "oikea-salasana-123", Client{IP: "192.0.2.1"})
		if tok1 == tok2 || len(tok1) != 43 {
			t.Fatalf("tokens %q %q", tok1, tok2)
		}
		v, err := w.app.Authenticate(ctx, tok1)
		if err != nil || v.EmailNorm != "maija@example.fi" || v.Role != portal.RoleCustomer || !v.Verified {
			t.Fatalf("viewer = %+v, %v", v, err)
		}
		// Only the hash is stored: the token itself is not a valid lookup key.
		db.Read(ctx, func(tx *store.Tx) error {
			if _, err := tx.SessionByTokenHash(ctx, []byte(tok1)); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("raw token found in sessions: %v", err)
			}
			return nil
		})
		if err := w.app.SignOut(ctx, tok1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Authenticate(ctx, tok1); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Errorf("after sign-out: %v", err)
		}
		if _, err := w.app.Authenticate(ctx, tok2); err != nil {
			t.Errorf("other device signed out too: %v", err)
		}
		// Sliding: used within 400 days it lives on; idle longer it dies.
		clock.Advance(399 * 24 * time.Hour)
		if v, err := w.app.Authenticate(ctx, tok2); err != nil || !v.Refreshed {
			t.Fatalf("after 399 idle days: %+v %v", v, err)
		}
		clock.Advance(399 * 24 * time.Hour)
		if _, err := w.app.Authenticate(ctx, tok2); err != nil {
			t.Fatalf("used again after 399 days: %v", err)
		}
		clock.Advance(401 * 24 * time.Hour)
		if _, err := w.app.Authenticate(ctx, tok2); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Errorf("after 401 idle days: %v", err)
		}
		for _, junk := range []string{"", "x", strings.Repeat("A", 43) + "!", tok1 + "x"} {
			if _, err := w.app.Authenticate(ctx, junk); !errors.Is(err, portal.ErrUnauthenticated) {
				t.Errorf("Authenticate(%q): %v", junk, err)
			}
		}
	})
}

func TestPasswordHash(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap)
	phc, err := h.Hash(ctx, "Ｐａｓｓｗｏｒｄ-äö") // fullwidth letters
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Check(ctx, phc, "Password-äö"); err != nil {
		t.Errorf("NFKC-equal password rejected: %v", err)
	}
	if _, err := h.Check(ctx, phc, "password-äö"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	stronger := NewHasher(DefaultArgon2)
	rehash, err := stronger.Check(ctx, phc, "Password-äö")
	if err != nil || !rehash {
		t.Errorf("old parameters: rehash=%v err=%v", rehash, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=1,t=2,p=1$c2FsdA$a2V5", phc + "$"} {
		if _, err := h.Check(ctx, bad, "x"); !errors.Is(err, errBadPHC) {
			t.Errorf("Check(%q) = %v, want errBadPHC", bad, err)
		}
	}
}

func TestDefaultHash(t *testing.T) {
	h := NewHasher(DefaultArgon2)
	phc, err := h.Hash(context.Background(), "demo-salasana-2025")
	if err != nil {
		t.Fatal(err)
	}
	p, salt, key, err := decodePHC(phc)
	if err != nil {
		t.Fatal(err)
	}
	if p.MemoryKiB < 19*1024 || p.Time < 2 || p.Threads != 1 || len(salt) != 16 || len(key) != 32 ||
		!strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("stored hash %q decodes to %+v salt %d key %d", phc, p, len(salt), len(key))
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultArgon2)
	for b.Loop() {
		h.Hash(context.Background(), "demo-salasana-2025")
	}
}

func TestSealer(t *testing.T) {
	key := make([]byte, 32)
	s, _ := NewSealer(key)
	sealed, err := s.Seal([]byte("010190-900R"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "010190") {
		t.Fatal("plain text visible in sealed data")
	}
	again, _ := s.Seal([]byte("010190-900R"))
	if string(again) == string(sealed) {
		t.Error("same plain text sealed twice gives the same bytes (nonce reused)")
	}
	if got, err := s.Open(sealed); err != nil || string(got) != "010190-900R" {
		t.Errorf("Open = %q, %v", got, err)
	}
	key[0] = 1
	other, _ := NewSealer(key)
	if _, err := other.Open(sealed); !errors.Is(err, ErrWrongKey) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := NewSealer(key[:16]); err == nil {
		t.Error("short key accepted")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	p := t.TempDir() + "/secret.key"
	k1, created, err := LoadOrCreateKey(p)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("create: %v %v %d", created, err, len(k1))
	}
	k2, created, err := LoadOrCreateKey(p)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatalf("load: %v %v", created, err)
	}
}

// TestViewerSitesCustomersOnly: a customer's session comes with their
// sites for the switcher; staff and admins, whose scope is a provider's or
// the whole chain's sites, get none (a list of every site on every request
// would grow with the chain), yet still open a site in their scope.
func TestViewerSitesCustomersOnly(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := loadDemo(t, db, clock, nil)
		customer := w.signIn(t, "asiakas@demo.example")
		// Her three homes and Aino's, which she looks after (family
		// access), marked with the role and whose home it is.
		var granted []portal.GrantLink
		for _, s := range customer.Sites {
			if s.Grant.Role != "" {
				granted = append(granted, s.Grant)
			}
		}
		if len(customer.Sites) != 4 || len(granted) != 1 || granted[0].Role != portal.GrantCaretaker ||
			granted[0].OwnerName != "Aino Virtanen" {
			t.Fatalf("customer has %d sites, granted %+v; want 4, one looked after for Aino Virtanen", len(customer.Sites), granted)
		}
		for _, email := range []string{"tuottaja@demo.example", "yllapito@demo.example"} {
			v := w.signIn(t, email)
			if len(v.Sites) != 0 || len(v.Unread) != 0 {
				t.Errorf("%s: %d sites with the session", email, len(v.Sites))
			}
		}
		admin := w.signIn(t, "yllapito@demo.example")
		if _, err := w.app.Site(ctx, admin, customer.Sites[0].ID); err != nil {
			t.Errorf("admin opens a customer's site: %v", err)
		}
	})
}
