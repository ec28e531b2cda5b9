package portal

import (
	"strings"
	"time"
)

// hetuChecks are the check characters of a henkilötunnus, indexed by the
// nine-digit number (birth date and individual number) modulo 31.
const hetuChecks = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuCentury maps a century sign to its century: + for the 1800s, - and
// U–Y for the 1900s, A–F for the 2000s.
var hetuCentury = map[byte]int{'+': 1800, '-': 1900, 'U': 1900, 'V': 1900, 'W': 1900, 'X': 1900, 'Y': 1900,
	'A': 2000, 'B': 2000, 'C': 2000, 'D': 2000, 'E': 2000, 'F': 2000}

// NormalizeHetu trims a henkilötunnus and upper-cases its letters.
func NormalizeHetu(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidHetu reports whether s (normalised) is a Finnish personal identity
// code DDMMYYCZZZQ: a real birth date, a century sign (+ - A–F U–Y), an
// individual number 002–999 and the right check character.
func ValidHetu(s string) bool {
	if len(s) != 11 {
		return false
	}
	century, ok := hetuCentury[s[6]]
	if !ok {
		return false
	}
	digits := s[:6] + s[7:10]
	n := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	day, month, year := n/10000000, n/100000%100, century+n/1000%100
	if individual := n % 1000; individual < 2 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || t.Day() != day || t.Month() != time.Month(month) {
		return false
	}
	return s[10] == hetuChecks[n%31]
}

// MaskHetu shows an identity code with only its century sign and check
// character: "******-***T". Anything else shows as stars. It is the one
// way a code is shown to a person: the consent page and the data download
// (app's maskSealed); only the yearly deduction export, a server command,
// holds codes in clear.
func MaskHetu(s string) string {
	if len(s) != 11 {
		return "***********"
	}
	return "******" + s[6:7] + "***" + s[10:]
}
