package portal

import "strings"

// MaskEmail shows enough of an address for its owner to recognise it and
// not enough to give it away: "maija.m@example.fi" → "m***@e***.fi".
func MaskEmail(addr string) string {
	addr = strings.TrimSpace(addr)
	local, domain, ok := strings.Cut(addr, "@")
	first := func(s string) string {
		for _, r := range s {
			return string(r) + "***"
		}
		return "***"
	}
	if !ok {
		return first(local)
	}
	masked := first(local) + "@"
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		return masked + first(domain[:i]) + domain[i:]
	}
	return masked + first(domain)
}
