package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// dashboardUsers is how many synthetic customers BenchmarkDashboard100k
// signs in: each request goes to the next one's home.
const dashboardUsers = 32

// BenchmarkDashboard100k measures the signed-in dashboard of a home
// (/kohteet/{site}) on the 100 000-customer data set (ASIAKASSIVU_BENCH_100K,
// kept between runs as for BenchmarkStaffPages), SQLite, one request at a
// time, the customers spread over the data set taking turns: the time of
// one whole request (session, access rule, the dashboard's queries,
// rendering) without the network, less noisy on a shared machine than
// the 64-connection DashboardLoad, and not reloading 100 000 customers per
// run. It reads the same on a version of the portal before family access
// and after, so the two can be compared on one data set. Run with
//
//	ASIAKASSIVU_BENCH_100K=/tmp/bench100k go test ./internal/web -run '^$' -bench 'Dashboard100k$' -benchtime 3000x
func BenchmarkDashboard100k(b *testing.B) {
	dir := os.Getenv(envBench100k)
	if dir == "" {
		b.Skip(envBench100k + " not set: the benchmark loads 100 000 customers")
	}
	db := openBench100k(b, store.SQLite, dir)
	if err := db.Analyze(context.Background()); err != nil {
		b.Fatal(err)
	}
	h := newLoadServer(b, db, app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}))
	users := dashboardBenchUsers(b, db, 0)
	benchPages(b, h, users)
}

// dashboardBenchUsers signs in dashboardUsers synthetic customers spread
// over the data set, starting from the from-th of each stretch, each with
// their own home's dashboard to ask for.
func dashboardBenchUsers(b *testing.B, db *store.DB, from int) []loadUser {
	ctx := context.Background()
	users := make([]loadUser, dashboardUsers)
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range users {
			email := fmt.Sprintf("asiakas-%06d@synthetic.example", 1+from+i*(bench100kCustomers/dashboardUsers))
			acc, err := tx.VerifiedAccountByEmail(ctx, email)
			if err != nil {
				id, cerr := tx.CreateAccount(ctx, portal.Account{Email: email, PasswordHash: "-", VerifiedAt: tx.Now()})
				if cerr != nil {
					return cerr
				}
				acc.ID = id
			}
			sites, err := tx.Sites(ctx, store.Scope{EmailNorm: email})
			if err != nil || len(sites) == 0 {
				return fmt.Errorf("sites of %s: %v", email, err)
			}
			token, err := newLoadSession(ctx, tx, acc.ID)
			if err != nil {
				return err
			}
			users[i] = loadUser{token, []string{fmt.Sprintf("/kohteet/%d", sites[len(sites)-1].Site.ID)}}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return users
}

// benchPages asks h for the users' pages in turn, one request at a time,
// and reports the wall time of one (ms/op) and the process's CPU time per
// request (cpu-ms/op: user and system, steadier than the wall time while
// others load the machine).
func benchPages(b *testing.B, h http.Handler, users []loadUser) {
	var reqs []*http.Request
	for _, u := range users {
		for _, p := range u.paths {
			req := httptest.NewRequest("GET", p, nil)
			req.AddCookie(&http.Cookie{Name: "asiakassivu", Value: u.token})
			reqs = append(reqs, req)
		}
	}
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	n := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := reqs[n%len(reqs)]
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", req.URL, rec.Code)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(n), "ms/op")
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
}
