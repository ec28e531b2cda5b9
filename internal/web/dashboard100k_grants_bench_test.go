package web

import (
	"context"
	"crypto/sha256"
	"os"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// BenchmarkDashboard100kGrants is BenchmarkDashboard100k with family
// access in the access rule: other customers of the data set (from the
// middle of each stretch, so BenchmarkDashboard100k's stay without
// grants) each look after the next one's home (a caretaker grant), and
// ask for their own home's dashboard and the one they look after in turn:
// the granted home's statement probes the one grant (app's siteScope). Run
// with
//
//	ASIAKASSIVU_BENCH_100K=/tmp/bench100k go test ./internal/web -run '^$' -bench 'Dashboard100k' -benchtime 8000x -count 3
//
// Figures, before and after, are in docs/performance.md.
func BenchmarkDashboard100kGrants(b *testing.B) {
	dir := os.Getenv(envBench100k)
	if dir == "" {
		b.Skip(envBench100k + " not set: the benchmark loads 100 000 customers")
	}
	ctx := context.Background()
	db := openBench100k(b, store.SQLite, dir)
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	h := newLoadServer(b, db, app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}))
	users := dashboardBenchUsers(b, db, bench100kCustomers/dashboardUsers/2)
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range users {
			next := users[(i+1)%len(users)]
			site := next.paths[0]
			var siteID, accountID int64
			if err := tx.QueryInt(ctx, `SELECT account_id FROM sessions WHERE token_hash = $1`, &accountID, tokenSum(users[i].token)); err != nil {
				return err
			}
			if err := tx.QueryInt(ctx, `SELECT id FROM sites WHERE id = $1`, &siteID, siteIDOf(site)); err != nil {
				return err
			}
			users[i].paths = append(users[i].paths, site)
			if _, err := tx.ActiveGrant(ctx, siteID, accountID); err == nil {
				continue // kept from an earlier run
			}
			h := sha256.Sum256([]byte("bench grant " + users[i].token))
			id, err := tx.InsertGrant(ctx, portal.Grant{SiteID: siteID, Role: portal.GrantCaretaker, Email: "-", EmailNorm: "-",
				Language: "fi", ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, h[:])
			if err != nil {
				return err
			}
			if err := tx.AcceptGrant(ctx, id, accountID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	benchPages(b, h, users)
}

// tokenSum is the stored hash of a session token.
func tokenSum(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// siteIDOf reads the site id of a dashboard path /kohteet/{site}.
func siteIDOf(path string) int64 {
	var id int64
	for _, c := range path[len("/kohteet/"):] {
		id = id*10 + int64(c-'0')
	}
	return id
}
