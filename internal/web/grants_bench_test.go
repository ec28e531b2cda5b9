package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// BenchmarkDashboardGrants measures a home's dashboard (/kohteet/{site})
// on the 100 000-customer data set (ASIAKASSIVU_BENCH_100K, as
// BenchmarkStaffPages), one request at a time, SQLite: "owner" is a
// customer without grants (the access rule's query as before family
// access), "caretaker" another customer's dashboard of the home a grant
// gives them (the rule with grants in it). Run with
//
//	ASIAKASSIVU_BENCH_100K=/tmp/bench100k go test ./internal/web -run '^$' -bench DashboardGrants -benchtime 2000x
func BenchmarkDashboardGrants(b *testing.B) {
	dir := os.Getenv(envBench100k)
	if dir == "" {
		b.Skip(envBench100k + " not set: the benchmark loads 100 000 customers")
	}
	ctx := context.Background()
	db := openBench100k(b, store.SQLite, dir)
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	h := newLoadServer(b, db, hasher)
	owner, relative := "asiakas-050000@synthetic.example", "asiakas-070000@synthetic.example"
	var site int64
	tokens := map[string]string{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx, store.Scope{EmailNorm: emailaddr.Normalize(owner)})
		if err != nil || len(sites) == 0 {
			return fmt.Errorf("sites of %s: %v", owner, err)
		}
		site = sites[0].Site.ID
		for _, email := range []string{owner, relative} {
			acc, err := tx.VerifiedAccountByEmail(ctx, email)
			if err != nil {
				id, cerr := tx.CreateAccount(ctx, portal.Account{Email: email, PasswordHash: "-", VerifiedAt: tx.Now()})
				if cerr != nil {
					return cerr
				}
				acc.ID = id
			}
			raw := make([]byte, 32)
			rand.Read(raw)
			tokens[email] = base64.RawURLEncoding.EncodeToString(raw)
			sum := sha256.Sum256([]byte(tokens[email]))
			if _, err := tx.CreateSession(ctx, portal.Session{AccountID: acc.ID, TokenHash: sum[:], AuthAt: tx.Now()}); err != nil {
				return err
			}
			if email == relative {
				if _, err := tx.ActiveGrant(ctx, site, acc.ID); err == nil {
					continue
				}
				sum := sha256.Sum256([]byte("bench-" + tokens[email]))
				id, err := tx.InsertGrant(ctx, portal.Grant{SiteID: site, Role: portal.GrantCaretaker, Email: relative,
					EmailNorm: relative, ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, sum[:])
				if err != nil {
					return err
				}
				if err := tx.AcceptGrant(ctx, id, acc.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, who := range []struct{ name, email string }{{"owner", owner}, {"caretaker", relative}} {
		b.Run(who.name, func(b *testing.B) {
			path := fmt.Sprintf("/kohteet/%d", site)
			start, n := time.Now(), 0
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(&http.Cookie{Name: "asiakassivu", Value: tokens[who.email]})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", path, rec.Code)
				}
				n++
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(n), "ms/op")
		})
	}
}
