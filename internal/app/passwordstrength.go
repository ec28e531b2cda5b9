package app

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/text/unicode/norm"
)

// Password length limits (SECURITY.md), counted in characters after NFKC.
const (
	MinPasswordLength = 12
	MaxPasswordLen    = 128
)

// passwordProblem returns the text key of what is wrong with a new
// password, or "" when it is acceptable: long enough, not too long, not on
// the list of common passwords (30 000 entries) and not easy to guess.
// userInputs (the email address) count against it.
func passwordProblem(pw string, userInputs ...string) string {
	pw = norm.NFKC.String(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n == 0:
		return "error.password.empty"
	case n < MinPasswordLength:
		return "error.password.short"
	case n > MaxPasswordLen:
		return "error.password.long"
	case commonPassword(pw):
		return "error.password.common"
	}
	var inputs []string
	for _, u := range userInputs {
		inputs = append(inputs, strings.ToLower(u))
		if at := strings.IndexByte(u, '@'); at > 0 {
			inputs = append(inputs, strings.ToLower(u[:at]))
		}
	}
	if zxcvbn.PasswordStrength(asciiFold(pw), inputs).Score < 2 {
		return "error.password.guessable"
	}
	return ""
}

// asciiFold maps letters outside ASCII to near ASCII ones before the
// strength estimate, which misjudges multi-byte text (it scores some
// Finnish phrases as zero guesses). Folding only makes the estimate
// stricter: "päivä" is judged as the more guessable "paiva".
func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < utf8.RuneSelf:
			return r
		case strings.ContainsRune("äàáâãåā", r):
			return 'a'
		case strings.ContainsRune("ÄÀÁÂÃÅĀ", r):
			return 'A'
		case strings.ContainsRune("öòóôõøō", r):
			return 'o'
		case strings.ContainsRune("ÖÒÓÔÕØŌ", r):
			return 'O'
		case strings.ContainsRune("üùúû", r):
			return 'u'
		case strings.ContainsRune("ÜÙÚÛ", r):
			return 'U'
		case strings.ContainsRune("éèêë", r):
			return 'e'
		case strings.ContainsRune("ÉÈÊË", r):
			return 'E'
		}
		return 'x'
	}, s)
}

func commonPassword(pw string) bool {
	lower := strings.ToLower(pw)
	for _, p := range frequency.FrequencyLists["passwords"] {
		if p == lower {
			return true
		}
	}
	return false
}
