package i18n

import (
	"strings"
	"unicode/utf8"
)

// FinnishGenitive is a person's full name in the Finnish genitive, as in
// "Hoidat kohdetta Aino Virtasen puolesta": only the last name inflects.
// Finnish names inflect by rules that a program cannot always know (Joki →
// Joen, Virta → Virran), so only the patterns that are certain are
// inflected — -nen (Virtanen → Virtasen), -e (Laine → Laineen), a back or
// front vowel after a double stop or a non-stop (Pekka → Pekan, Salo →
// Salon), a foreign consonant ending (Smith → Smithin) — and any other
// name gets the form that needs none: "henkilön Aino Joki". An empty name
// stays empty.
func FinnishGenitive(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	i := strings.LastIndexByte(name, ' ')
	first, last := name[:i+1], name[i+1:]
	if g, ok := lastNameGenitive(last); ok {
		return first + g
	}
	return "henkilön " + name
}

// lastNameGenitive inflects one word when its pattern is certain.
func lastNameGenitive(w string) (string, bool) {
	lower := strings.ToLower(w)
	n := utf8.RuneCountInString(lower)
	if n < 2 || strings.ContainsAny(lower, "-'.") {
		return "", false
	}
	r := []rune(w)
	lr := []rune(lower)
	end := lr[n-1]
	isVowel := func(c rune) bool { return strings.ContainsRune("aeiouyäöå", c) }
	isStop := func(c rune) bool { return c == 'k' || c == 'p' || c == 't' }
	switch {
	case strings.HasSuffix(lower, "nen") && n > 3:
		return string(r[:n-3]) + "sen", true
	case end == 'e':
		return w + "en", true
	case strings.ContainsRune("aouyäö", end):
		prev := lr[n-2]
		if !isStop(prev) {
			return w + "n", true
		}
		// A stop before the vowel: only a double one (kk, pp, tt) is
		// certain to weaken to a single one.
		if n >= 3 && lr[n-3] == prev {
			return string(r[:n-2]) + string(r[n-1]) + "n", true
		}
		return "", false
	case !isVowel(end) && end >= 'a' && end <= 'z':
		return w + "in", true
	}
	return "", false
}
