package portal

import (
	"errors"
	"strings"
	"time"
)

// Parsing of what people type: dates and amounts the Finnish way (the old
// extranet's export, the admin console's forms).

// ParseDay reads a date as people write it: d.m.yyyy (Finnish, a
// trailing dot allowed) or yyyy-mm-dd (ISO 8601, as date inputs send it),
// between the years 1900 and 2199.
func ParseDay(s string) (Date, error) {
	var y, m, d int
	var err error
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimSuffix(s, ".")
		i := strings.IndexByte(s, '.')
		j := strings.LastIndexByte(s, '.')
		if i < 1 || i > 2 || j-i-1 < 1 || j-i-1 > 2 || len(s)-j-1 != 4 {
			return Date{}, errBadDate
		}
		if d, err = digits(s[:i]); err == nil {
			if m, err = digits(s[i+1 : j]); err == nil {
				y, err = digits(s[j+1:])
			}
		}
	} else {
		if len(s) != 10 || s[4] != '-' || s[7] != '-' {
			return Date{}, errBadDate
		}
		if y, err = digits(s[:4]); err == nil {
			if m, err = digits(s[5:7]); err == nil {
				d, err = digits(s[8:])
			}
		}
	}
	if err != nil || y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 {
		return Date{}, errBadDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return Date{}, errBadDate
	}
	return NewDate(y, time.Month(m), d), nil
}

var errBadDate = errors.New("bad date")

func digits(s string) (int, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errBadDate
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}

// ParseDecimal reads a number written the Finnish way ("1 234,50", also
// "1234.50"; spaces, no-break spaces or narrow no-break spaces group the
// thousands; a trailing € is allowed) with at most scale decimals, and
// returns it in units of 10^-scale.
func ParseDecimal(s string, scale int) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	} else if rest, ok := strings.CutPrefix(s, "−"); ok {
		neg, s = true, rest
	}
	intPart, frac := s, ""
	if i := strings.IndexAny(s, ",."); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if frac == "" || len(frac) > scale {
			return 0, errBadNumber
		}
	}
	if intPart != "" && strings.IndexFunc(intPart, func(r rune) bool { return r < '0' || r > '9' }) < 0 && len(intPart) <= 13 {
		// The common case: plain digits, no grouping.
		v, err := digits(intPart + frac + strings.Repeat("0", scale-len(frac)))
		if err != nil {
			return 0, errBadNumber
		}
		if neg {
			v = -v
		}
		return int64(v), nil
	}
	// Thousands groups: the first 1–3 digits, the others exactly 3.
	groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' })
	if len(groups) == 0 || strings.Join(groups, " ") != strings.Map(func(r rune) rune {
		if r == '\u00a0' || r == '\u202f' {
			return ' '
		}
		return r
	}, intPart) {
		return 0, errBadNumber
	}
	var whole string
	for i, g := range groups {
		if len(groups) > 1 && ((i == 0 && len(g) > 3) || (i > 0 && len(g) != 3)) {
			return 0, errBadNumber
		}
		whole += g
	}
	if len(whole) > 13 {
		return 0, errBadNumber
	}
	frac += strings.Repeat("0", scale-len(frac))
	v, err := digits(whole + frac)
	if err != nil {
		return 0, errBadNumber
	}
	if neg {
		v = -v
	}
	return int64(v), nil
}

var errBadNumber = errors.New("bad number")
