package store_test

import (
	"context"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestOilHeatingRules: the seeded rules (migrations 00002 and 00018) give
// the deduction for replacing oil heating in every year from 2023: 60 %,
// at most 3 500 € a person, with an omavastuu of 100 € in 2023 and 2024
// (the maximum is reached at 6 000 € of labour: 0,6 × 6 000 − 100 =
// 3 500) and of 150 € from 2025 (reached at 6 083,34 €: 0,6 × 6 083,34 =
// 3 650,004, less 150, capped at 3 500; a cent less falls short).
func TestOilHeatingRules(t *testing.T) {
	storetest.Each(t, storetest.NewClock(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)).Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range []struct {
			year      int
			omavastuu int64
			atMax     int64 // the least labour (cents) that reaches the maximum
		}{
			{2023, 10000, 600000},
			{2024, 10000, 600000},
			{2025, 15000, 608334},
			{2026, 15000, 608334},
		} {
			var r portal.DeductionRule
			err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				r, err = tx.DeductionRule(ctx, c.year, "oil_heating")
				return err
			})
			if err != nil {
				t.Errorf("%d: %v", c.year, err)
				continue
			}
			if r.RateBP != 6000 || r.MaxCents != 350000 || r.OmavastuuCents != c.omavastuu {
				t.Errorf("%d: rule %+v", c.year, r)
			}
			for _, x := range []struct{ labour, want int64 }{
				{c.atMax, 350000},
				{c.atMax - 1, 349999},
				{c.atMax + 100000, 350000},
				{c.omavastuu * 10000 / 6000, 0}, // 60 % of it is the omavastuu
				{100000, 60000 - c.omavastuu},   // 1 000 € of labour
			} {
				if got := portal.Deduction(r, x.labour); got != x.want {
					t.Errorf("%d: labour %d cents: deduction %d, want %d", c.year, x.labour, got, x.want)
				}
			}
		}
	})
}
