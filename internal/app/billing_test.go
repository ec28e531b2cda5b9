package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// demoNow is when the billing tests load the demo: its invoices run
// monthly from January 2023 to February 2026.
var demoNow = time.Date(2026, time.March, 22, 10, 15, 0, 0, portal.Helsinki)

type demoWorld struct {
	app    *App
	db     *store.DB
	sealer *Sealer
	clock  *storetest.Clock
}

func loadDemo(t *testing.T, db *store.DB, clock *storetest.Clock, log *slog.Logger) demoWorld {
	t.Helper()
	ctx := context.Background()
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHasher(cheap)
	if _, err := demo.Load(ctx, db, demo.Options{Now: demoNow, Encrypt: s.Seal,
		HashPassword: func(pw string) (string, error) { return h.Hash(ctx, pw) }}); err != nil {
		t.Fatalf("demo: %v", err)
	}
	return demoWorld{app: New(db, h, clock.Now, log, WithSealer(s)), db: db, sealer: s, clock: clock}
}

func (w demoWorld) signIn(t *testing.T, email string) Viewer {
	t.Helper()
	tok, _, err := w.app.SignIn(context.Background(), email, demo.Password, Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	v, err := w.app.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatalf("authenticate %s: %v", email, err)
	}
	return v
}

// TestYearlyStatementDemo: the demo customer's statement for 2025, the
// year whose turn has both late-December payments (Koti and Kesämökki pay
// December's invoices before the new year) and early-January ones (Äidin
// koti pays them in January).
//
// Figures worked out by hand from the demo's story:
//   - Äidin koti: VAT-free home help, 2 h × 34,50 € = 69,00 € a visit, all
//     work. Paid in 2025: the invoice of November 2024 (issued 3.12.2024,
//     paid in January 2025) through that of October 2025; the invoice of
//     November 2025 is paid in January 2026 and belongs to 2026. Those 12
//     invoices bill 50 done visits: 50 × 69,00 € = 3 450,00 €.
//   - Koti 2 866,84 € (13 payments, one of them the credit note of a visit
//     billed twice, which subtracts) and Kesämökki 2 063,82 € (11).
//   - Total work share 2 866,84 + 3 450,00 + 2 063,82 = 8 380,66 €.
//   - Split 70/30: the second payer gets 30 % rounded down, 2 514,19 €
//     (8 380,66 × 0,3 = 2 514,198), the first the rest, 5 866,47 €.
//   - 2025 rule 35 %, max 1 600 €, omavastuu 150 €: first payer
//     35 % × 5 866,47 = 2 053,26 − 150 = 1 903,26 → capped at 1 600,00 €;
//     second 35 % × 2 514,19 = 879,9665 → 879,96 − 150 = 729,96 €.
func TestYearlyStatementDemo(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := loadDemo(t, db, clock, nil)
		v := w.signIn(t, "asiakas@demo.example")
		st, err := w.app.YearlyStatement(ctx, v, 2025, []int{7000, 3000})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			payments int
			work     int64
		}{"Koti": {13, 286684}, "Äidin koti": {12, 345000}, "Kesämökki": {11, 206382}}
		if len(st.Sites) != 3 {
			t.Fatalf("sites %d", len(st.Sites))
		}
		for _, s := range st.Sites {
			if w, ok := want[s.Site.Name]; !ok || s.Payments != w.payments || s.WorkShareCents != w.work {
				t.Errorf("%s: %d payments, work %d; want %+v", s.Site.Name, s.Payments, s.WorkShareCents, w)
			}
		}
		if st.WorkShareCents != 838066 || !st.HasRule || len(st.Payers) != 2 {
			t.Fatalf("work share %d rule %v payers %d, want 838066", st.WorkShareCents, st.HasRule, len(st.Payers))
		}
		if p := st.Payers; p[0].WorkShareCents != 586647 || p[1].WorkShareCents != 251419 ||
			p[0].DeductionCents != 160000 || p[1].DeductionCents != 72996 {
			t.Errorf("payers %+v", p)
		}
		// One payer: 35 % × 8 380,66 € − 150 € far above the maximum.
		one, _ := w.app.YearlyStatement(ctx, v, 2025, nil)
		if len(one.Payers) != 1 || one.Payers[0].DeductionCents != 160000 {
			t.Errorf("one payer %+v", one.Payers)
		}
		// 2027 has no rules yet: the work share only.
		later, _ := w.app.YearlyStatement(ctx, v, 2027, nil)
		if later.HasRule || later.WorkShareCents != 0 || len(later.Payers) != 0 {
			t.Errorf("2027: %+v", later)
		}
		// A customer sees only their own records.
		other := w.signIn(t, "toinen@demo.example")
		ost, _ := w.app.YearlyStatement(ctx, other, 2025, nil)
		for _, s := range ost.Sites {
			for _, mine := range st.Sites {
				if s.Site.ID == mine.Site.ID {
					t.Errorf("toinen sees %s", s.Site.Name)
				}
			}
		}
	})
}

const hetuA, hetuB = "131052-308T", "010101A123N"

func TestConsent(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var logBuf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		clock.Set(demoNow)
		w := loadDemo(t, db, clock, log)
		v := w.signIn(t, "asiakas@demo.example")
		cs, err := w.app.Consents(ctx, v)
		if err != nil || len(cs) == 0 {
			t.Fatalf("consents %v %v", cs, err)
		}
		// The migrated consent shows as it was, codes masked.
		var migrated *ConsentView
		for i := range cs {
			if cs[i].Migrated {
				migrated = &cs[i]
			}
		}
		if migrated == nil || !migrated.Enabled || len(migrated.Payers) == 0 {
			t.Fatalf("no migrated consent: %+v", cs)
		}
		for _, p := range migrated.Payers {
			if !strings.HasPrefix(p.Masked, "******") || strings.ContainsAny(p.Masked[:6], "0123456789") {
				t.Errorf("payer %q shown as %q", p.Name, p.Masked)
			}
		}
		var free int64
		for _, c := range cs {
			if !c.Exists {
				free = c.CustomerID
			}
		}
		if free == 0 {
			free = cs[0].CustomerID
		}
		payers := func() []PayerInput {
			return []PayerInput{{Name: "Maija Virtanen", IdentityCode: hetuA, ShareBP: 7000},
				{Name: "Matti Virtanen", IdentityCode: strings.ToLower(hetuB), ShareBP: 3000}}
		}
		// Bad input: a wrong check character, shares not adding up.
		bad := payers()
		bad[0].IdentityCode = "131052-308U"
		bad[1].ShareBP = 2000
		var inv InvalidInput
		if err := w.app.SetConsent(ctx, v, free, true, bad); !errors.As(err, &inv) ||
			inv.Field("payer1code") == "" || inv.Field("payer1share") == "" {
			t.Errorf("bad input: %v", err)
		}
		// Another customer's record.
		other := w.signIn(t, "toinen@demo.example")
		if err := w.app.SetConsent(ctx, other, free, true, payers()); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("foreign record: %v", err)
		}
		// A sign-in older than 15 minutes must be renewed.
		clock.Advance(RecentAuth + time.Minute)
		if err := w.app.SetConsent(ctx, v, free, true, payers()); !errors.Is(err, ErrReauthenticate) {
			t.Errorf("stale sign-in: %v", err)
		}
		if err := w.app.Reauthenticate(ctx, v, demo.Password); err != nil {
			t.Fatal(err)
		}
		v.AuthAt = clock.Now()
		if err := w.app.SetConsent(ctx, v, free, true, payers()); err != nil {
			t.Fatalf("set: %v", err)
		}
		// Stored sealed: never the clear code; opens with the key, not
		// with another.
		c, err := readConsent(ctx, db, free)
		if err != nil || !c.Enabled || len(c.Payers) != 2 {
			t.Fatalf("stored %+v %v", c, err)
		}
		wrong, _ := NewSealer(bytes.Repeat([]byte{7}, 32))
		for i, p := range c.Payers {
			for _, clear := range []string{hetuA, hetuB, strings.ToLower(hetuB), hetuA[:6], hetuB[:6]} {
				if bytes.Contains(p.IdentityCodeEnc, []byte(clear)) {
					t.Errorf("payer %d: stored column holds %q", i, clear)
				}
			}
			plain, err := w.sealer.Open(p.IdentityCodeEnc)
			if err != nil || string(plain) != []string{hetuA, hetuB}[i] {
				t.Errorf("payer %d opens to %q, %v", i, plain, err)
			}
			if _, err := wrong.Open(p.IdentityCodeEnc); !errors.Is(err, ErrWrongKey) {
				t.Errorf("payer %d: wrong key gives %v", i, err)
			}
		}
		// Shown masked.
		cs, _ = w.app.Consents(ctx, v)
		for _, cv := range cs {
			if cv.CustomerID == free && (len(cv.Payers) != 2 || cv.Payers[0].Masked != "******-***T" || cv.Payers[1].Masked != "******A***N") {
				t.Errorf("shown %+v", cv.Payers)
			}
		}
		// Withdrawing keeps the payers and the history.
		if err := w.app.SetConsent(ctx, v, free, false, nil); err != nil {
			t.Fatal(err)
		}
		c, _ = readConsent(ctx, db, free)
		if c.Enabled || len(c.Payers) != 2 {
			t.Errorf("after withdrawing %+v", c)
		}
		var hist []store.ConsentEvent
		var audits, changes int
		db.Read(ctx, func(tx *store.Tx) error {
			hist, _ = tx.ConsentHistory(ctx, free)
			return nil
		})
		if len(hist) != 2 || !hist[0].Enabled || hist[1].Enabled || hist[1].PayerCount != 2 {
			t.Errorf("history %+v", hist)
		}
		db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action LIKE 'deduction.consent_%'`).Scan(&audits)
		db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM changes WHERE kind = 'deduction.consent_changed'`).Scan(&changes)
		if audits != 2 || changes != 2 {
			t.Errorf("audit %d, journal %d; want 2 and 2", audits, changes)
		}
		// Neither the log nor the journal holds a code.
		var journal strings.Builder
		rows, err := db.SQL().QueryContext(ctx, `SELECT data FROM changes`)
		if err == nil {
			for rows.Next() {
				var d string
				rows.Scan(&d)
				journal.WriteString(d)
			}
			rows.Close()
		}
		for _, code := range []string{hetuA, hetuB, strings.ToLower(hetuB), "131052-308U"} {
			if strings.Contains(logBuf.String(), code) || strings.Contains(journal.String(), code) {
				t.Errorf("identity code %s in the log or journal", code)
			}
		}
	})
}

func readConsent(ctx context.Context, db *store.DB, customerID int64) (store.Consent, error) {
	var c store.Consent
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.ConsentOf(ctx, customerID)
		return err
	})
	return c, err
}

func TestDeductionExport(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := loadDemo(t, db, clock, nil)
		dir := t.TempDir()
		e, err := w.app.ExportDeduction(ctx, 2025, FileSender{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		// The demo has two migrated, enabled consents.
		if e.Customers != 2 || e.CSVSHA256 == "" || e.JSONSHA256 == "" {
			t.Errorf("export %+v", e)
		}
		var got []store.DeductionExport
		db.Read(ctx, func(tx *store.Tx) error { got, err = tx.DeductionExports(ctx); return err })
		if len(got) != 1 || got[0].CSVSHA256 != e.CSVSHA256 {
			t.Errorf("recorded %+v", got)
		}
		b, err := os.ReadFile(e.JSONName)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != e.JSONSHA256 {
			t.Error("JSON checksum does not match the file")
		}
		var rep DeductionReport
		if err := json.Unmarshal(b, &rep); err != nil || rep.Year != 2025 || len(rep.Records) == 0 {
			t.Fatalf("report %+v %v", rep, err)
		}
		for _, r := range rep.Records {
			if r.BusinessID == "" || r.SiteAddress == "" || r.ContractDate == "" || r.FirstPayment == "" ||
				r.WorkShareCents <= 0 || len(r.Payers) == 0 {
				t.Errorf("record %+v", r)
			}
			for _, p := range r.Payers {
				if !portal.ValidHetu(p.IdentityCode) {
					t.Errorf("payer %s: code %q not in clear", p.Name, p.IdentityCode)
				}
			}
		}
		csvBody, _ := os.ReadFile(e.CSVName)
		if !strings.HasPrefix(string(csvBody), "year,business_id,") {
			t.Errorf("csv %q", csvBody)
		}
		// Withdrawing stops future reports.
		v := w.signIn(t, "asiakas@demo.example")
		cs, _ := w.app.Consents(ctx, v)
		for _, c := range cs {
			if c.Enabled {
				if err := w.app.SetConsent(ctx, v, c.CustomerID, false, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		rep2, _ := w.app.BuildDeductionReport(ctx, 2025)
		if len(rep2.Records) >= len(rep.Records) {
			t.Errorf("after withdrawing %d records, before %d", len(rep2.Records), len(rep.Records))
		}
	})
}

// TestYearlyStatementByHand: a small account whose every figure is worked
// out by hand. Maija has two records (koti, mokki).
//
//	koti  A  paid 29.12.2025, work 125,50 € (100 € + 25,5 %), travel 6,15 €  → 2025
//	koti  B  paid  2.1.2026,  work 200,00 €                                  → 2026
//	koti  E  paid 30.12.2024, work 999,99 €                                  → 2024
//	koti  F  open (unpaid),   work  77,77 €                                  → never
//	mokki C  paid 10.6.2025,  work 3 000,00 € (VAT-free home help)           → 2025
//	mokki D  credit note paid 1.7.2025, work −50,00 €                        → 2025
//
// 2025: 125,50 + 3 000,00 − 50,00 = 3 075,50 € of work, 3 081,65 € paid.
// Split 70/30: second payer 3 075,50 × 0,3 = 922,65 €, first 2 152,85 €;
// deductions 35 % × 2 152,85 = 753,4975 → 753,49 − 150 = 603,49 € and
// 35 % × 922,65 = 322,9275 → 322,92 − 150 = 172,92 €.
func TestYearlyStatementByHand(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clock)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, x := range []struct {
				site         string
				paid         portal.Date
				work, other  int64
				credit, open bool
			}{
				{"koti", portal.NewDate(2025, 12, 29), 12550, 615, false, false},
				{"koti", portal.NewDate(2026, 1, 2), 20000, 0, false, false},
				{"koti", portal.NewDate(2024, 12, 30), 99999, 0, false, false},
				{"koti", portal.Date{}, 7777, 0, false, true},
				{"mokki", portal.NewDate(2025, 6, 10), 300000, 0, false, false},
				{"mokki", portal.NewDate(2025, 7, 1), -5000, 0, true, false},
				{"matti", portal.NewDate(2025, 5, 5), 55555, 0, false, false},
			} {
				s, err := tx.Site(ctx, store.Scope{All: true}, w.sites[x.site])
				if err != nil {
					return err
				}
				day := portal.NewDate(2025, 1, 1)
				inv := portal.Invoice{CustomerID: s.Site.CustomerID, SiteID: s.Site.ID, Source: "t", ExternalID: fmt.Sprint(i),
					Number: fmt.Sprint(1000 + i), PeriodStart: day, PeriodEnd: day, IssuedOn: day, DueOn: day, PaidOn: x.paid,
					Status: portal.InvoicePaid, IsCreditNote: x.credit, TotalCents: x.work + x.other,
					Lines: []portal.InvoiceLine{{Position: 1, Description: "Työ", PerformedOn: day, TotalCents: x.work, IsWork: true}}}
				if x.other != 0 {
					inv.Lines = append(inv.Lines, portal.InvoiceLine{Position: 2, Description: "Matka", PerformedOn: day, TotalCents: x.other})
				}
				if x.open {
					inv.Status = portal.InvoiceOpen
				}
				if _, err := tx.UpsertInvoice(ctx, inv); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		v := w.signIn(t, "maija@example.fi")
		st, err := w.app.YearlyStatement(ctx, v, 2025, []int{7000, 3000})
		if err != nil {
			t.Fatal(err)
		}
		if st.WorkShareCents != 307550 || st.PaidCents != 308165 {
			t.Errorf("2025: work %d paid %d, want 307550 and 308165", st.WorkShareCents, st.PaidCents)
		}
		if p := st.Payers; len(p) != 2 || p[0].WorkShareCents != 215285 || p[1].WorkShareCents != 92265 ||
			p[0].DeductionCents != 60349 || p[1].DeductionCents != 17292 {
			t.Errorf("payers %+v", p)
		}
		for _, s := range st.Sites {
			want := map[int64]int64{w.sites["koti"]: 12550, w.sites["mokki"]: 295000}[s.Site.ID]
			if s.WorkShareCents != want {
				t.Errorf("site %d: %d, want %d", s.Site.ID, s.WorkShareCents, want)
			}
		}
		for year, want := range map[int]int64{2024: 99999, 2026: 20000} {
			st, _ := w.app.YearlyStatement(ctx, v, year, nil)
			if st.WorkShareCents != want {
				t.Errorf("%d: %d, want %d", year, st.WorkShareCents, want)
			}
		}
		// Staff and admins have no statement of their own.
		for _, who := range []string{"staff@example.fi", "admin@example.fi"} {
			if _, err := w.app.YearlyStatement(ctx, w.signIn(t, who), 2025, nil); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s: %v", who, err)
			}
		}
	})
}
