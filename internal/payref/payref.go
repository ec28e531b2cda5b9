// Package payref holds the rules of Finnish bank payments that a bill
// shows: the account number (IBAN, mod-97), the reference number
// (viitenumero, check digit by the weights 7-3-1, or the RF creditor
// reference of ISO 11649) and the virtual barcode (pankkiviivakoodi,
// version 4 for a national reference, 5 for an RF reference) that bank
// apps read. It imports nothing of the project, so the API, the import,
// the demo and the pages share one set of rules.
package payref

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of the checks; each names what is wrong in words an integrator
// can act on.
var (
	ErrIBAN      = errors.New("not a valid IBAN (country code, length or mod-97 check digits)")
	ErrBIC       = errors.New("not a valid BIC (8 or 11 letters and digits)")
	ErrReference = errors.New("not a valid reference number (a Finnish reference of 4 to 20 digits with its 7-3-1 check digit, or an RF creditor reference)")
	ErrBarcode   = errors.New("no virtual barcode: it needs a Finnish IBAN, a reference and an amount from 0 to 999 999,99 €")
)

// ibanLengths are the IBAN lengths of the SEPA countries a Finnish
// provider's account is likely to be in; other countries pass with a
// length of 15 to 34.
var ibanLengths = map[string]int{"FI": 18, "AX": 18, "SE": 24, "EE": 20, "DE": 22, "NO": 15, "DK": 18, "GB": 22,
	"FR": 27, "NL": 18, "BE": 16, "ES": 24, "IT": 27, "LV": 21, "LT": 20, "PL": 28, "AT": 20, "IE": 22}

// compact drops spaces (and the dashes some print) and upper-cases.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// mod97 is the remainder by 97 of a string of digits and letters read as
// ISO 7064 does (A = 10 … Z = 35); ok is false for any other character.
func mod97(s string) (rem int, ok bool) {
	for _, r := range s {
		var v int
		switch {
		case r >= '0' && r <= '9':
			v = int(r - '0')
			rem = (rem*10 + v) % 97
			continue
		case r >= 'A' && r <= 'Z':
			v = int(r-'A') + 10
		default:
			return 0, false
		}
		rem = (rem*100 + v) % 97
	}
	return rem, true
}

// NormalizeIBAN returns an IBAN in its electronic form (no spaces, upper
// case) when it is valid: two letters of country, two check digits, an
// account part of the country's length, and mod 97 of the rearranged
// number equal to 1. An empty string is returned as is, without error.
func NormalizeIBAN(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if len(c) < 15 || len(c) > 34 || !isUpper(c[0]) || !isUpper(c[1]) || !isDigit(c[2]) || !isDigit(c[3]) {
		return "", ErrIBAN
	}
	if n, ok := ibanLengths[c[:2]]; ok && len(c) != n {
		return "", ErrIBAN
	}
	if rem, ok := mod97(c[4:] + c[:4]); !ok || rem != 1 {
		return "", ErrIBAN
	}
	return c, nil
}

// MakeIBAN makes the IBAN of a domestic account number (BBAN) of a
// country: the check digits are chosen so that the rearranged number is 1
// mod 97. A Finnish BBAN is 14 digits.
func MakeIBAN(country, bban string) (string, error) {
	country, bban = compact(country), compact(bban)
	if len(country) != 2 || !isUpper(country[0]) || !isUpper(country[1]) {
		return "", ErrIBAN
	}
	rem, ok := mod97(bban + country + "00")
	if !ok {
		return "", ErrIBAN
	}
	return NormalizeIBAN(fmt.Sprintf("%s%02d%s", country, 98-rem, bban))
}

// FormatIBAN shows an IBAN in groups of four, as printed on bills:
// "FI21 1234 5600 0007 85".
func FormatIBAN(iban string) string { return groupLeft(compact(iban), 4) }

// NormalizeBIC returns a BIC upper-cased when it has the shape of one: four
// letters of bank, two of country, two letters or digits of place and an
// optional branch of three. An empty string is returned as is.
func NormalizeBIC(s string) (string, error) {
	c := compact(s)
	if c == "" {
		return "", nil
	}
	if len(c) != 8 && len(c) != 11 {
		return "", ErrBIC
	}
	for i := range len(c) {
		if i < 6 && !isUpper(c[i]) || i >= 6 && !isUpper(c[i]) && !isDigit(c[i]) {
			return "", ErrBIC
		}
	}
	return c, nil
}

// NationalCheckDigit is the check digit of a Finnish reference number's
// base (3 to 19 digits): the digits from the right are weighted 7, 3, 1,
// 7, 3, 1, …, and the check digit takes the sum up to the next ten (0 when
// it is a ten already).
func NationalCheckDigit(base string) (byte, error) {
	if len(base) < 3 || len(base) > 19 || !allDigits(base) {
		return 0, ErrReference
	}
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := range len(base) {
		sum += int(base[len(base)-1-i]-'0') * weights[i%3]
	}
	return byte('0' + (10-sum%10)%10), nil
}

// National makes a Finnish reference number of a base (3 to 19 digits,
// such as an invoice number) by appending its check digit.
func National(base string) (string, error) {
	base = strings.TrimLeft(compact(base), "0")
	d, err := NationalCheckDigit(base)
	if err != nil {
		return "", err
	}
	return base + string(d), nil
}

// RF makes the ISO 11649 creditor reference of a reference body (1 to 21
// digits or letters; a Finnish bank uses the national reference): "RF",
// two check digits chosen so that the rearranged number is 1 mod 97, and
// the body.
func RF(body string) (string, error) {
	body = compact(body)
	if len(body) < 1 || len(body) > 21 {
		return "", ErrReference
	}
	rem, ok := mod97(body + "RF00")
	if !ok {
		return "", ErrReference
	}
	return fmt.Sprintf("RF%02d%s", 98-rem, body), nil
}

// IsRF reports whether a reference (as NormalizeReference returns it) is
// an RF creditor reference.
func IsRF(ref string) bool { return strings.HasPrefix(ref, "RF") }

// NormalizeReference returns a reference number in its electronic form
// when it is valid: a Finnish reference of 4 to 20 digits (leading zeros
// dropped) whose last digit is the 7-3-1 check digit of the rest, or an RF
// creditor reference ("RF", two check digits, 1 to 21 letters or digits,
// mod 97 of the rearranged number 1). Spaces are ignored; an empty string
// is returned as is, without error.
func NormalizeReference(s string) (string, error) {
	c := compact(s)
	switch {
	case c == "":
		return "", nil
	case strings.HasPrefix(c, "RF"):
		if len(c) < 5 || len(c) > 25 || !isDigit(c[2]) || !isDigit(c[3]) {
			return "", ErrReference
		}
		if rem, ok := mod97(c[4:] + c[:4]); !ok || rem != 1 {
			return "", ErrReference
		}
		return c, nil
	}
	c = strings.TrimLeft(c, "0")
	if len(c) < 4 || len(c) > 20 || !allDigits(c) {
		return "", ErrReference
	}
	if d, err := NationalCheckDigit(c[:len(c)-1]); err != nil || d != c[len(c)-1] {
		return "", ErrReference
	}
	return c, nil
}

// FormatReference shows a reference as printed on bills: a Finnish one in
// groups of five from the right ("86851 62596 19897"), an RF one in groups
// of four from the left ("RF09 8685 1625 9619 897").
func FormatReference(ref string) string {
	c := compact(ref)
	if IsRF(c) {
		return groupLeft(c, 4)
	}
	var b strings.Builder
	for i := range len(c) {
		if i > 0 && (len(c)-i)%5 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(c[i])
	}
	return b.String()
}

// VirtualBarcode returns the 54 digits of the virtual barcode
// (pankkiviivakoodi) of a payment, as the Finnish bankers' association's
// guide defines it: the version (4 with a Finnish reference, 5 with an RF
// reference), the 16 digits of a Finnish IBAN after "FI", the amount as six
// digits of euros and two of cents (zeros when it is more than
// 999 999,99 €: the payer types it), then for version 4 three zeros and
// the reference right-aligned in 20 digits, for version 5 the RF check
// digits and the body right-aligned in 21 digits, and the due date as
// YYMMDD (zeros when there is none). ErrBarcode when the IBAN is not a
// valid Finnish one, the reference not valid or, for RF, not all digits,
// or the amount negative.
func VirtualBarcode(iban string, cents int64, ref string, due time.Time) (string, error) {
	ib, err := NormalizeIBAN(iban)
	if err != nil || len(ib) != 18 || ib[:2] != "FI" {
		return "", ErrBarcode
	}
	r, err := NormalizeReference(ref)
	if err != nil || r == "" || cents < 0 {
		return "", ErrBarcode
	}
	if cents > 99999999 {
		cents = 0
	}
	var b strings.Builder
	if IsRF(r) {
		body := r[4:]
		if !allDigits(body) || len(body) > 21 {
			return "", ErrBarcode
		}
		b.WriteString("5" + ib[2:] + fmt.Sprintf("%06d%02d", cents/100, cents%100) + r[2:4] + pad(body, 21))
	} else {
		b.WriteString("4" + ib[2:] + fmt.Sprintf("%06d%02d", cents/100, cents%100) + "000" + pad(r, 20))
	}
	if due.IsZero() {
		b.WriteString("000000")
	} else {
		b.WriteString(fmt.Sprintf("%02d%02d%02d", due.Year()%100, int(due.Month()), due.Day()))
	}
	return b.String(), nil
}

// Barcodeable reports whether a reference (as NormalizeReference returns
// it) fits a virtual barcode: every Finnish one does; an RF one when its
// body is digits.
func Barcodeable(ref string) bool {
	if !IsRF(ref) {
		return ref != ""
	}
	return len(ref) > 4 && allDigits(ref[4:])
}

func pad(s string, n int) string { return strings.Repeat("0", n-len(s)) + s }

func groupLeft(s string, n int) string {
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
