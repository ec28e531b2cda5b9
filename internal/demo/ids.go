package demo

import (
	"fmt"

	"asiakassivu/internal/portal"
)

// businessID returns the first valid Finnish business id (Y-tunnus,
// "1234567-8") whose seven digits are base or above. The check digit is
// the weighted sum of the digits (weights 7, 9, 10, 5, 8, 4, 2) modulo 11,
// taken from 11; remainder 0 gives 0 and remainder 1 is never issued, so
// such a base is skipped.
func businessID(base int) string {
	for n := base; ; n++ {
		if c, ok := businessIDCheck(n); ok {
			return fmt.Sprintf("%07d-%d", n, c)
		}
	}
}

func businessIDCheck(n int) (int, bool) {
	weights := [7]int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 6; i >= 0; i-- {
		sum += (n % 10) * weights[i]
		n /= 10
	}
	switch r := sum % 11; r {
	case 0:
		return 0, true
	case 1:
		return 0, false
	default:
		return 11 - r, true
	}
}

// hetuChecks indexes the remainder modulo 31 to the check character of a
// personal identity code (henkilötunnus).
const hetuChecks = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// identityCode returns the personal identity code of a person born on
// birth with individual number nnn. Demo codes use 900–999, the range
// never given to real people. Century sign "-" is the 1900s and "A" the
// 2000s.
func identityCode(birth portal.Date, nnn int) string {
	sign := "-"
	if birth.Year >= 2000 {
		sign = "A"
	}
	dd, mm, yy := birth.Day, int(birth.Month), birth.Year%100
	n := ((dd*100+mm)*100+yy)*1000 + nnn
	return fmt.Sprintf("%02d%02d%02d%s%03d%c", dd, mm, yy, sign, nnn, hetuChecks[n%31])
}
