package emailaddr

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Maija@Example.FI", "maija@example.fi"},
		{"  asiakas@demo.example \n", "asiakas@demo.example"},
		// Only A–Z fold (TestLookAlikeEmails): a non-ASCII address, which
		// Check refuses, never folds onto another.
		{"Äiti@Esimerkki.FI", "Äiti@esimerkki.fi"},
		{"A\u0308iti@esimerkki.fi", "Äiti@esimerkki.fi"}, // decomposed Ä → NFC Ä
		{"ÅSA@EXAMPLE.SE", "Åsa@example.se"},
		{"k\u0130rsi@example.fi", "k\u0130rsi@example.fi"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if Normalize("äiti@Esimerkki.FI") != Normalize("a\u0308iti@esimerkki.fi") {
		t.Error("composed and decomposed forms must compare equal")
	}
}

func TestCheckEmail(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"asiakas@demo.example", "asiakas@demo.example", true},
		{"  Maija@Esimerkki.FI ", "Maija@Esimerkki.FI", true},
		{"Äiti@Esimerkki.FI", "", false}, // TestLookAlikeEmails
		{"aiti@Esimerkki.FI", "aiti@Esimerkki.FI", true},
		{"äiti@lämpö.fi", "", false},
		{"", "", false},
		{"ei-osoite", "", false},
		{"a@b", "", false},
		{"Maija <maija@example.fi>", "", false},
		{"a b@example.fi", "", false},
		{strings.Repeat("a", 10000) + "@example.fi", "", false},
	}
	for _, tt := range tests {
		got, err := Check(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Check(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%q) error %v is not ErrInvalid", tt.in, err)
		}
	}
}
