package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// adminViewer signs in the world's chain admin, second factor given.
func (w *world) adminViewer(t *testing.T) Viewer {
	t.Helper()
	v := w.signIn(t, "admin@example.fi")
	v.SecondFactor = true
	return v
}

// auditCount counts the audit entries of an action.
func auditCount(t *testing.T, db *store.DB, action string) int64 {
	t.Helper()
	var n int64
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = $1`, &n, action)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsoleRefusesOthers: every console use case answers
// portal.ErrNotFound to a customer, to staff, and to an admin who has not
// given the second factor; nothing is written.
func TestConsoleRefusesOthers(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		w, _, _ := accountsWorld(t, db, clock)
		ctx := context.Background()
		staff := w.signIn(t, "staff@example.fi")
		staff.SecondFactor = true
		half := w.signIn(t, "admin@example.fi") // no second factor yet
		pA := w.providers["A"]
		calls := map[string]func(v Viewer) error{
			"providers":  func(v Viewer) error { _, err := w.app.ConsoleProviders(ctx, v); return err },
			"provider":   func(v Viewer) error { _, err := w.app.ConsoleProvider(ctx, v, pA); return err },
			"create":     func(v Viewer) error { _, err := w.app.CreateProvider(ctx, v, ProviderInput{Name: "X Oy"}); return err },
			"update":     func(v Viewer) error { return w.app.UpdateProvider(ctx, v, pA, ProviderInput{Name: "X Oy"}) },
			"deactivate": func(v Viewer) error { return w.app.SetProviderActive(ctx, v, pA, false) },
			"invite": func(v Viewer) error {
				_, err := w.app.InviteStaff(ctx, v, pA, "matti@example.fi", "Matti", "fi")
				return err
			},
			"staff off": func(v Viewer) error { return w.app.SetStaffActive(ctx, v, pA, 1, false) },
			"mfa reset": func(v Viewer) error { return w.app.ResetStaffSecondFactor(ctx, v, pA, 1) },
			"policies":  func(v Viewer) error { _, err := w.app.ConsoleChainPolicies(ctx, v); return err },
			"policies set": func(v Viewer) error {
				_, err := w.app.ChangeChainPoliciesAsAdmin(ctx, v, ChainPolicyForm{})
				return err
			},
			"rules":     func(v Viewer) error { _, err := w.app.ConsoleDeductionRules(ctx, v); return err },
			"rule set":  func(v Viewer) error { _, err := w.app.SaveDeductionRule(ctx, v, RuleForm{}); return err },
			"feedback":  func(v Viewer) error { _, _, err := w.app.PortalFeedbackInbox(ctx, v, 1); return err },
			"audit log": func(v Viewer) error { _, err := w.app.AuditLog(ctx, v, AuditQuery{}); return err },
		}
		for who, v := range map[string]Viewer{"customer": w.signIn(t, "maija@example.fi"), "staff": staff, "admin without second factor": half} {
			for name, call := range calls {
				if err := call(v); !errors.Is(err, portal.ErrNotFound) {
					t.Errorf("%s as %s: %v, want ErrNotFound", name, who, err)
				}
			}
		}
		var n int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT COUNT(*) FROM providers WHERE name = 'X Oy' OR NOT active`, &n)
		})
		if n != 0 || auditCount(t, db, "staff.add") != 0 {
			t.Error("a refused call wrote something")
		}
	})
}

func TestConsoleProviders(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		w, _, _ := accountsWorld(t, db, clock)
		ctx := context.Background()
		v := w.adminViewer(t)
		for _, tc := range []struct {
			in   ProviderInput
			want map[string]string
		}{
			{ProviderInput{}, map[string]string{"name": "error.provider.name"}},
			{ProviderInput{Name: strings.Repeat("ä", MaxProviderName+1)}, map[string]string{"name": "error.provider.nameLong"}},
			{ProviderInput{Name: "A", BusinessID: "1234567-8"}, map[string]string{"business_id": "error.provider.businessId"}},
			{ProviderInput{Name: "A", Phone: "040 123 456 789 012 345"}, map[string]string{"phone": "error.provider.phone"}},
			{ProviderInput{Name: "A", Phone: "soita"}, map[string]string{"phone": "error.provider.phone"}},
			{ProviderInput{Name: "A", Email: "a@b"}, map[string]string{"provider_email": "error.provider.email"}},
			{ProviderInput{Name: "A", City: strings.Repeat("x", 101)}, map[string]string{"city": "error.provider.cityLong"}},
		} {
			_, err := w.app.CreateProvider(ctx, v, tc.in)
			var bad InvalidInput
			if !errors.As(err, &bad) || len(bad) != len(tc.want) {
				t.Errorf("%+v: %v, want %v", tc.in, err, tc.want)
				continue
			}
			for f, k := range tc.want {
				if bad.Field(f) != k {
					t.Errorf("%+v: %s = %q, want %q", tc.in, f, bad.Field(f), k)
				}
			}
		}
		id, err := w.app.CreateProvider(ctx, v, ProviderInput{Name: " Siisti Koti Oy ", BusinessID: "0112038-9", City: "Turku",
			Phone: "+358 2 123 4567", Email: " toimisto@siisti.example "})
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.app.ConsoleProvider(ctx, v, id)
		p := d.Provider
		if err != nil || p.Name != "Siisti Koti Oy" || p.Source != PortalSource || !strings.HasPrefix(p.ExternalID, "p-") || !p.Active ||
			p.Email != "toimisto@siisti.example" {
			t.Errorf("created %+v, %v", p, err)
		}
		if err := w.app.UpdateProvider(ctx, v, id, ProviderInput{Name: "Siisti Koti Oy", City: "Raisio"}); err != nil {
			t.Fatal(err)
		}
		if err := w.app.UpdateProvider(ctx, v, 999999, ProviderInput{Name: "X"}); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("update unknown: %v", err)
		}
		list, err := w.app.ConsoleProviders(ctx, v)
		if err != nil || len(list) != 3 {
			t.Fatalf("list %+v, %v", list, err)
		}
		for _, r := range list {
			if r.ID == w.providers["A"] && (r.Staff != 1 || r.Sites != 3) { // koti, matti and accountsWorld's uusi
				t.Errorf("provider A counts: %+v", r)
			}
			if r.ID == id && (r.City != "Raisio" || r.BusinessID != "") {
				t.Errorf("updated provider: %+v", r)
			}
		}
		// Deactivating provider A takes its staff's role away; reactivating
		// gives it back.
		if err := w.app.SetProviderActive(ctx, v, w.providers["A"], false); err != nil {
			t.Fatal(err)
		}
		if s := w.signIn(t, "staff@example.fi"); s.Role != portal.RoleCustomer {
			t.Errorf("staff of an inactive provider: %s", s.Role)
		}
		if err := w.app.SetProviderActive(ctx, v, w.providers["A"], true); err != nil {
			t.Fatal(err)
		}
		if s := w.signIn(t, "staff@example.fi"); s.Role != portal.RoleStaff {
			t.Errorf("staff of a reactivated provider: %s", s.Role)
		}
		for action, want := range map[string]int64{"provider.create": 1, "provider.update": 1, "provider.deactivate": 1, "provider.reactivate": 1} {
			if n := auditCount(t, db, action); n != want {
				t.Errorf("%s audited %d times, want %d", action, n, want)
			}
		}
	})
}

// TestStaffInvites: an address with a verified account becomes staff at
// once; another gets a mail and becomes staff when it verifies its
// sign-up, in the same transaction; a deactivated member is no staff.
func TestStaffInvites(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		w, m, _ := accountsWorld(t, db, clock)
		ctx := context.Background()
		v := w.adminViewer(t)
		pB := w.providers["B"]
		for _, tc := range []struct{ email, name, field, key string }{
			{"", "Matti", "email", "error.staff.email"},
			{"matti(at)example.fi", "Matti", "email", "error.staff.email"},
			{"matti@example.fi", " ", "name", "error.staff.name"},
			{"matti@example.fi", strings.Repeat("n", MaxStaffName+1), "name", "error.staff.nameLong"},
			{"staff@example.fi", "Sari", "email", "error.staff.elsewhere"}, // active staff of A
		} {
			_, err := w.app.InviteStaff(ctx, v, pB, tc.email, tc.name, "fi")
			var bad InvalidInput
			if !errors.As(err, &bad) || bad.Field(tc.field) != tc.key {
				t.Errorf("invite %q %q: %v, want %s", tc.email, tc.name, err, tc.key)
			}
		}
		if _, err := w.app.InviteStaff(ctx, v, 999999, "matti@example.fi", "Matti", "fi"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("unknown provider: %v", err)
		}
		added, err := w.app.InviteStaff(ctx, v, pB, " MATTI@example.fi", "Matti", "fi")
		if err != nil || !added {
			t.Fatalf("invite matti: %v %v", added, err)
		}
		if s := w.signIn(t, "matti@example.fi"); s.Role != portal.RoleStaff || s.ProviderID != pB {
			t.Errorf("matti: %s of %d", s.Role, s.ProviderID)
		}
		// A new address: invitation mail, no account yet.
		added, err = w.app.InviteStaff(ctx, v, pB, "Ulla@Example.fi", "Ulla", "sv")
		if err != nil || added {
			t.Fatalf("invite ulla: %v %v", added, err)
		}
		mail := m.last(t, "staff_invite", "Ulla@Example.fi")
		if mail.data["provider"] != "Tuottaja B" || mail.lang != "sv" {
			t.Errorf("invitation mail %+v", mail)
		}
		// Inviting again replaces the open invitation (one per address).
		if _, err := w.app.InviteStaff(ctx, v, pB, "ulla@example.fi", "Ulla U.", "fi"); err != nil {
			t.Fatal(err)
		}
		d, _ := w.app.ConsoleProvider(ctx, v, pB)
		if len(d.Invites) != 1 || d.Invites[0].Name != "Ulla U." {
			t.Errorf("open invitations %+v", d.Invites)
		}
		tok, err := w.app.SignUp(ctx, "ulla@example.fi", newPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		pend, _ := w.app.Authenticate(ctx, tok)
		if pend.Role != portal.RoleCustomer {
			t.Errorf("an unverified claim on an invited address is %s", pend.Role)
		}
		code := m.last(t, "signup_code", "ulla@example.fi").data["code"]
		tok, err = w.app.VerifySignup(ctx, pend, code, Client{})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := w.app.Authenticate(ctx, tok)
		if u.Role != portal.RoleStaff || u.ProviderID != pB {
			t.Errorf("ulla after verifying: %s of %d", u.Role, u.ProviderID)
		}
		d, _ = w.app.ConsoleProvider(ctx, v, pB)
		if len(d.Invites) != 0 || len(d.Staff) != 2 {
			t.Fatalf("after acceptance: %d invitations, %d staff", len(d.Invites), len(d.Staff))
		}
		var ulla portal.StaffMember
		for _, s := range d.Staff {
			if s.Email == "ulla@example.fi" {
				ulla = s
			}
		}
		if ulla.Name != "Ulla U." || !ulla.Active {
			t.Errorf("ulla's staff row %+v", ulla)
		}
		// Deactivated: a customer on the next request; the id must be the
		// provider's; reactivated: staff again.
		if err := w.app.SetStaffActive(ctx, v, w.providers["A"], ulla.ID, false); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("switch through another provider: %v", err)
		}
		if err := w.app.SetStaffActive(ctx, v, pB, ulla.ID, false); err != nil {
			t.Fatal(err)
		}
		if u, _ := w.app.Authenticate(ctx, tok); u.Role != portal.RoleCustomer {
			t.Errorf("deactivated staff: %s", u.Role)
		}
		if _, err := w.app.ProviderVisits(ctx, func() Viewer { u, _ := w.app.Authenticate(ctx, tok); return u }(), ScheduleQuery{}); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("deactivated staff reads provider visits: %v", err)
		}
		if err := w.app.SetStaffActive(ctx, v, pB, ulla.ID, true); err != nil {
			t.Fatal(err)
		}
		if u, _ := w.app.Authenticate(ctx, tok); u.Role != portal.RoleStaff {
			t.Errorf("reactivated staff: %s", u.Role)
		}
		for action, want := range map[string]int64{"staff.add": 1, "staff.invite": 2, "staff.invite_accepted": 1, "staff.deactivate": 1, "staff.reactivate": 1} {
			if n := auditCount(t, db, action); n != want {
				t.Errorf("%s audited %d times, want %d", action, n, want)
			}
		}
		// An inactive provider takes no invitations.
		if err := w.app.SetProviderActive(ctx, v, pB, false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.InviteStaff(ctx, v, pB, "uusi2@example.fi", "Uusi", "fi"); err == nil {
			t.Error("an inactive provider took an invitation")
		}
	})
}

func TestConsolePoliciesAndRules(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		w, _, _ := accountsWorld(t, db, clock)
		ctx := context.Background()
		v := w.adminViewer(t)
		good := ChainPolicyForm{CancelDeadlineDays: " 3 ", LateFeePercent: "50 %", LegacyCutover: "1.12.2026", LegacyRetirement: "2027-06-01",
			OrderServiceURL: "https://tilaa.example/"}
		for _, tc := range []struct {
			change      func(f *ChainPolicyForm)
			field, want string
		}{
			{func(f *ChainPolicyForm) { f.CancelDeadlineDays = "kolme" }, "cancel_deadline_days", "error.policy.deadline"},
			{func(f *ChainPolicyForm) { f.CancelDeadlineDays = "61" }, "cancel_deadline_days", "error.policy.deadline"},
			{func(f *ChainPolicyForm) { f.LateFeePercent = "101" }, "late_fee_percent", "error.policy.fee"},
			{func(f *ChainPolicyForm) { f.LegacyCutover = "huomenna" }, "legacy_cutover", "error.policy.date"},
			{func(f *ChainPolicyForm) { f.LegacyRetirement = "1.1.2026" }, "legacy_retirement", "error.policy.legacyDates"},
			{func(f *ChainPolicyForm) { f.OrderServiceURL = "tilaa.example" }, "order_service_url", "error.policy.url"},
		} {
			f := good
			tc.change(&f)
			_, err := w.app.ChangeChainPoliciesAsAdmin(ctx, v, f)
			var bad InvalidInput
			if !errors.As(err, &bad) || bad.Field(tc.field) != tc.want {
				t.Errorf("%+v: %v, want %s", f, err, tc.want)
			}
		}
		p, err := w.app.ChangeChainPoliciesAsAdmin(ctx, v, good)
		if err != nil || p.CancelDeadlineDays != 3 || p.LateFeePercent != 50 || p.LegacyCutover != portal.NewDate(2026, 12, 1) ||
			p.OrderServiceURL != "https://tilaa.example/" {
			t.Errorf("policies %+v, %v", p, err)
		}
		if n := auditCount(t, db, "policies.change"); n != 1 {
			t.Errorf("policy changes audited %d times", n)
		}

		for _, tc := range []struct {
			f           RuleForm
			field, want string
		}{
			{RuleForm{Year: "1999", WorkType: "household", RatePercent: "35", MaxEuros: "1600", OmavastuuEuros: "150"}, "year", "error.rule.year"},
			{RuleForm{Year: "2027", WorkType: "Household", RatePercent: "35", MaxEuros: "1600", OmavastuuEuros: "150"}, "work_type", "error.rule.workType"},
			{RuleForm{Year: "2027", WorkType: "household", RatePercent: "0", MaxEuros: "1600", OmavastuuEuros: "150"}, "rate", "error.rule.rate"},
			{RuleForm{Year: "2027", WorkType: "household", RatePercent: "35,123", MaxEuros: "1600", OmavastuuEuros: "150"}, "rate", "error.rule.rate"},
			{RuleForm{Year: "2027", WorkType: "household", RatePercent: "35", MaxEuros: "0", OmavastuuEuros: "150"}, "max", "error.rule.max"},
			{RuleForm{Year: "2027", WorkType: "household", RatePercent: "35", MaxEuros: "1600", OmavastuuEuros: "-1"}, "omavastuu", "error.rule.omavastuu"},
		} {
			_, err := w.app.SaveDeductionRule(ctx, v, tc.f)
			var bad InvalidInput
			if !errors.As(err, &bad) || bad.Field(tc.field) != tc.want {
				t.Errorf("%+v: %v, want %s", tc.f, err, tc.want)
			}
		}
		r, err := w.app.SaveDeductionRule(ctx, v, RuleForm{Year: "2027", WorkType: "household", RatePercent: "35,5", MaxEuros: "1 600,00 €",
			OmavastuuEuros: "150"})
		if err != nil || r != (portal.DeductionRule{Year: 2027, WorkType: "household", RateBP: 3550, MaxCents: 160000, OmavastuuCents: 15000}) {
			t.Errorf("rule %+v, %v", r, err)
		}
		if _, err := w.app.SaveDeductionRule(ctx, v, RuleForm{Year: "2027", WorkType: "household", RatePercent: "40", MaxEuros: "1600",
			OmavastuuEuros: "100"}); err != nil {
			t.Fatal(err)
		}
		rules, _ := w.app.ConsoleDeductionRules(ctx, v)
		found := 0
		for _, ru := range rules {
			if ru.Year == 2027 && ru.WorkType == "household" {
				found++
				if ru.RateBP != 4000 || ru.OmavastuuCents != 10000 {
					t.Errorf("replaced rule %+v", ru)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d rules for 2027 household", found)
		}
		if n := auditCount(t, db, "deduction_rule.set"); n != 2 {
			t.Errorf("rules audited %d times", n)
		}
	})
}

func TestParseHundredths(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"35", 3500, true}, {"35,5", 3550, true}, {"35.55", 3555, true}, {"1 600", 160000, true}, {"1\u00a0600,00 €", 160000, true},
		{"0", 0, true}, {"35 %", 3500, true}, {"", 0, false}, {"-1", 0, false}, {"1,234", 0, false}, {"1.2.3", 0, false},
		{"abc", 0, false}, {",5", 0, false}, {"9999999999", 0, false},
	} {
		got, ok := parseHundredths(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseHundredths(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestConsoleFeedbackAndAudit: the inbox pages newest first; the audit log
// filters and pages; both reads are audited.
func TestConsoleFeedbackAndAudit(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		w, _, _ := accountsWorld(t, db, clock)
		ctx := context.Background()
		v := w.adminViewer(t)
		for i := range ConsolePageSize + 2 {
			clock.Advance(time.Second)
			if err := w.app.GivePortalFeedback(ctx, nil, PortalFeedbackInput{Message: "palaute " + strings.Repeat("x", i)}); err != nil {
				t.Fatal(err)
			}
		}
		list, more, err := w.app.PortalFeedbackInbox(ctx, v, 1)
		if err != nil || len(list) != ConsolePageSize || !more || list[0].Message != "palaute "+strings.Repeat("x", ConsolePageSize+1) {
			t.Fatalf("inbox page 1: %d rows, more %v, %v", len(list), more, err)
		}
		list, more, _ = w.app.PortalFeedbackInbox(ctx, v, 2)
		if len(list) != 2 || more || list[1].Message != "palaute" {
			t.Errorf("inbox page 2: %d rows, more %v", len(list), more)
		}
		if n := auditCount(t, db, "portal_feedback.view"); n != 2 {
			t.Errorf("inbox reads audited %d times", n)
		}

		staff := w.signIn(t, "staff@example.fi")
		clock.Set(t0.Add(48 * time.Hour)) // two days later
		if _, err := w.app.Site(ctx, staff, w.sites["koti"]); err != nil {
			t.Fatal(err)
		}
		var koti int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT customer_id FROM sites WHERE id = $1`, &koti, w.sites["koti"])
		})
		views := func(q AuditQuery) int {
			t.Helper()
			pg, err := w.app.AuditLog(ctx, v, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			n := 0
			for _, r := range pg.Rows {
				if r.Action == "site.view" {
					n++
					if r.ActorEmail != "staff@example.fi" || r.CustomerName != "koti" {
						t.Errorf("row %+v", r)
					}
				}
			}
			return n
		}
		for q, want := range map[AuditQuery]int{
			{}: 1, {Actor: "STAFF@"}: 1, {Actor: "admin@"}: 0, {Customer: "KOT"}: 1, {Customer: "matti"}: 0,
			{Customer: itoa(koti)}: 1, {From: fiDate(t0.AddDate(0, 0, 2))}: 1, {Until: fiDate(t0.AddDate(0, 0, 1))}: 0,
			{From: isoDate(t0), Until: isoDate(t0.AddDate(0, 0, 2))}: 1,
		} {
			if got := views(q); got != want {
				t.Errorf("%+v: %d site views, want %d", q, got, want)
			}
		}
		for q, field := range map[AuditQuery]string{{From: "eilen"}: "from", {Until: "32.1.2026"}: "until",
			{From: "2026-12-01", Until: "2026-11-01"}: "until", {Actor: strings.Repeat("a", 300)}: "actor"} {
			_, err := w.app.AuditLog(ctx, v, q)
			var bad InvalidInput
			if !errors.As(err, &bad) || bad.Field(field) == "" {
				t.Errorf("%+v: %v, want an error on %s", q, err, field)
			}
		}
		// Paging: newest first, ConsolePageSize a page.
		db.Write(ctx, func(tx *store.Tx) error {
			for range ConsolePageSize {
				if err := tx.Audit(ctx, store.AuditEntry{ActorRole: "cli", Action: "import.legacy"}); err != nil {
					return err
				}
			}
			return nil
		})
		pg, _ := w.app.AuditLog(ctx, v, AuditQuery{})
		if pg2, _ := w.app.AuditLog(ctx, v, AuditQuery{Page: 2}); len(pg2.Rows) == 0 || pg2.Page != 2 {
			t.Errorf("second page: %d rows", len(pg2.Rows))
		}
		if !pg.More || len(pg.Rows) != ConsolePageSize || pg.Rows[0].Action != "import.legacy" || pg.Rows[0].At.Before(pg.Rows[ConsolePageSize-1].At) {
			t.Errorf("first page: more %v, %d rows, first %+v", pg.More, len(pg.Rows), pg.Rows[0])
		}
		var withCustomer int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit_log.view' AND customer_id = $1`, &withCustomer, koti)
		})
		if withCustomer != 1 {
			t.Errorf("log views filtered by the customer audited with it: %d", withCustomer)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
