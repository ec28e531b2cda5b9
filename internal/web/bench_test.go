package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/demo"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// BenchmarkSitesPage measures the first signed-in page (/kohteet) of the
// demo customer with three sites, over HTTP against the real SQLite store.
func BenchmarkSitesPage(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	db := storetest.Open(b, store.SQLite, func() time.Time { return now })
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	_, err := demo.Load(ctx, db, demo.Options{Now: now,
		HashPassword: func(pw string) (string, error) { return hasher.Hash(ctx, pw) },
		Encrypt:      func(p []byte) ([]byte, error) { return p, nil }})
	if err != nil {
		b.Fatal(err)
	}
	a := app.New(db, hasher, nil)
	u, _ := url.Parse("http://127.0.0.1")
	s, err := New(Config{BaseURL: u}, a)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	token, _, err := a.SignIn(ctx, "asiakas@demo.example", demo.Password, app.Client{IP: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/kohteet", nil)
	req.Header.Set("Cookie", "asiakassivu="+token)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			b.Fatalf("status %d", r.StatusCode)
		}
	}
}
