package emailaddr

import (
	"errors"
	"testing"
)

// TestLookAlikeEmails: the address a code is mailed to is byte-equal to
// the one that links records. An address whose local part is not ASCII
// after NFC is refused (İ and fullwidth letters would fold onto someone
// else's ASCII address; the Kelvin sign is a plain K after NFC, so it is
// mailed as K); a Unicode domain is converted to its
// IDNA form, and a domain label that mixes scripts is refused.
func TestLookAlikeEmails(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"plain", "kirsi.niemi@example.fi", "kirsi.niemi@example.fi", nil},
		{"ASCII case is kept", "Kirsi.Niemi@Example.FI", "Kirsi.Niemi@Example.FI", nil},
		{"dotted capital I", "k\u0130rsi.niemi@example.fi", "", ErrNotASCII},
		{"Kelvin sign is K after NFC: mailed to that", "\u212Airsi.niemi@example.fi", "Kirsi.niemi@example.fi", nil},
		{"fullwidth letters", "\uff4birsi.niemi@example.fi", "", ErrNotASCII},
		{"Finnish letter in the local part", "äiti@esimerkki.fi", "", ErrNotASCII},
		{"decomposed letter in the local part", "a\u0308iti@esimerkki.fi", "", ErrNotASCII},
		{"Unicode domain in IDNA form", "kirsi@yhtiö.fi", "kirsi@xn--yhti-8qa.fi", nil},
		{"upper-case Unicode domain", "kirsi@YHTIÖ.fi", "kirsi@xn--yhti-8qa.fi", nil},
		{"mixed-script domain", "kirsi.niemi@ex\u0430mple.fi", "", ErrMixedScript},
		{"Kelvin sign in the domain is K after NFC", "kirsi@\u212Aotikulma.fi", "kirsi@Kotikulma.fi", nil},
		{"fullwidth domain, mapped by IDNA", "kirsi@\uff45xample.fi", "kirsi@example.fi", nil},
		{"Cyrillic domain", "kirsi@пример.рф", "kirsi@xn--e1afmkfd.xn--p1ai", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("Check(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not an ErrInvalid", err)
			}
			if err == nil && Normalize(got) != Normalize(tt.want) {
				t.Errorf("normalised %q", Normalize(got))
			}
		})
	}
	// Whatever reaches the store without Check never folds onto an
	// ASCII address: only ASCII letters are lower-cased.
	for _, s := range []string{"k\u0130rsi.niemi@example.fi", "\uff2birsi.niemi@example.fi"} {
		if Normalize(s) == "kirsi.niemi@example.fi" {
			t.Errorf("Normalize(%q) folds onto kirsi.niemi@example.fi", s)
		}
	}
}
