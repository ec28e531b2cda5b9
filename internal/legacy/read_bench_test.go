package legacy

import (
	"os"
	"strconv"
	"testing"
	"time"

	"asiakassivu/internal/legacy/legacygen"
)

// BenchmarkReadPath reads a generated export of 100 000 customers (set
// ASIAKASSIVU_IMPORT_CUSTOMERS for another size): the reading part of the
// import's benchmark, alone.
func BenchmarkReadPath(b *testing.B) {
	n := 100_000
	if s := os.Getenv("ASIAKASSIVU_IMPORT_CUSTOMERS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := b.TempDir()
	if err := legacygen.Write(dir, n, legacygen.Options{CredentialEvery: 1000, Today: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		x, err := ReadPath(dir)
		if err != nil || len(x.Customers) != n || len(x.Refused) != 0 {
			b.Fatalf("%v: %d customers, %d refused", err, len(x.Customers), len(x.Refused))
		}
	}
	b.ReportMetric(float64(n*legacygen.RowsPerCustomer)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
