package portal

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238) as authenticator apps do it: HMAC-SHA-1, 30-second
// steps, six digits. It is the second factor that works without
// JavaScript and on any phone.
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	// TOTPWindow is how many steps before and after now a code may be
	// from: a phone's clock a little off still works.
	TOTPWindow = 1
	// TOTPSecretBytes is the length of a new secret (160 bits, as RFC 4226
	// recommends).
	TOTPSecretBytes = 20
)

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode is the code of a secret for one time step.
func TOTPCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", TOTPDigits, v%1_000_000)
}

// CheckTOTP finds the step of a typed code within the window around now.
// A code of a step at or before lastStep (already used) is refused, so a
// code seen over someone's shoulder cannot be used again.
func CheckTOTP(secret []byte, typed string, now time.Time, lastStep int64) (step int64, ok bool) {
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' {
			return -1
		}
		return 'x'
	}, typed)
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - TOTPWindow; s <= cur+TOTPWindow; s++ {
		if s > lastStep && hmac.Equal([]byte(TOTPCode(secret, s)), []byte(code)) {
			return s, true
		}
	}
	return 0, false
}

var totpBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPSecretText is the secret as people type it into an app: base32 in
// groups of four.
func TOTPSecretText(secret []byte) string {
	s := totpBase32.EncodeToString(secret)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// ParseTOTPSecret reads a secret written by TOTPSecretText (spaces and case
// do not matter).
func ParseTOTPSecret(s string) ([]byte, error) {
	return totpBase32.DecodeString(strings.ToUpper(strings.ReplaceAll(s, " ", "")))
}

// TOTPURI is the otpauth:// address an authenticator app reads (from a
// link on the phone itself, or typed).
func TOTPURI(issuer, account string, secret []byte) string {
	v := url.Values{"secret": {totpBase32.EncodeToString(secret)}, "issuer": {issuer},
		"algorithm": {"SHA1"}, "digits": {fmt.Sprint(TOTPDigits)}, "period": {fmt.Sprint(int(TOTPPeriod / time.Second))}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}
