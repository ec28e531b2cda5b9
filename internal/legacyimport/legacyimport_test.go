package legacyimport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is when the import tests run (the suites' clock).
var t0 = storetest.Start()

// cheap are argon2id parameters that make the tests' hashing fast.
var cheap = app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}

// testApp is the portal (to sign in after an import) with the importer
// that shares its hasher and sealer.
type testApp struct {
	*app.App
	hasher *app.Hasher
	in     Importer
}

// ImportLegacy runs the importer.
func (a testApp) ImportLegacy(ctx context.Context, x *legacy.Export, opt Options) (*Report, error) {
	return a.in.Import(ctx, x, opt)
}

// importApp is an App and an Importer with a cheap hasher and a sealer, for
// import tests.
func importApp(t testing.TB, db *store.DB, clock *storetest.Clock) (testApp, *app.Sealer) {
	t.Helper()
	sealer, err := app.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	h := app.NewHasher(cheap)
	return testApp{App: app.New(db, h, nil, app.WithSealer(sealer)), hasher: h,
		in: Importer{DB: db, Hasher: h, Sealer: sealer}}, sealer
}

func readExport(t testing.TB, path string) *legacy.Export {
	t.Helper()
	x, err := legacy.ReadPath(path)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func refusals(rep *Report) []string {
	var out []string
	for _, e := range rep.Refused {
		out = append(out, e.Error())
	}
	return out
}

func queryInt(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryInt(context.Background(), q, &n, args...) }); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestImportRefusalFixtures imports every hand-written refusal fixture and
// compares the refused rows with the fixture's want.txt; the good rows of
// the same files are imported.
func TestImportRefusalFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("../legacy/testdata/refused/*")
	if len(dirs) < 8 {
		t.Fatalf("found %d fixtures", len(dirs))
	}
	clock := storetest.NewClock(t0)
	for _, e := range storetest.Engines() {
		for _, dir := range dirs {
			t.Run(string(e)+"/"+filepath.Base(dir), func(t *testing.T) {
				db := storetest.Open(t, e, clock.Now)
				a, _ := importApp(t, db, clock)
				b, err := os.ReadFile(filepath.Join(dir, "want.txt"))
				if err != nil {
					t.Fatal(err)
				}
				want := strings.Split(strings.TrimSpace(string(b)), "\n")
				x, err := legacy.ReadPath(dir)
				if err != nil {
					var fe *legacy.FileError
					if !errors.As(err, &fe) || err.Error() != want[0] {
						t.Errorf("error %v, want %q", err, want[0])
					}
					return
				}
				rep, err := a.ImportLegacy(context.Background(), x, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if got := refusals(rep); !slices.Equal(got, want) {
					t.Errorf("refused\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				refused, inserted := 0, 0
				for _, c := range rep.Counts {
					refused += c.Refused
					inserted += c.Inserted
				}
				if refused != len(want) {
					t.Errorf("%d refused in the counts, want %d", refused, len(want))
				}
				// The good rows of the same files are in.
				if inserted == 0 {
					t.Errorf("nothing imported")
				}
				switch filepath.Base(dir) {
				case "windows-1252":
					if n := queryInt(t, db, `SELECT count(*) FROM customers WHERE name = $1`, "Åke Öster"); n != 1 {
						t.Errorf("converted Windows-1252 customer: %d rows", n)
					}
				case "bad-payment":
					// The good rows carry their payment details in electronic form.
					if n := queryInt(t, db, `SELECT count(*) FROM providers WHERE external_id = 'P1' AND iban = 'FI2112345600000785' AND bic = 'OKOYFIHH'`); n != 1 {
						t.Errorf("provider with an IBAN: %d rows", n)
					}
					for ext, ref := range map[string]string{"I1": "1234561", "I3": "RF18539007547034", "I4": ""} {
						if n := queryInt(t, db, `SELECT count(*) FROM invoices WHERE external_id = $1 AND reference = $2`, ext, ref); n != 1 {
							t.Errorf("invoice %s with reference %q: %d rows", ext, ref, n)
						}
					}
				case "bad-money":
					if n := queryInt(t, db, `SELECT count(*) FROM contracts WHERE external_id = 'K1' AND price_cents = 123450`); n != 1 {
						t.Errorf("good contract next to garbled ones: %d rows", n)
					}
				}
			})
		}
	}
}

// importTables are the tables an import writes, with their change time.
var importTables = []string{"providers", "customers", "sites", "contracts", "invoices", "feedback", "deduction_consents",
	"legacy_credentials"}

// TestImportLegacy: a first import inserts everything; the same export
// again (also in its JSON form) changes nothing and writes nothing; a
// changed row is updated; the records are visible to the verified account
// with the same email at once; credentials are stored only wrapped.
func TestImportLegacy(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, sealer := importApp(t, db, clock)
		// A verified account with the first customer's address, in another
		// case, before the import.
		pw, _ := a.hasher.Hash(ctx, "oikea-salasana-123")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateAccount(ctx, portal.Account{Email: "maija.makinen@example.fi", PasswordHash: pw, VerifiedAt: tx.Now()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.SignIn(ctx, "maija.makinen@example.fi", "oikea-salasana-123", app.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := a.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if sums, _ := a.Overview(ctx, v); len(sums) != 0 {
			t.Fatalf("sees %d sites before the import", len(sums))
		}

		x := readExport(t, "../legacy/testdata/good")
		rep, err := a.ImportLegacy(ctx, x, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[legacy.Kind]Counts{
			legacy.Providers: {Inserted: 1}, legacy.Customers: {Inserted: 2}, legacy.Sites: {Inserted: 2},
			legacy.Contracts: {Inserted: 2}, legacy.Credentials: {Inserted: 2}, legacy.Invoices: {Inserted: 2},
			legacy.InvoiceLines: {Inserted: 3}, legacy.Feedback: {Inserted: 1}, legacy.Consents: {Inserted: 1},
			legacy.Payers: {Inserted: 2},
		}
		checkCounts(t, "first import", rep, want)
		if rep.RunID == 0 || rep.Hashed != 2 {
			t.Errorf("run %d, hashed %d", rep.RunID, rep.Hashed)
		}
		// Visible at once to the verified account with the same email.
		sums, err := a.Overview(ctx, v)
		if err != nil || len(sums) != 1 || sums[0].Site.ExternalID != "S1" {
			t.Fatalf("overview after import: %v, %v", sums, err)
		}
		// Money: 6 h × 29,90 + 25,5 % VAT and 2 × 5,00 + VAT.
		if n := queryInt(t, db, `SELECT total_cents FROM invoices WHERE external_id = 'I1'`); n != 17940+4575+1000+255 {
			t.Errorf("invoice total %d", n)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.external_id = 'I1'`); n != 2 {
			t.Errorf("%d lines", n)
		}
		checkCredentials(t, a, db)
		checkPayers(t, db, sealer)
		runs := queryInt(t, db, `SELECT count(*) FROM import_runs WHERE finished_at IS NOT NULL AND checksum = $1`, x.Checksum)
		if runs != 1 {
			t.Errorf("%d finished runs with the checksum", runs)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM audit_log WHERE action = 'import.legacy'`); n != 1 {
			t.Errorf("%d audit entries", n)
		}

		// The same export again, and its JSON form: all unchanged, nothing
		// written (no row touched, no run recorded).
		first := clock.Now()
		clock.Advance(time.Hour)
		for _, path := range []string{"../legacy/testdata/good", "../legacy/testdata/good.json"} {
			rep, err = a.ImportLegacy(ctx, readExport(t, path), Options{})
			if err != nil {
				t.Fatal(err)
			}
			unchanged := map[legacy.Kind]Counts{}
			for k, c := range want {
				unchanged[k] = Counts{Unchanged: c.Inserted}
			}
			checkCounts(t, "re-import "+path, rep, unchanged)
			if rep.RunID != 0 || rep.Changed() || rep.Hashed != 0 {
				t.Errorf("re-import %s: run %d, hashed %d", path, rep.RunID, rep.Hashed)
			}
			for _, table := range append(importTables, "import_rows") {
				if n := queryInt(t, db, `SELECT count(*) FROM `+table+` WHERE updated_at > $1`, first); n != 0 {
					t.Errorf("re-import %s: %d rows of %s written", path, n, table)
				}
			}
			if n := queryInt(t, db, `SELECT count(*) FROM import_runs`); n != 1 {
				t.Errorf("re-import %s: %d runs recorded", path, n)
			}
		}

		// A changed customer and a changed line: those and only those.
		x = readExport(t, "../legacy/testdata/good")
		x.Customers[1].Name = "Matti Järvinen-Korhonen"
		x.InvoiceLines[1].UnitPriceCents = 600
		x.Credentials[1].Username = "matti.j"
		rep, err = a.ImportLegacy(ctx, x, Options{})
		if err != nil {
			t.Fatal(err)
		}
		changedWant := map[legacy.Kind]Counts{
			legacy.Providers: {Unchanged: 1}, legacy.Customers: {Updated: 1, Unchanged: 1}, legacy.Sites: {Unchanged: 2},
			legacy.Contracts: {Unchanged: 2}, legacy.Credentials: {Updated: 1, Unchanged: 1}, legacy.Invoices: {Updated: 1, Unchanged: 1},
			legacy.InvoiceLines: {Updated: 2, Unchanged: 1}, legacy.Feedback: {Unchanged: 1}, legacy.Consents: {Unchanged: 1},
			legacy.Payers: {Unchanged: 2},
		}
		checkCounts(t, "changed rows", rep, changedWant)
		if n := queryInt(t, db, `SELECT count(*) FROM customers WHERE name = $1`, "Matti Järvinen-Korhonen"); n != 1 {
			t.Errorf("customer not updated")
		}
		if n := queryInt(t, db, `SELECT total_cents FROM invoices WHERE external_id = 'I1'`); n != 17940+4575+1200+306 {
			t.Errorf("invoice total after change %d", n)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM legacy_credentials WHERE username_norm = 'matti.j'`); n != 1 {
			t.Errorf("credential not updated")
		}
		if n := queryInt(t, db, `SELECT count(*) FROM import_runs`); n != 2 {
			t.Errorf("%d runs, want 2", n)
		}
	})
}

func checkCounts(t *testing.T, what string, rep *Report, want map[legacy.Kind]Counts) {
	t.Helper()
	for _, k := range legacy.Kinds {
		if got := *rep.Counts[k]; got != want[k] {
			t.Errorf("%s: %s %+v, want %+v", what, k, got, want[k])
		}
	}
	if len(rep.Refused) != 0 {
		t.Errorf("%s: refused %v", what, refusals(rep))
	}
}

// checkCredentials: the stored value is argon2id of the legacy hash, which
// the legacy password recomputes.
func checkCredentials(t *testing.T, a testApp, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []struct{ user, password string }{{"maija.m", "vanha-salasana"}, {"mattij", "toinen-salasana"}} {
		var s store.LegacySignIn
		err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			s, err = tx.LegacySignInByUsername(ctx, c.user)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", c.user, err)
		}
		cr := s.Credential
		if !strings.HasPrefix(cr.WrappedHash, "$argon2id$") || strings.Contains(cr.WrappedHash, cr.Params) {
			t.Errorf("%s: stored %q", c.user, cr.WrappedHash)
		}
		canonical, err := legacy.Hash(cr.Algorithm, cr.Params, c.password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.hasher.Check(ctx, cr.WrappedHash, canonical); err != nil {
			t.Errorf("%s: the legacy password does not check: %v", c.user, err)
		}
		wrong, _ := legacy.Hash(cr.Algorithm, cr.Params, c.password+"x")
		if _, err := a.hasher.Check(ctx, cr.WrappedHash, wrong); !errors.Is(err, app.ErrPasswordMismatch) {
			t.Errorf("%s: a wrong password checks: %v", c.user, err)
		}
	}
}

// checkPayers: identity codes are sealed, and open to the codes given.
func checkPayers(t *testing.T, db *store.DB, sealer *app.Sealer) {
	t.Helper()
	ctx := context.Background()
	var codes []string
	err := db.Read(ctx, func(tx *store.Tx) error {
		cid := int64(0)
		if err := tx.QueryInt(ctx, `SELECT id FROM customers WHERE external_id = 'C1'`, &cid); err != nil {
			return err
		}
		c, err := tx.ConsentOf(ctx, cid)
		if err != nil {
			return err
		}
		if !c.Enabled || !c.Migrated || len(c.Payers) != 2 || c.Payers[0].ShareBP != 6000 {
			t.Errorf("consent %+v", c)
		}
		for _, p := range c.Payers {
			plain, err := sealer.Open(p.IdentityCodeEnc)
			if err != nil {
				return err
			}
			codes = append(codes, string(plain))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes, []string{"150275-456B", "220392-789T"}) {
		t.Errorf("payers' codes %v", codes)
	}
}

// TestImportDryRun: a dry run reports what a real run would do and writes
// nothing.
func TestImportDryRun(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := importApp(t, db, clock)
		x := readExport(t, "../legacy/testdata/good")
		dry, err := a.ImportLegacy(ctx, x, Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range append(importTables, "import_rows", "import_runs", "invoice_lines", "deduction_payers", "audit_log") {
			if n := queryInt(t, db, `SELECT count(*) FROM `+table); n != 0 {
				t.Errorf("dry run wrote %d rows to %s", n, table)
			}
		}
		if dry.RunID != 0 || dry.Hashed != 0 {
			t.Errorf("dry run: run %d, hashed %d", dry.RunID, dry.Hashed)
		}
		real, err := a.ImportLegacy(ctx, x, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range legacy.Kinds {
			if *dry.Counts[k] != *real.Counts[k] {
				t.Errorf("%s: dry run %+v, real %+v", k, *dry.Counts[k], *real.Counts[k])
			}
		}
		// After the real run a dry run reports all unchanged.
		dry, err = a.ImportLegacy(ctx, x, Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if dry.Changed() {
			t.Errorf("dry run after import reports changes: %+v", dry.Counts[legacy.Customers])
		}
	})
}

// TestImportBatches: small batches give the same result, and progress is
// reported per batch.
func TestImportBatches(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		a, _ := importApp(t, db, clock)
		var calls [][2]int
		rep, err := a.ImportLegacy(context.Background(), readExport(t, "../legacy/testdata/good"),
			Options{BatchSize: 1, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Batches != 2 || !slices.Equal(calls, [][2]int{{1, 2}, {2, 2}}) {
			t.Errorf("batches %d, progress %v", rep.Batches, calls)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM invoice_lines`); n != 3 {
			t.Errorf("%d lines", n)
		}
	})
}
