// Package emailaddr holds the rules of email addresses: how a typed address
// is checked (look-alikes refused, IDNA domains) and the one way addresses
// are folded for comparison. It is apart from portal because it needs
// Unicode normalisation and IDNA from golang.org/x, and portal imports only
// the standard library.
package emailaddr

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// MaxLength is the longest address accepted (RFC 5321 path limit).
const MaxLength = 254

// ErrInvalid means the text is not a usable email address.
var ErrInvalid = errors.New("invalid email address")

// ErrNotASCII means the part before the @ is not ASCII after NFC. Such
// an address could be mailed as typed (kİrsi@…) while it folds onto
// someone else's (kirsi@…), so it is refused; it is an ErrInvalid.
var ErrNotASCII = fmt.Errorf("%w: the local part is not ASCII", ErrInvalid)

// ErrMixedScript means a label of the domain mixes letters of
// different scripts (a Cyrillic а among Latin letters); it is an
// ErrInvalid.
var ErrMixedScript = fmt.Errorf("%w: a domain label mixes scripts", ErrInvalid)

// Normalize returns the form in which emails are compared: trimmed,
// Unicode NFC, ASCII letters lower-cased. It is the only place where emails
// are folded; SQL lower() is never used. Only A–Z are folded: Unicode case
// folding maps the Kelvin sign and the dotted capital I onto k and i, so an
// address that never passed Check could fold onto someone else's.
func Normalize(s string) string {
	s = norm.NFC.String(strings.TrimSpace(s))
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Check validates an address typed by a person (or sent by the ERP or
// an import) and returns it trimmed, in NFC, with the case kept for display,
// or an ErrInvalid. What it returns is ASCII, so the address a code is
// mailed to is byte for byte the one that links records (Normalize
// only lower-cases A–Z): the part before the @ must be ASCII
// (ErrNotASCII), and a Unicode domain is given back in its IDNA form
// (yhtiö.fi → xn--yhti-kua.fi) unless a label mixes scripts
// (ErrMixedScript).
func Check(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" || len(s) > MaxLength || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return "", ErrInvalid
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		if !isASCII(s[:at]) {
			return "", ErrNotASCII
		}
		if domain := s[at+1:]; !isASCII(domain) {
			for _, label := range strings.Split(domain, ".") {
				if mixedScripts(label) {
					return "", ErrMixedScript
				}
			}
			ascii, err := idna.Lookup.ToASCII(domain)
			if err != nil || !isASCII(ascii) {
				return "", ErrInvalid
			}
			s = s[:at+1] + ascii
			if len(s) > MaxLength {
				return "", ErrInvalid
			}
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", ErrInvalid
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", ErrInvalid
	}
	return s, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// cjk are the scripts that one Chinese, Japanese or Korean name mixes.
var cjk = []string{"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"}

// mixedScripts tells whether a domain label holds letters of more than one
// script (digits, hyphens and marks belong to none), Chinese, Japanese and
// Korean scripts counting as one.
func mixedScripts(label string) bool {
	first := ""
	for _, r := range label {
		if !unicode.IsLetter(r) {
			continue
		}
		script := scriptOf(r)
		for _, c := range cjk {
			if script == c {
				script = "CJK"
			}
		}
		switch {
		case script == "":
		case first == "":
			first = script
		case script != first:
			return true
		}
	}
	return false
}

func scriptOf(r rune) string {
	if r < 0x80 {
		return "Latin"
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}
