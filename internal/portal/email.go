package portal

import (
	"errors"
	"net/mail"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// MaxEmailLength is the longest address accepted (RFC 5321 path limit).
const MaxEmailLength = 254

// ErrInvalidEmail means the text is not a usable email address.
var ErrInvalidEmail = errors.New("invalid email address")

// NormalizeEmail returns the form in which emails are compared: trimmed,
// Unicode NFC, lower-cased. It is the only place where emails are folded;
// SQL lower() is never used because SQLite does not fold ä/Ä.
func NormalizeEmail(s string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
}

// CheckEmail validates an address typed by a person and returns it trimmed
// and in NFC (case kept, for display) or ErrInvalidEmail.
func CheckEmail(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" || len(s) > MaxEmailLength || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return "", ErrInvalidEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", ErrInvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", ErrInvalidEmail
	}
	return s, nil
}
