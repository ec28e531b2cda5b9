package app

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// BenchmarkConcurrentSignIns signs in 200 different accounts at once with
// the production argon2id cost (19 MiB, t=2) on SQLite, b.N rounds. It
// reports sign-ins per second and the peak heap, which the bounded number
// of concurrent hashes keeps near NumCPU × 19 MiB however many arrive.
func BenchmarkConcurrentSignIns(b *testing.B) {
	const users = 200
	ctx := context.Background()
	db := storetest.Open(b, store.SQLite, nil)
	h := NewHasher(DefaultArgon2)
	a := New(db, h, nil)
	hash, _ := h.Hash(ctx, "kahvi maistuu aamulla")
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range users {
			if _, err := tx.CreateAccount(ctx, portal.Account{Email: fmt.Sprintf("u%03d@example.fi", i), PasswordHash: hash, VerifiedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	runtime.GC()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range users {
			wg.Go(func() {
				_, _, err := a.SignIn(ctx, fmt.Sprintf("u%03d@example.fi", i), "kahvi maistuu aamulla", Client{IP: fmt.Sprintf("10.0.%d.%d", i/250, i%250)})
				if err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()
	b.ReportMetric(float64(users*b.N)/elapsed.Seconds(), "sign-ins/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
