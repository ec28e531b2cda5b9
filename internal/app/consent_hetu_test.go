package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// withCheck completes DDMMYYCZZZ with its check character.
func withCheck(s string) string {
	n := 0
	for _, c := range s[:6] + s[7:10] {
		n = n*10 + int(c-'0')
	}
	return s + string("0123456789ABCDEFHJKLMNPRSTUVWXY"[n%31])
}

// TestConsentRefusesIdentityCodes: a consent saved in the portal refuses a
// payer code with an individual number 900–999 (temporary and test codes,
// which only the demo data uses), a birth date after today (the store's
// clock, in Helsinki: demoNow is 22.3.2026) and two payers who are the same
// person, also when one code is kept from the stored consent (compared
// opened). Each refusal names its field and has its own message; nothing is
// written.
func TestConsentRefusesIdentityCodes(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Set(demoNow)
		w := loadDemo(t, db, clock, nil)
		v := w.signIn(t, "asiakas@demo.example")
		cs, err := w.app.Consents(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		var free int64
		for _, c := range cs {
			if !c.Exists && free == 0 {
				free = c.CustomerID
			}
		}
		if free == 0 {
			t.Fatalf("no free record: %+v", cs)
		}
		for _, c := range []struct {
			name         string
			code1, code2 string
			field, msg   string
		}{
			{"temporary 900", withCheck("131052-900"), hetuB, "payer1code", "consent.error.codeTemporary"},
			{"temporary 999", hetuA, withCheck("010101A999"), "payer2code", "consent.error.codeTemporary"},
			{"born tomorrow", withCheck("230326A123"), hetuB, "payer1code", "consent.error.codeFuture"},
			{"born in 2030", hetuA, withCheck("010130A123"), "payer2code", "consent.error.codeFuture"},
			{"same person", hetuA, hetuA, "payer2code", "consent.error.samePerson"},
			{"same person, other case", hetuB, "010101a123n", "payer2code", "consent.error.samePerson"},
			{"not a code", "131052-308U", hetuB, "payer1code", "consent.error.code"},
		} {
			err := w.app.SetConsent(ctx, v, free, true, []PayerInput{{Name: "Maija", IdentityCode: c.code1, ShareBP: 5000},
				{Name: "Matti", IdentityCode: c.code2, ShareBP: 5000}})
			var inv InvalidInput
			if !errors.As(err, &inv) || inv.Field(c.field) != c.msg || len(inv) != 1 {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// Born today passes.
		today := withCheck(fmt.Sprintf("%02d%02d26A123", demoNow.Day(), int(demoNow.Month())))
		if err := w.app.SetConsent(ctx, v, free, true, []PayerInput{{Name: "Maija", IdentityCode: hetuA, ShareBP: 5000},
			{Name: "Vauva", IdentityCode: today, ShareBP: 5000}}); err != nil {
			t.Fatalf("born today: %v", err)
		}
		// A kept code is the same person as a newly typed one.
		var shown []PayerView
		cs, _ = w.app.Consents(ctx, v)
		for _, c := range cs {
			if c.CustomerID == free {
				shown = c.Payers
			}
		}
		if len(shown) != 2 {
			t.Fatalf("shown %+v", shown)
		}
		before, _ := readConsent(ctx, db, free)
		err = w.app.SetConsent(ctx, v, free, true, []PayerInput{{Name: "Maija", ShareBP: 5000, Keep: shown[0].Ref},
			{Name: "Maija taas", IdentityCode: hetuA, ShareBP: 5000}})
		var inv InvalidInput
		if !errors.As(err, &inv) || inv.Field("payer2code") != "consent.error.samePerson" {
			t.Errorf("kept and typed the same: %v", err)
		}
		if after, _ := readConsent(ctx, db, free); len(after.Payers) != 2 || after.Payers[1].Name != before.Payers[1].Name {
			t.Errorf("refused change written: %+v", after)
		}
	})
}
