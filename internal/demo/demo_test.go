package demo

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testNow is a Sunday morning a week before the switch to summer time, so
// that +10 days lies across it and the in-progress visit exists.
var testNow = time.Date(2026, time.March, 22, 10, 15, 0, 0, portal.Helsinki)

// reverse stands in for the application's sealer: the stored bytes differ
// from the identity code, and the test can open them.
func reverse(b []byte) ([]byte, error) {
	out := slices.Clone(b)
	slices.Reverse(out)
	return out, nil
}

func testOptions(now time.Time) Options {
	return Options{Now: now, HashPassword: func(pw string) (string, error) { return "hash:" + pw, nil }, Encrypt: reverse}
}

func load(t *testing.T, db *store.DB, now time.Time) Result {
	t.Helper()
	res, err := Load(context.Background(), db, testOptions(now))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return res
}

// rows runs a query on the database directly and returns every row.
func rows(t testing.TB, db *store.DB, query string, args ...any) [][]any {
	t.Helper()
	rs, err := db.SQL().Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out [][]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dump renders every table, for comparing whole databases.
func dump(t testing.TB, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"accounts", "providers", "provider_staff", "chain_admins", "customers", "sites",
		"contracts", "visits", "threads", "messages", "invoices", "invoice_lines", "feedback", "deduction_consents",
		"deduction_payers", "chain_policies"} {
		fmt.Fprintf(&b, "== %s\n", table)
		q := `SELECT * FROM ` + table + ` ORDER BY 1, 2`
		if table == "invoice_lines" { // replaced, with new ids, on every write of the invoice
			q = `SELECT invoice_id, position, description, performed_on, quantity_milli, unit_price_cents, vat_rate_bp,
				net_cents, vat_cents, total_cents, is_work FROM invoice_lines ORDER BY 1, 2`
		}
		for _, r := range rows(t, db, q) {
			fmt.Fprintf(&b, "%v\n", r)
		}
	}
	return b.String()
}

func asTime(t testing.TB, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, time.DateOnly} {
			if tm, err := time.Parse(layout, x); err == nil {
				return tm
			}
		}
	}
	t.Fatalf("not a time: %T %v", v, v)
	return time.Time{}
}

func asDate(t testing.TB, v any) portal.Date {
	t.Helper()
	tm := asTime(t, v)
	return portal.NewDate(tm.Year(), tm.Month(), tm.Day())
}

func asInt(t testing.TB, v any) int64 {
	t.Helper()
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	}
	t.Fatalf("not an integer: %T %v", v, v)
	return 0
}

func asBool(t testing.TB, v any) bool {
	t.Helper()
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	t.Fatalf("not a bool: %T %v", v, v)
	return false
}

func counts(t testing.TB, db *store.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		for _, table := range []string{"providers", "accounts", "provider_staff", "chain_admins", "customers", "sites",
			"contracts", "visits", "threads", "messages", "invoices", "invoice_lines", "feedback", "deduction_consents",
			"deduction_payers"} {
			n, err := tx.Count(context.Background(), table)
			if err != nil {
				return err
			}
			out[table] = n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(testNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		res := load(t, db, testNow)
		today := portal.DateOf(testNow)

		t.Run("counts", func(t *testing.T) {
			got := counts(t, db)
			c := res.Counts
			want := map[string]int64{"providers": 3, "accounts": 6, "provider_staff": 2, "chain_admins": 1,
				"customers": 7, "sites": 7, "contracts": int64(c.Contracts), "visits": int64(c.Visits), "threads": 7,
				"messages": int64(c.Messages), "invoices": int64(c.Invoices), "invoice_lines": int64(c.InvoiceLines),
				"feedback": int64(c.Feedback), "deduction_consents": 2, "deduction_payers": 3}
			for table, n := range want {
				if got[table] != n {
					t.Errorf("%s: %d rows, want %d", table, got[table], n)
				}
			}
			if c.Visits < 300 || c.Invoices < 150 || c.InvoiceLines < 3*c.Invoices || c.Messages < 15 || c.Feedback < 8 {
				t.Errorf("implausible counts: %+v", c)
			}
			if len(res.Accounts) < 4 || res.Accounts[0].Email != "asiakas@demo.example" || !res.Accounts[0].HasAccount {
				t.Errorf("accounts: %+v", res.Accounts)
			}
		})

		t.Run("visit statuses", func(t *testing.T) {
			seen := map[portal.VisitStatus]bool{}
			for _, r := range rows(t, db, `SELECT DISTINCT status FROM visits`) {
				seen[portal.VisitStatus(fmt.Sprint(r[0]))] = true
			}
			for _, s := range portal.VisitStatuses {
				if !seen[s] {
					t.Errorf("no visit with status %s", s)
				}
			}
			for _, r := range rows(t, db, `SELECT starts_at, ends_at, status FROM visits`) {
				start, end, st := asTime(t, r[0]), asTime(t, r[1]), portal.VisitStatus(fmt.Sprint(r[2]))
				past, future := !end.After(testNow), start.After(testNow)
				switch {
				case past && (st == portal.VisitPlanned || st == portal.VisitConfirmed || st == portal.VisitInProgress),
					future && (st == portal.VisitDone || st == portal.VisitInProgress || st == portal.VisitCancelledByProvider),
					!past && !future && st != portal.VisitInProgress:
					t.Errorf("visit %v–%v has status %s at %v", start, end, st, testNow)
				}
			}
		})

		t.Run("visits at +2 and +10 days", func(t *testing.T) {
			days := map[int64]map[portal.Date]bool{}
			for _, r := range rows(t, db, `SELECT site_id, starts_at FROM visits WHERE status IN ('planned', 'confirmed')`) {
				id := asInt(t, r[0])
				if days[id] == nil {
					days[id] = map[portal.Date]bool{}
				}
				start := asTime(t, r[1])
				days[id][portal.DateOf(start)] = true
				if h := start.In(portal.Helsinki).Hour(); h < 7 || h > 16 {
					t.Errorf("site %d: visit starts at %v local", id, start.In(portal.Helsinki))
				}
			}
			for _, r := range rows(t, db, `SELECT id FROM sites`) {
				id := asInt(t, r[0])
				for _, d := range []int{2, 10} {
					if !days[id][today.AddDays(d)] {
						t.Errorf("site %d: no visit on %v (+%d days)", id, today.AddDays(d), d)
					}
				}
			}
		})

		t.Run("one account, three sites, three providers", func(t *testing.T) {
			err := db.Read(ctx, func(tx *store.Tx) error {
				sites, err := tx.Sites(ctx, store.Scope{EmailNorm: "asiakas@demo.example"})
				if err != nil {
					return err
				}
				providers := map[int64]bool{}
				for _, s := range sites {
					providers[s.Provider.ID] = true
				}
				if len(sites) != 3 || len(providers) != 3 {
					t.Errorf("asiakas sees %d sites at %d providers, want 3 at 3", len(sites), len(providers))
				}
				for _, s := range sites {
					cs, err := tx.ContractsOfSite(ctx, s.Site.ID)
					if err != nil {
						return err
					}
					if !slices.ContainsFunc(cs, func(c portal.Contract) bool {
						return c.Kind == portal.ContractRegular && c.Active(today)
					}) {
						t.Errorf("site %s has no regular contract in force", s.Site.Name)
					}
					if v, err := tx.NextVisit(ctx, s.Site.ID, testNow); err != nil {
						t.Errorf("site %s: next visit %v, %v", s.Site.Name, v, err)
					}
				}
				for email, want := range map[string]int{"toinen@demo.example": 1, "uusi@demo.example": 1, "vanha@demo.example": 1,
					"aiti@demo.example": 1} {
					if s, err := tx.Sites(ctx, store.Scope{EmailNorm: email}); err != nil || len(s) != want {
						t.Errorf("%s: %d sites, %v; want %d", email, len(s), err, want)
					}
				}
				staff, err := tx.VerifiedAccountByEmail(ctx, "tuottaja@demo.example")
				if err != nil {
					return err
				}
				role, prov, err := tx.AccountRole(ctx, staff.ID)
				if err != nil || role != portal.RoleStaff {
					t.Errorf("tuottaja role %v, %v", role, err)
				}
				ps, err := tx.Sites(ctx, store.Scope{ProviderID: prov})
				if err != nil || len(ps) != 3 || ps[0].Provider.City != "Tampere" {
					t.Errorf("staff sees %d sites, %v", len(ps), err)
				}
				admin, err := tx.VerifiedAccountByEmail(ctx, "yllapito@demo.example")
				if err != nil {
					return err
				}
				if role, _, err := tx.AccountRole(ctx, admin.ID); err != nil || role != portal.RoleAdmin {
					t.Errorf("yllapito role %v, %v", role, err)
				}
				if a, err := tx.VerifiedAccountByEmail(ctx, "Asiakas@Demo.Example"); err != nil || a.PasswordHash != "hash:"+Password {
					t.Errorf("asiakas account %+v, %v", a, err)
				}
				for _, email := range []string{"uusi@demo.example", "vanha@demo.example"} {
					if _, err := tx.VerifiedAccountByEmail(ctx, email); !errors.Is(err, portal.ErrNotFound) {
						t.Errorf("%s has an account: %v", email, err)
					}
				}
				pol, err := tx.Policies(ctx)
				if err != nil {
					return err
				}
				if pol.LegacyRetirement != today.AddDays(90) || pol.LegacyCutover != portal.NewDate(2024, 11, 26) ||
					pol.CustomerServicePhone != DemoServicePhone || pol.CustomerServiceEmail != DemoServiceEmail {
					t.Errorf("policies %+v", pol)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var mixed bool
			for _, r := range rows(t, db, `SELECT email, email_norm FROM customers`) {
				mixed = mixed || (fmt.Sprint(r[0]) != fmt.Sprint(r[1]) && fmt.Sprint(r[1]) == "asiakas@demo.example")
			}
			if !mixed {
				t.Error("no customer record with a mixed-case email")
			}
			old := rows(t, db, `SELECT k.start_date FROM contracts k JOIN sites s ON s.id = k.site_id
				JOIN customers c ON c.id = s.customer_id WHERE c.email_norm = 'vanha@demo.example' AND k.kind = 'regular'`)
			if len(old) == 0 || !asDate(t, old[0][0]).Before(portal.NewDate(2024, 11, 26)) {
				t.Errorf("legacy customer's contract: %v", old)
			}
		})

		t.Run("family access", func(t *testing.T) {
			err := db.Read(ctx, func(tx *store.Tx) error {
				asiakas, err := tx.VerifiedAccountByEmail(ctx, "asiakas@demo.example")
				if err != nil {
					return err
				}
				aiti, err := tx.VerifiedAccountByEmail(ctx, "aiti@demo.example")
				if err != nil {
					return err
				}
				// asiakas@ sees her three homes and Aino's, and only
				// Aino's through the grant.
				all, err := tx.Sites(ctx, store.Scope{EmailNorm: "asiakas@demo.example", GranteeID: asiakas.ID})
				if err != nil {
					return err
				}
				caretaking, err := tx.Sites(ctx, store.Scope{EmailNorm: "-", GranteeID: asiakas.ID, CaretakerOnly: true})
				if err != nil {
					return err
				}
				if len(all) != 4 || len(caretaking) != 1 || caretaking[0].Site.City != "Lahti" {
					t.Errorf("asiakas sees %d homes, looks after %+v; want 4 and Aino's in Lahti", len(all), caretaking)
				}
				lahti := caretaking[0].Site
				g, err := tx.ActiveGrant(ctx, lahti.ID, asiakas.ID)
				if err != nil || g.Role != portal.GrantCaretaker || g.InvitedBy != aiti.ID {
					t.Errorf("the Lahti grant %+v, %v", g, err)
				}
				if own, err := tx.Sites(ctx, store.Scope{EmailNorm: "aiti@demo.example"}); err != nil || len(own) != 1 || own[0].Site.ID != lahti.ID {
					t.Errorf("aiti's own homes %d, %v", len(own), err)
				}
				// Aino's home has visits ahead, bills and messages, one
				// visit cancelled by Maija as caretaker and a message she wrote.
				var ahead, bills, msgs, byMaija int64
				for q, dst := range map[string]*int64{
					`SELECT count(*) FROM visits WHERE site_id = $1 AND status IN ('planned', 'confirmed')`:                                  &ahead,
					`SELECT count(*) FROM invoices WHERE site_id = $1`:                                                                       &bills,
					`SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.site_id = $1`:                              &msgs,
					`SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.site_id = $1 AND m.author_account_id = $2`: &byMaija,
				} {
					args := []any{lahti.ID}
					if dst == &byMaija {
						args = append(args, asiakas.ID)
					}
					if err := tx.QueryInt(ctx, q, dst, args...); err != nil {
						return err
					}
				}
				if ahead < 5 || bills < 5 || msgs < 4 || byMaija != 1 {
					t.Errorf("Aino's home: %d visits ahead, %d bills, %d messages (%d by Maija)", ahead, bills, msgs, byMaija)
				}
				cancelled := rows(t, db, `SELECT cancelled_by_account_id, cancelled_by_name, cancelled_by_role, starts_at FROM visits
					WHERE site_id = $1 AND status = 'cancelled_customer' AND starts_at > $2`, lahti.ID, testNow)
				if len(cancelled) != 1 || asInt(t, cancelled[0][0]) != asiakas.ID || fmt.Sprint(cancelled[0][1]) != "Maija Virtanen" ||
					fmt.Sprint(cancelled[0][2]) != "caretaker" {
					t.Errorf("visits Maija cancelled for Aino: %v", cancelled)
				}
				// toinen@'s pending invitation to uusi@, whose link the
				// demo names.
				pending, err := tx.GrantByTokenHash(ctx, sha256Of(InvitationToken))
				if err != nil || pending.EmailNorm != "uusi@demo.example" || pending.Role != portal.GrantFollower ||
					!pending.Pending(testNow) {
					t.Errorf("the pending invitation %+v, %v", pending, err)
				}
				if !strings.Contains(res.Accounts[len(res.Accounts)-2].Note, "/kutsu/"+InvitationToken) {
					t.Errorf("uusi@'s note does not give the invitation link: %+v", res.Accounts)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})

		t.Run("invoices", func(t *testing.T) {
			for _, r := range rows(t, db, `SELECT id, site_id, total_cents, is_credit_note, status, paid_on, issued_on, due_on FROM invoices`) {
				id := asInt(t, r[0])
				total, credit, status := asInt(t, r[2]), asBool(t, r[3]), fmt.Sprint(r[4])
				if credit != (total < 0) {
					t.Errorf("invoice %d: credit note %v with total %d", id, credit, total)
				}
				if (status == "open") != (r[5] == nil) {
					t.Errorf("invoice %d: status %s, paid %v", id, status, r[5])
				}
				if issued := asDate(t, r[6]); today.Before(issued) || asDate(t, r[7]).Before(issued) {
					t.Errorf("invoice %d: issued %v, due %v", id, issued, r[7])
				}
				if r[5] != nil && today.Before(asDate(t, r[5])) {
					t.Errorf("invoice %d paid in the future: %v", id, r[5])
				}
			}
			var sum = map[int64]int64{}
			lines := rows(t, db, `SELECT l.invoice_id, l.performed_on, l.vat_rate_bp, l.net_cents, l.vat_cents, l.total_cents,
					l.quantity_milli, l.unit_price_cents,
					EXISTS (SELECT 1 FROM contracts k WHERE k.site_id = i.site_id AND k.vat_free)
				FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id`)
			rates := map[int64]bool{}
			for _, r := range lines {
				inv, d, rate := asInt(t, r[0]), asDate(t, r[1]), asInt(t, r[2])
				net, vat, total, qty, unit := asInt(t, r[3]), asInt(t, r[4]), asInt(t, r[5]), asInt(t, r[6]), asInt(t, r[7])
				if want := portal.VATRateOn(d, asBool(t, r[8])); rate != int64(want) {
					t.Errorf("invoice %d line on %v: VAT %d, want %d", inv, d, rate, want)
				}
				if net != qty*unit/1000 || vat != portal.VATOf(net, int(rate)) || total != net+vat {
					t.Errorf("invoice %d line: %d × %d → net %d vat %d total %d", inv, qty, unit, net, vat, total)
				}
				rates[rate] = true
				sum[inv] += total
			}
			for _, rate := range []int64{portal.VATGeneral2013, portal.VATGeneral2024, portal.VATZero} {
				if !rates[rate] {
					t.Errorf("no line at VAT %d", rate)
				}
			}
			for _, r := range rows(t, db, `SELECT id, total_cents FROM invoices`) {
				if id := asInt(t, r[0]); sum[id] != asInt(t, r[1]) {
					t.Errorf("invoice %d: total %d, lines sum to %d", id, asInt(t, r[1]), sum[id])
				}
			}
			work := rows(t, db, `SELECT count(*) FROM invoice_lines WHERE is_work`)
			notWork := rows(t, db, `SELECT count(*) FROM invoice_lines WHERE NOT is_work`)
			if asInt(t, work[0][0]) == 0 || asInt(t, notWork[0][0]) == 0 {
				t.Error("want both work and non-work lines")
			}
			var lateDec, earlyJan, credit, open int
			for _, r := range rows(t, db, `SELECT issued_on, paid_on, is_credit_note, status FROM invoices`) {
				issued := asDate(t, r[0])
				if r[1] != nil && issued.Month == time.December {
					if paid := asDate(t, r[1]); paid.Year == issued.Year && paid.Month == time.December && paid.Day >= 20 {
						lateDec++
					} else if paid.Year == issued.Year+1 && paid.Month == time.January {
						earlyJan++
					}
				}
				if asBool(t, r[2]) {
					credit++
				}
				if fmt.Sprint(r[3]) == "open" {
					open++
				}
			}
			if lateDec == 0 || earlyJan == 0 || credit != 1 || open < 2 {
				t.Errorf("December paid in December %d, in January %d; credit notes %d; open %d", lateDec, earlyJan, credit, open)
			}
			first := rows(t, db, `SELECT min(period_start) FROM invoices`)
			if d := asDate(t, first[0][0]); d != portal.NewDate(2023, 1, 1) {
				t.Errorf("first invoiced month %v", d)
			}
		})

		t.Run("identity codes", func(t *testing.T) {
			got := rows(t, db, `SELECT name, identity_code_enc, share_bp FROM deduction_payers ORDER BY consent_id, position`)
			if len(got) != 3 {
				t.Fatalf("%d payers", len(got))
			}
			shares := map[string]int64{}
			for _, r := range got {
				enc := r[1].([]byte)
				plain, _ := reverse(enc)
				code := string(plain)
				if string(enc) == code {
					t.Errorf("identity code stored in clear")
				}
				if !validIdentityCode(code) {
					t.Errorf("%s: invalid identity code %s", r[0], code)
				}
				if nnn := code[7:10]; nnn < "900" || nnn > "999" {
					t.Errorf("%s: individual number %s outside the test range", r[0], nnn)
				}
				shares[fmt.Sprint(r[0])] = asInt(t, r[2])
			}
			if shares["Maija Virtanen"] != 5000 || shares["Matti Virtanen"] != 5000 || shares["Liisa Mäkinen"] != 10000 {
				t.Errorf("shares %v", shares)
			}
			for _, r := range rows(t, db, `SELECT enabled, migrated, text_version FROM deduction_consents`) {
				if !asBool(t, r[0]) || !asBool(t, r[1]) || fmt.Sprint(r[2]) != "2024-1" {
					t.Errorf("consent %v", r)
				}
			}
		})

		t.Run("messages and feedback", func(t *testing.T) {
			for _, r := range rows(t, db, `SELECT created_at, author_kind FROM messages`) {
				if !asTime(t, r[0]).Before(testNow) || (r[1] != "customer" && r[1] != "provider") {
					t.Errorf("message %v", r)
				}
			}
			perThread := rows(t, db, `SELECT thread_id, count(*) FROM messages GROUP BY thread_id`)
			if len(perThread) != 7 {
				t.Errorf("%d threads with messages, want 7", len(perThread))
			}
			fb := rows(t, db, `SELECT f.rating, v.status, f.reply, f.created_at, v.ends_at FROM feedback f
				LEFT JOIN visits v ON v.id = f.visit_id`)
			replies := 0
			for _, r := range fb {
				if r[1] != nil && (fmt.Sprint(r[1]) != "done" || !asTime(t, r[3]).After(asTime(t, r[4]))) {
					t.Errorf("feedback on a visit that is %v: %v", r[1], r)
				}
				if r[0] != nil && (asInt(t, r[0]) < 1 || asInt(t, r[0]) > 5) {
					t.Errorf("rating %v", r[0])
				}
				if fmt.Sprint(r[2]) != "" {
					replies++
				}
			}
			if replies == 0 {
				t.Error("no feedback with a provider reply")
			}
		})

		t.Run("second load", func(t *testing.T) {
			before := dump(t, db)
			_, err := Load(ctx, db, testOptions(testNow))
			if !errors.Is(err, portal.ErrConflict) || !errors.Is(err, ErrNotEmpty) {
				t.Fatalf("second Load: %v, want ErrNotEmpty", err)
			}
			if after := dump(t, db); after != before {
				t.Error("failed Load changed the database")
			}
		})

		t.Run("synthetic beside demo", func(t *testing.T) {
			if err := Synthetic(ctx, db, 3, testNow, nil); err != nil {
				t.Fatal(err)
			}
			c := counts(t, db)
			if c["providers"] != 3 || c["customers"] != 10 {
				t.Errorf("after Synthetic: %d providers, %d customers", c["providers"], c["customers"])
			}
		})
	})
}

// validIdentityCode checks a henkilötunnus' form and check character.
func validIdentityCode(s string) bool {
	if len(s) != 11 || !strings.ContainsRune("-A", rune(s[6])) {
		return false
	}
	var n int
	if _, err := fmt.Sscanf(s[:6]+s[7:10], "%d", &n); err != nil {
		return false
	}
	return hetuChecks[n%31] == s[10]
}

func TestLoadDeterministic(t *testing.T) {
	clock := storetest.NewClock(testNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		other := storetest.Open(t, db.Engine(), clock.Now)
		load(t, db, testNow)
		load(t, other, testNow)
		if a, b := dump(t, db), dump(t, other); a != b {
			t.Errorf("two loads differ:\n%s", firstDiff(a, b))
		}
	})
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return la[i] + "\n" + lb[i]
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(la), len(lb))
}

func TestLoadOptions(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	ok := testOptions(testNow)
	for name, opt := range map[string]Options{
		"no clock":   {HashPassword: ok.HashPassword, Encrypt: ok.Encrypt},
		"no hasher":  {Now: testNow, Encrypt: ok.Encrypt},
		"no sealer":  {Now: testNow, HashPassword: ok.HashPassword},
		"hash fails": {Now: testNow, HashPassword: func(string) (string, error) { return "", errors.New("boom") }, Encrypt: ok.Encrypt},
	} {
		if _, err := Load(context.Background(), db, opt); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
	if c := counts(t, db); c["accounts"]+c["providers"] != 0 {
		t.Errorf("a refused Load wrote rows: %v", c)
	}
}

// TestPlanAnyDay builds the plan for loading times around the year (no
// database) and checks the promises that depend on the day.
func TestPlanAnyDay(t *testing.T) {
	start := time.Date(2025, time.December, 1, 2, 30, 0, 0, portal.Helsinki)
	for d := 0; d < 400; d += 9 {
		now := start.AddDate(0, 0, d).Add(time.Duration(d%24) * time.Hour)
		p := newPlan(now)
		today := portal.DateOf(now)
		overdue := false
		for _, sp := range p.sites {
			var at2, at10 bool
			ids := map[string]bool{}
			for _, v := range sp.visits {
				day := portal.DateOf(v.StartsAt)
				at2 = at2 || day == today.AddDays(2)
				at10 = at10 || day == today.AddDays(10)
				if ids[v.ExternalID] {
					t.Fatalf("%v %s: duplicate visit id %s", now, sp.def.key, v.ExternalID)
				}
				ids[v.ExternalID] = true
				if v.Status == portal.VisitInProgress && (v.StartsAt.After(now) || !v.EndsAt.After(now)) {
					t.Errorf("%v %s: in progress %v–%v", now, sp.def.key, v.StartsAt, v.EndsAt)
				}
			}
			if !at2 || !at10 {
				t.Errorf("%v %s: visit at +2 %v, at +10 %v", now, sp.def.key, at2, at10)
			}
			nums := map[string]bool{}
			for _, inv := range sp.invoices {
				if nums[inv.Number] {
					t.Errorf("%v %s: duplicate invoice number %s", now, sp.def.key, inv.Number)
				}
				nums[inv.Number] = true
				if today.Before(inv.IssuedOn) || (!inv.PaidOn.IsZero() && today.Before(inv.PaidOn)) {
					t.Errorf("%v %s: invoice %s issued %v paid %v", now, sp.def.key, inv.Number, inv.IssuedOn, inv.PaidOn)
				}
			}
			if len(sp.invoices) == 0 {
				t.Errorf("%v %s: no invoices", now, sp.def.key)
			}
			for _, inv := range sp.invoices {
				overdue = overdue || inv.Status == portal.InvoiceOpen && inv.DueOn.Before(today)
			}
			for _, f := range sp.feedback {
				if !f.CreatedAt.Before(now) || (!f.RepliedAt.IsZero() && !f.RepliedAt.Before(now)) {
					t.Errorf("%v %s: feedback from the future %+v", now, sp.def.key, f)
				}
			}
		}
		if !overdue {
			t.Errorf("%v: no site has an overdue invoice", now)
		}
	}
}

func TestIdentityCode(t *testing.T) {
	tests := []struct {
		birth portal.Date
		nnn   int
		want  string
	}{
		{portal.NewDate(1952, time.October, 13), 308, "131052-308T"}, // the Population Register Centre's example
		{portal.NewDate(2001, time.July, 23), 944, "230701A944" + string(hetuChecks[230701944%31])},
	}
	for _, tt := range tests {
		if got := identityCode(tt.birth, tt.nnn); got != tt.want {
			t.Errorf("identityCode(%v, %d) = %s, want %s", tt.birth, tt.nnn, got, tt.want)
		}
	}
}

func TestBusinessID(t *testing.T) {
	if got := businessID(112038); got != "0112038-9" {
		t.Errorf("businessID(0112038) = %s, want 0112038-9", got)
	}
	for _, p := range demoProviders {
		id := businessID(p.idBase)
		var n, c int
		if _, err := fmt.Sscanf(id, "%07d-%d", &n, &c); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if want, ok := businessIDCheck(n); !ok || want != c {
			t.Errorf("%s: check digit %d, want %d (valid %v)", id, c, want, ok)
		}
	}
}

func TestSynthetic(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(testNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		var calls [][2]int
		progress := func(done, total int) { calls = append(calls, [2]int{done, total}) }
		// An interrupted run of 12 in batches of 8, then the full run of
		// 20: the second writes customers 1–12 again without adding rows.
		if err := synthetic(ctx, db, 1, 12, testNow, 8, progress); err != nil {
			t.Fatal(err)
		}
		if err := synthetic(ctx, db, 1, 20, testNow, 8, progress); err != nil {
			t.Fatal(err)
		}
		if want := [][2]int{{8, 12}, {12, 12}, {8, 20}, {16, 20}, {20, 20}}; !slices.Equal(calls, want) {
			t.Errorf("progress %v, want %v", calls, want)
		}
		n := int64(20)
		want := map[string]int64{"providers": 3, "customers": n, "sites": n, "contracts": n, "visits": n * syntheticVisits,
			"invoices": n * syntheticInvoices, "invoice_lines": 2 * n * syntheticInvoices, "threads": n,
			"messages": n * int64(len(syntheticMessages)), "accounts": 0}
		check := func() {
			t.Helper()
			got := counts(t, db)
			var total int64
			for table, w := range want {
				if got[table] != w {
					t.Errorf("%s: %d rows, want %d", table, got[table], w)
				}
				if table != "providers" {
					total += got[table]
				}
			}
			if total != n*int64(SyntheticRowsPerCustomer) {
				t.Errorf("%d rows, want %d per customer", total, SyntheticRowsPerCustomer)
			}
		}
		check()
		before := dump(t, db)
		if err := Synthetic(ctx, db, 20, testNow, nil); err != nil {
			t.Fatal(err)
		}
		check()
		// The test clock stands still, so even updated_at must match.
		if after := dump(t, db); after != before {
			t.Errorf("re-run changed data:\n%s", firstDiff(before, after))
		}
		var sawOpen bool
		for _, r := range rows(t, db, `SELECT status, email_norm FROM invoices i JOIN customers c ON c.id = i.customer_id
			WHERE c.external_id = 'syn-c-000007'`) {
			sawOpen = sawOpen || fmt.Sprint(r[0]) == "open"
			if fmt.Sprint(r[1]) != "asiakas-000007@synthetic.example" {
				t.Errorf("email %v", r[1])
			}
		}
		if !sawOpen {
			t.Error("synthetic customer has no open invoice")
		}
		if err := Synthetic(ctx, db, -1, testNow, nil); err == nil {
			t.Error("negative count accepted")
		}
	})
}

// TestBulkMatchesSingle checks the store's bulk writes (used by Synthetic)
// against the single-row methods they stand in for, across a chunk border.
func TestBulkMatchesSingle(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(testNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		const n = 70
		mk := func(prefix string, siteID int64, status portal.VisitStatus, lines int) ([]portal.Visit, []portal.Invoice) {
			var vs []portal.Visit
			var invs []portal.Invoice
			for i := range n {
				start := testNow.Add(time.Duration(i) * 24 * time.Hour).UTC()
				vs = append(vs, portal.Visit{SiteID: siteID, Source: "t", ExternalID: fmt.Sprintf("%s-v%d", prefix, i),
					StartsAt: start, EndsAt: start.Add(time.Hour), Status: status, Service: "S", WorkerFirstName: "Aino",
					PriceCents: int64(i), CustomerNote: "c", ProviderNote: "p"})
				inv := portal.Invoice{SiteID: siteID, Source: "t", ExternalID: fmt.Sprintf("%s-i%d", prefix, i),
					Number: fmt.Sprint(i), PeriodStart: portal.NewDate(2025, 1, 1), PeriodEnd: portal.NewDate(2025, 1, 31),
					IssuedOn: portal.NewDate(2025, 2, 3), DueOn: portal.NewDate(2025, 2, 17), Status: portal.InvoiceOpen}
				for j := range lines {
					inv.Lines = append(inv.Lines, line(fmt.Sprint(j), portal.NewDate(2025, 1, 10), 1000, 100, false, j == 0))
				}
				number(&inv)
				invs = append(invs, inv)
			}
			return vs, invs
		}
		var siteID, custID, threadID int64
		write := func(bulk bool, prefix string, status portal.VisitStatus, lines int) []int64 {
			var ids []int64
			err := db.Write(ctx, func(tx *store.Tx) error {
				vs, invs := mk(prefix, siteID, status, lines)
				for i := range invs {
					invs[i].CustomerID = custID
				}
				if bulk {
					if err := tx.UpsertVisits(ctx, vs); err != nil {
						return err
					}
					var err error
					ids, err = tx.UpsertInvoices(ctx, invs)
					return err
				}
				for _, v := range vs {
					if _, err := tx.UpsertVisit(ctx, v); err != nil {
						return err
					}
				}
				for _, inv := range invs {
					id, err := tx.UpsertInvoice(ctx, inv)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			p, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p", Name: "P", Active: true})
			if err != nil {
				return err
			}
			if custID, err = tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "c", Name: "C"}); err != nil {
				return err
			}
			if siteID, err = tx.UpsertSite(ctx, portal.Site{CustomerID: custID, ProviderID: p, Source: "t", ExternalID: "s",
				Street: "Katu 1"}); err != nil {
				return err
			}
			threadID, err = tx.EnsureThread(ctx, siteID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		single1 := write(false, "single", portal.VisitPlanned, 3)
		bulk1 := write(true, "bulk", portal.VisitPlanned, 3)
		single2 := write(false, "single", portal.VisitDone, 2)
		bulk2 := write(true, "bulk", portal.VisitDone, 2)
		if !slices.Equal(single1, single2) || !slices.Equal(bulk1, bulk2) || slices.Contains(bulk2, 0) {
			t.Errorf("invoice ids not stable: %v %v / %v %v", single1, single2, bulk1, bulk2)
		}
		table := func(prefix string) string {
			var b strings.Builder
			for _, r := range rows(t, db, `SELECT starts_at, ends_at, status, service, worker_first_name, price_cents,
					customer_note, provider_note, sequence, created_at, updated_at FROM visits
				WHERE external_id LIKE '`+prefix+`-%' ORDER BY starts_at`) {
				fmt.Fprintln(&b, r...)
			}
			for _, r := range rows(t, db, `SELECT i.number, i.total_cents, i.status, l.position, l.description, l.total_cents, l.is_work
				FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
				WHERE i.external_id LIKE '`+prefix+`-%' ORDER BY i.id, l.position`) {
				fmt.Fprintln(&b, r...)
			}
			return b.String()
		}
		if s, b := table("single"), table("bulk"); s != b {
			t.Errorf("bulk and single writes differ:\n%s", firstDiff(s, b))
		}
		if r := rows(t, db, `SELECT min(sequence), max(sequence) FROM visits`); asInt(t, r[0][0]) != 1 || asInt(t, r[0][1]) != 1 {
			t.Errorf("sequence after a status change: %v, want 1", r)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			msgs := []portal.Message{{AuthorKind: "customer", Body: "a"}, {AuthorKind: "provider", Body: "b"}}
			for i, want := range []bool{true, false} {
				if added, err := tx.SeedMessages(ctx, threadID, msgs); err != nil || added != want {
					t.Errorf("SeedMessages #%d: %v, %v; want %v", i+1, added, err, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := counts(t, db); c["messages"] != 2 || c["invoice_lines"] != 4*n {
			t.Errorf("%d messages, %d lines", c["messages"], c["invoice_lines"])
		}
	})
}

func sha256Of(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
