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

// HetuProblem is why an identity code cannot be a deduction payer's.
type HetuProblem string

// The identity-code problems of a payer, each with its own message.
const (
	HetuOK        HetuProblem = ""
	HetuInvalid   HetuProblem = "invalid"   // not a henkilötunnus (ValidHetu)
	HetuTemporary HetuProblem = "temporary" // individual number 900–999: temporary or test codes
	HetuFuture    HetuProblem = "future"    // a birth date after today
)

// CheckPayerHetu is the rule for a deduction payer's identity code outside
// demo data (a consent saved in the portal, a consent imported from the old
// extranet): a valid code (normalised) whose individual number is not one
// of the temporary or test codes 900–999 and whose birth date is not after
// today (in Helsinki). The demo data's codes are 900–999 on purpose and are
// written without this check.
func CheckPayerHetu(s string, today Date) HetuProblem {
	if !ValidHetu(s) {
		return HetuInvalid
	}
	if s[7] == '9' {
		return HetuTemporary
	}
	if today.Before(hetuBirthDate(s)) {
		return HetuFuture
	}
	return HetuOK
}

// hetuBirthDate is the birth date of a valid code.
func hetuBirthDate(s string) Date {
	num := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	return NewDate(hetuCentury[s[6]]+num(4), time.Month(num(2)), num(0))
}
