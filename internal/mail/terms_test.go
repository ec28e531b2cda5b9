package mail

import (
	"regexp"
	"strings"
	"testing"
)

// TestMailsUseOneTerm: the mails say what the pages say (the i18n
// package's TestOneTermPerConcept): Swedish "tjänsteproducent", English
// "bill".
func TestMailsUseOneTerm(t *testing.T) {
	checks := []struct {
		files []string
		bad   *regexp.Regexp
		ok    func(string) bool
	}{
		{[]string{"templates/sv.txt", "templates/sv.html"}, regexp.MustCompile(`(?i)[\p{L}-]*(producent|leverantör)\p{L}*`),
			func(w string) bool { return strings.HasPrefix(strings.ToLower(w), "tjänsteproducent") }},
		{[]string{"templates/en.txt", "templates/en.html"}, regexp.MustCompile(`(?i)\binvoic\p{L}*|\bbilling summar\p{L}*`),
			func(string) bool { return false }},
	}
	for _, c := range checks {
		for _, name := range c.files {
			b, err := templateFiles.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, w := range c.bad.FindAllString(string(b), -1) {
				if c.ok(w) {
					n++
					continue
				}
				t.Errorf("%s says %q", name, w)
			}
			if strings.HasPrefix(name, "templates/sv") && n == 0 {
				t.Errorf("%s names no tjänsteproducent: is the pattern right?", name)
			}
		}
	}
}
