package portal

import "testing"

func TestInLanguage(t *testing.T) {
	for _, c := range []struct{ lang, fi, sv, en, want string }{
		{"fi", "Kotiapu", "Hemhjälp", "Home help", "Kotiapu"},
		{"sv", "Kotiapu", "Hemhjälp", "Home help", "Hemhjälp"},
		{"en", "Kotiapu", "Hemhjälp", "Home help", "Home help"},
		{"sv", "Kotiapu", "", "Home help", "Kotiapu"},
		{"en", "Kotiapu", "Hemhjälp", "", "Kotiapu"},
		{"de", "Kotiapu", "Hemhjälp", "Home help", "Kotiapu"},
	} {
		if got := InLanguage(c.lang, c.fi, c.sv, c.en); got != c.want {
			t.Errorf("InLanguage(%q, %q, %q, %q) = %q, want %q", c.lang, c.fi, c.sv, c.en, got, c.want)
		}
	}
	l := InvoiceLine{Description: "Siivous 3.2.2026", DescriptionEN: "Cleaning 3.2.2026"}
	if got := l.DescriptionIn("en"); got != "Cleaning 3.2.2026" {
		t.Errorf("line in English: %q", got)
	}
	if got := (Visit{Service: "Siivous", ServiceSV: "Städning"}).ServiceIn("sv"); got != "Städning" {
		t.Errorf("visit in Swedish: %q", got)
	}
}
