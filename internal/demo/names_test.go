package demo

import "testing"

// TestDemoServicesHaveSwedishAndEnglishNames: every service of the demo
// comes with Swedish and English names, as an ERP may send them, so that
// a reader of either language sees them on every page.
func TestDemoServicesHaveSwedishAndEnglishNames(t *testing.T) {
	for _, s := range demoSites {
		for _, c := range s.contracts {
			for _, name := range []string{c.service, c.service + extraVisit} {
				if sv, en := serviceNames(name); sv == "" || en == "" || sv == name || en == name {
					t.Errorf("%s %s: %q has Swedish %q, English %q", s.key, c.key, name, sv, en)
				}
			}
		}
	}
	if sv, en := serviceNames(care + extraVisit); sv != "Hemhjälp och omsorg, extrabesök" || en != "Home help and care, extra visit" {
		t.Errorf("an extra care visit: %q, %q", sv, en)
	}
}
