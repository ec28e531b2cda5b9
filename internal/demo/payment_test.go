package demo

import (
	"strings"
	"testing"

	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
)

// Every demo provider has a valid Finnish IBAN and a BIC, and every demo
// invoice a valid reference number made of its number, unique, so each
// open bill can be paid by virtual barcode.
func TestDemoPaymentDetails(t *testing.T) {
	p := newPlan(testNow)
	for _, pr := range p.providers {
		if iban, err := payref.NormalizeIBAN(pr.IBAN); err != nil || !strings.HasPrefix(iban, "FI") || len(iban) != 18 {
			t.Errorf("provider %s: IBAN %q, %v", pr.Name, pr.IBAN, err)
		}
		if pr.BIC == "" {
			t.Errorf("provider %s: no BIC", pr.Name)
		}
	}
	seen := map[string]string{}
	open := 0
	for _, sp := range p.sites {
		for _, inv := range sp.invoices {
			ref, err := payref.NormalizeReference(inv.Reference)
			if err != nil || ref == "" || ref != inv.Reference {
				t.Errorf("invoice %s: reference %q, %v", inv.Number, inv.Reference, err)
			}
			if other, ok := seen[ref]; ok {
				t.Errorf("invoices %s and %s share the reference %s", other, inv.Number, ref)
			}
			seen[ref] = inv.Number
			if inv.Status == portal.InvoiceOpen {
				open++
				if _, err := payref.VirtualBarcode(p.providers[0].IBAN, inv.TotalCents, ref, inv.DueOn.Time()); err != nil {
					t.Errorf("invoice %s: no virtual barcode: %v", inv.Number, err)
				}
			}
		}
	}
	if open == 0 {
		t.Error("the demo has no open bill to pay")
	}
	// The synthetic customers' invoices get references the same way.
	c := newSyntheticShape(testNow).customer(7, 1)
	for _, inv := range c.invoices {
		if _, err := payref.NormalizeReference(inv.Reference); err != nil || inv.Reference == "" {
			t.Errorf("synthetic invoice %s: reference %q, %v", inv.Number, inv.Reference, err)
		}
	}
}
