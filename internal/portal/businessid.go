package portal

// ValidBusinessID reports whether s is a Finnish business id (Y-tunnus) in
// its written form "1234567-8" with a matching check digit, so a typing
// slip is caught when head office enters a provider rather than in the
// tax report months later.
func ValidBusinessID(s string) bool {
	if len(s) != 9 || s[7] != '-' {
		return false
	}
	weights := [7]int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * w
	}
	check := s[8]
	if check < '0' || check > '9' {
		return false
	}
	r := sum % 11
	switch r {
	case 0:
		return check == '0'
	case 1:
		return false // no id is issued with this remainder
	}
	return int(check-'0') == 11-r
}
