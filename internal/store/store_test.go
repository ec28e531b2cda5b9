package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func TestMigrationNamesMatch(t *testing.T) {
	a, err := store.MigrationNames(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.MigrationNames(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || len(a) == 0 {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", a, b)
	}
}

// TestSchemaParity proves both engines end with the same tables and columns.
func TestSchemaParity(t *testing.T) {
	if len(storetest.Engines()) < 2 {
		t.Skip(storetest.EnvPostgres + " not set")
	}
	ctx := context.Background()
	lite := storetest.Open(t, store.SQLite, nil)
	pg := storetest.Open(t, store.Postgres, nil)
	ls, err := lite.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := pg.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) < 20 {
		t.Fatalf("sqlite schema has only %d tables", len(ls))
	}
	if !reflect.DeepEqual(ls, ps) {
		for table, cols := range ls {
			if !reflect.DeepEqual(cols, ps[table]) {
				t.Errorf("table %s:\nsqlite:   %v\npostgres: %v", table, cols, ps[table])
			}
		}
		for table := range ps {
			if _, ok := ls[table]; !ok {
				t.Errorf("table %s only in postgres", table)
			}
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background(), nil); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

// fixture writes a provider, a customer with one site, a contract, visits
// and an invoice, and returns their ids.
type fixture struct{ provider, customer, site, contract int64 }

func mustFixture(t *testing.T, db *store.DB, email, ext string) fixture {
	t.Helper()
	var f fixture
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		var err error
		if f.provider, err = tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p-" + ext, Name: "Tuottaja " + ext, Active: true}); err != nil {
			return err
		}
		if f.customer, err = tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "c-" + ext, Name: "Asiakas " + ext, Email: email}); err != nil {
			return err
		}
		if f.site, err = tx.UpsertSite(ctx, portal.Site{CustomerID: f.customer, ProviderID: f.provider, Source: "t", ExternalID: "s-" + ext, Street: "Katu " + ext, PostalCode: "33100", City: "Tampere"}); err != nil {
			return err
		}
		f.contract, err = tx.UpsertContract(ctx, portal.Contract{SiteID: f.site, Source: "t", ExternalID: "k-" + ext, Kind: portal.ContractRegular,
			Service: "Säännöllinen siivous", WorkType: "household", Rhythm: "weekly", PriceCents: 8900, Start: portal.NewDate(2024, 1, 15)})
		return err
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func TestRoundTrip(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "Aiti@Esimerkki.FI", "1")
		scope := store.Scope{EmailNorm: "aiti@esimerkki.fi"}
		start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, st := range []portal.VisitStatus{portal.VisitDone, portal.VisitCancelledByCustomer, portal.VisitPlanned} {
				at := start.AddDate(0, 0, 7*(i-1))
				if _, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: f.site, ContractID: f.contract, Source: "t", ExternalID: "v" + string(rune('a'+i)),
					StartsAt: at, EndsAt: at.Add(3 * time.Hour), Status: st, Service: "Siivous", WorkerFirstName: "Aino", PriceCents: 8900}); err != nil {
					return err
				}
			}
			_, err := tx.UpsertInvoice(ctx, portal.Invoice{CustomerID: f.customer, SiteID: f.site, Source: "t", ExternalID: "i1", Number: "2026-000001",
				PeriodStart: portal.NewDate(2026, 10, 1), PeriodEnd: portal.NewDate(2026, 10, 31), IssuedOn: portal.NewDate(2026, 11, 2),
				DueOn: portal.NewDate(2026, 11, 16), Status: portal.InvoiceOpen, TotalCents: 11168,
				Lines: []portal.InvoiceLine{{Position: 1, Description: "Siivous", PerformedOn: portal.NewDate(2026, 10, 7), QuantityMilli: 3000,
					UnitPriceCents: 2967, VATRateBP: 2550, NetCents: 8900, VATCents: 2270, TotalCents: 11170, IsWork: true}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			sites, err := tx.Sites(ctx, scope)
			if err != nil {
				return err
			}
			if len(sites) != 1 || sites[0].Site.ID != f.site || sites[0].Provider.Name != "Tuottaja 1" {
				t.Fatalf("Sites = %+v", sites)
			}
			cs, err := tx.ContractsOfSite(ctx, f.site)
			if err != nil {
				return err
			}
			if len(cs) != 1 || cs[0].Start != portal.NewDate(2024, 1, 15) || !cs[0].End.IsZero() || cs[0].Kind != portal.ContractRegular {
				t.Errorf("contracts = %+v", cs)
			}
			next, err := tx.NextVisit(ctx, f.site, t0)
			if err != nil {
				return err
			}
			if !next.StartsAt.Equal(start.AddDate(0, 0, 7)) || next.Status != portal.VisitPlanned {
				t.Errorf("next visit = %+v", next)
			}
			inv, err := tx.LatestInvoice(ctx, f.site)
			if err != nil {
				return err
			}
			if inv.DueOn != portal.NewDate(2026, 11, 16) || !inv.PaidOn.IsZero() || inv.Number != "2026-000001" {
				t.Errorf("latest invoice = %+v", inv)
			}
			lines, err := tx.InvoiceLines(ctx, inv.ID)
			if err != nil {
				return err
			}
			if len(lines) != 1 || lines[0].PerformedOn != portal.NewDate(2026, 10, 7) || !lines[0].IsWork || lines[0].VATRateBP != 2550 {
				t.Errorf("lines = %+v", lines)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestUpsertIsIdempotent(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		a := mustFixture(t, db, "a@example.fi", "1")
		b := mustFixture(t, db, "a@example.fi", "1")
		if a != b {
			t.Fatalf("second upsert gave new ids: %+v vs %+v", a, b)
		}
		db.Read(context.Background(), func(tx *store.Tx) error {
			for _, table := range []string{"providers", "customers", "sites", "contracts"} {
				if n, err := tx.Count(context.Background(), table); err != nil || n != 1 {
					t.Errorf("%s: %d rows, %v", table, n, err)
				}
			}
			return nil
		})
	})
}

func TestErrorMapping(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		verified := portal.Account{Email: "x@example.fi", PasswordHash: "h", VerifiedAt: t0}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.CreateAccount(ctx, verified); err != nil {
				return err
			}
			// Pending claims on the same address are allowed.
			for range 2 {
				if _, err := tx.CreateAccount(ctx, portal.Account{Email: "X@Example.fi", PasswordHash: "h"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateAccount(ctx, portal.Account{Email: "X@EXAMPLE.FI", PasswordHash: "h", VerifiedAt: t0})
			return err
		})
		if !errors.Is(err, portal.ErrConflict) {
			t.Errorf("second verified account: err = %v, want ErrConflict", err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.AccountByID(ctx, 999999)
			return err
		})
		if !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("missing account: err = %v, want ErrNotFound", err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.Site(ctx, store.Scope{EmailNorm: "x@example.fi"}, 1)
			return err
		})
		if !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("site outside scope: err = %v, want ErrNotFound", err)
		}
	})
}

// TestScopeFollowsEmail proves the link is derived from the email: when
// the customer record's email or the account's email changes, the set of
// visible sites changes in the same transaction.
func TestScopeFollowsEmail(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f1 := mustFixture(t, db, "maija@example.fi", "1")
		f2 := mustFixture(t, db, "MATTI@example.fi", "2")
		var acc int64
		visible := func(email string) []int64 {
			var ids []int64
			db.Read(ctx, func(tx *store.Tx) error {
				sites, err := tx.Sites(ctx, store.Scope{EmailNorm: emailaddr.Normalize(email)})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range sites {
					ids = append(ids, s.Site.ID)
				}
				return nil
			})
			return ids
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			acc, err = tx.CreateAccount(ctx, portal.Account{Email: "maija@example.fi", PasswordHash: "h", VerifiedAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := visible("maija@example.fi"); !slices.Equal(got, []int64{f1.site}) {
			t.Fatalf("before: %v", got)
		}
		// ERP changes the second record's email to Maija's: it appears at once.
		db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "c-2", Name: "Asiakas 2", Email: "Maija@Example.FI"})
			return err
		})
		if got := visible("maija@example.fi"); !slices.Equal(got, []int64{f1.site, f2.site}) {
			t.Fatalf("after ERP change: %v", got)
		}
		// The account moves to another address: the records stay behind.
		db.Write(ctx, func(tx *store.Tx) error { return tx.SetAccountEmail(ctx, acc, "uusi@example.fi") })
		var a portal.Account
		db.Read(ctx, func(tx *store.Tx) (err error) { a, err = tx.AccountByID(ctx, acc); return err })
		if got := visible(a.EmailNorm); len(got) != 0 {
			t.Fatalf("after account email change: %v", got)
		}
	})
}

func TestSessions(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		var acc, s1, s2 int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			if acc, err = tx.CreateAccount(ctx, portal.Account{Email: "s@example.fi", PasswordHash: "h", VerifiedAt: t0}); err != nil {
				return err
			}
			if s1, err = tx.CreateSession(ctx, portal.Session{AccountID: acc, TokenHash: []byte("one"), AuthAt: t0}); err != nil {
				return err
			}
			s2, err = tx.CreateSession(ctx, portal.Session{AccountID: acc, TokenHash: []byte("two"), AuthAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, s1) })
		db.Read(ctx, func(tx *store.Tx) error {
			s, err := tx.SessionByTokenHash(ctx, []byte("one"))
			if err != nil || s.ID != s1 || !s.LastSeenAt.Equal(t0.Add(time.Hour)) || !s.AuthAt.Equal(t0) {
				t.Errorf("session = %+v, %v", s, err)
			}
			return nil
		})
		db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSessionsExcept(ctx, acc, s1) })
		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.SessionByTokenHash(ctx, []byte("two")); return err })
		if !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("session two after sign-out elsewhere: %v", err)
		}
		_ = s2
	})
}

// TestChangesJournal proves rows are numbered without gaps and that a
// rolled-back change leaves no hole.
func TestChangesJournal(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 3 {
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.AppendChange(ctx, store.ChangeOf{}, portal.VisitNoteSet{VisitID: int64(i + 1)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		boom := errors.New("boom")
		err := db.Write(ctx, func(tx *store.Tx) error {
			tx.AppendChange(ctx, store.ChangeOf{}, portal.VisitNoteSet{VisitID: 9})
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendChange(ctx, store.ChangeOf{}, portal.CustomerCancelledVisit{VisitID: 4})
			return err
		})
		var got []int64
		db.Read(ctx, func(tx *store.Tx) error {
			cs, err := tx.ChangesAfter(ctx, 1, 10)
			for _, c := range cs {
				got = append(got, c.Seq)
			}
			return err
		})
		if !slices.Equal(got, []int64{2, 3, 4}) {
			t.Errorf("seqs after 1 = %v, want [2 3 4]", got)
		}
	})
}

func TestPoliciesAndRules(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Read(ctx, func(tx *store.Tx) error {
			p, err := tx.Policies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p.CancelDeadlineDays != 7 || p.LateFeePercent != 100 || p.LegacyCutover != portal.NewDate(2024, 11, 26) ||
				p.LegacyRetirement != portal.NewDate(2025, 3, 31) {
				t.Errorf("policies = %+v", p)
			}
			rules, err := tx.DeductionRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[[2]any]portal.DeductionRule{
				{2024, "household"}:   {Year: 2024, WorkType: "household", RateBP: 6000, MaxCents: 350000, OmavastuuCents: 10000},
				{2025, "household"}:   {Year: 2025, WorkType: "household", RateBP: 3500, MaxCents: 160000, OmavastuuCents: 15000},
				{2025, "oil_heating"}: {Year: 2025, WorkType: "oil_heating", RateBP: 6000, MaxCents: 350000, OmavastuuCents: 15000},
				{2026, "household"}:   {Year: 2026, WorkType: "household", RateBP: 3500, MaxCents: 160000, OmavastuuCents: 15000},
			}
			found := 0
			for _, r := range rules {
				if w, ok := want[[2]any{r.Year, r.WorkType}]; ok {
					found++
					if r != w {
						t.Errorf("rule %d %s = %+v, want %+v", r.Year, r.WorkType, r, w)
					}
				}
			}
			if found != len(want) {
				t.Errorf("found %d of %d expected rules in %v", found, len(want), rules)
			}
			return nil
		})
	})
}
