package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// TestOneTermPerConcept: Swedish says "tjänsteproducent" for the service
// provider (never "serviceproducent", "leverantör" or a bare "producent"),
// and English says "bill" to customers (never "invoice" or "billing
// summary"). termAllowed lists the keys that must keep another word, with
// the reason.
func TestOneTermPerConcept(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range termProblems(c) {
		t.Error(p)
	}
}

// termAllowed: keys allowed another term, and why. Empty today: every
// customer and staff text follows the one term.
var termAllowed = map[string]string{}

// termProblems lists each text of c that uses another word for a concept
// that has one.
func termProblems(c *Catalog) []string {
	provider := regexp.MustCompile(`(?i)[\p{L}-]*(producent|leverantör)[\p{L}]*`)
	bill := regexp.MustCompile(`(?i)\binvoic\p{L}*|\bbilling summar\p{L}*`)
	var out []string
	check := func(l Lang, k, s string) {
		if _, ok := termAllowed[k]; ok {
			return
		}
		// A soft hyphen at a compound's seam (for narrow headings) is no
		// part of the word.
		s = strings.ReplaceAll(s, "\u00ad", "")
		switch l {
		case Swedish:
			for _, w := range provider.FindAllString(s, -1) {
				if !strings.HasPrefix(strings.ToLower(w), "tjänsteproducent") {
					out = append(out, string(l)+" "+k+": "+w+" (say tjänsteproducent): "+s)
				}
			}
		case English:
			for _, w := range bill.FindAllString(s, -1) {
				out = append(out, string(l)+" "+k+": "+w+" (say bill): "+s)
			}
		}
	}
	for _, l := range []Lang{Swedish, English} {
		for _, k := range c.Keys(l) {
			m := c.msgs[l][k]
			check(l, k, m.One)
			if m.Other != m.One {
				check(l, k, m.Other)
			}
		}
	}
	return out
}

// TestTermCheckFinds: the check above finds the other terms (so that it
// cannot pass by matching nothing).
func TestTermCheckFinds(t *testing.T) {
	c := &Catalog{msgs: map[Lang]map[string]message{
		Swedish: {"a": {Other: "Serviceproducenten svarar"}, "b": {Other: "din leverantör"}, "c": {Other: "producentens sidor"},
			"ok": {Other: "Tjänsteproducentens svar"}, "ok2": {Other: "Tjänste\u00adproducenter"}},
		English: {"d": {Other: "Invoices"}, "e": {Other: "a new billing summary"}, "ok": {Other: "Bills and credit notes"}},
	}}
	got := termProblems(c)
	if len(got) != 5 {
		t.Errorf("found %d problems, want 5 (a, b, c, d, e):\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, p := range got {
		if strings.Contains(p, " ok:") || strings.Contains(p, " ok2:") {
			t.Errorf("flagged a right term: %s", p)
		}
	}
}
