package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// TestBrandIsAPlaceholder: no text hard-codes the portal's name — they
// say {brand}, which every printer fills with the configured brand in
// every language, or with the language's app.name when none is set.
func TestBrandIsAPlaceholder(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// The default names of the portal, in any inflection or compound.
	names := regexp.MustCompile(`(?i)asiakassivu|kundsid|customer page`)
	for _, l := range Langs {
		for _, k := range c.Keys(l) {
			if k == "app.name" {
				continue // the default brand itself
			}
			for _, s := range []string{c.msgs[l][k].One, c.msgs[l][k].Other} {
				if m := names.FindString(s); m != "" {
					t.Errorf("%s %q names the portal as %q; say {brand} instead: %s", l, k, m, s)
				}
			}
		}
	}
	// Texts that name the brand get the configured one, the same in every
	// language; without one, the language's own name.
	branded := c.WithBrand("Kotikulma")
	for _, l := range Langs {
		if got := branded.Printer(l).T("install.title"); !strings.Contains(got, "Kotikulma") || strings.Contains(got, "{") {
			t.Errorf("%s install.title with the brand Kotikulma: %q", l, got)
		}
		if got, want := c.Printer(l).T("install.title"), c.Printer(l).T("app.name"); !strings.Contains(got, want) {
			t.Errorf("%s install.title without a brand: %q lacks %q", l, got, want)
		}
		if got := branded.Printer(l).Brand(); got != "Kotikulma" {
			t.Errorf("%s Brand() = %q, want the configured Kotikulma", l, got)
		}
	}
	if got := c.Printer(Swedish).Brand(); got != c.Printer(Swedish).T("app.name") {
		t.Errorf("Brand() without a configured brand = %q", got)
	}
	if c.Printer(Finnish).T("messages.system") != c.Printer(Finnish).Brand() {
		t.Errorf("the system's messages are signed %q, want the brand", c.Printer(Finnish).T("messages.system"))
	}
}
