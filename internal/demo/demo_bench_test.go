package demo

import (
	"context"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// BenchmarkSynthetic adds 1 000 synthetic customers per iteration to one
// SQLite database, so later iterations write into a growing database.
func BenchmarkSynthetic(b *testing.B) {
	const perOp = 1000
	db := storetest.Open(b, store.SQLite, nil)
	now := time.Now()
	ctx := context.Background()
	next := 1
	b.ResetTimer()
	for b.Loop() {
		if err := synthetic(ctx, db, next, perOp, now, SyntheticBatch, nil); err != nil {
			b.Fatal(err)
		}
		next += perOp
	}
	b.ReportMetric(float64((next-1)*SyntheticRowsPerCustomer)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSynthetic100k loads 100 000 synthetic customers (about seven
// million rows) into a fresh SQLite file per iteration, the way
// `asiakassivu demo --synthetic 100000` would. Run it once with
//
//	go test -run '^$' -bench BenchmarkSynthetic100k -benchtime 1x -timeout 30m ./internal/demo
//
// The target is under three minutes on the two-core development machine.
func BenchmarkSynthetic100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	now := time.Now()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite, nil)
		b.StartTimer()
		start := time.Now()
		if err := Synthetic(ctx, db, n, now, nil); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*SyntheticRowsPerCustomer)*float64(b.N)/total.Seconds(), "rows/s")
	b.ReportMetric(total.Seconds()/float64(b.N), "s/100k")
}
