package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLocaleParity(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fi := c.Keys(Finnish)
	if len(fi) < 50 {
		t.Fatalf("only %d Finnish keys", len(fi))
	}
	for _, l := range Langs[1:] {
		keys := c.Keys(l)
		for _, k := range fi {
			if !slices.Contains(keys, k) {
				t.Errorf("%s lacks key %q", l, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(fi, k) {
				t.Errorf("%s has key %q that Finnish lacks", l, k)
			}
		}
		for _, k := range keys {
			if strings.TrimSpace(c.msgs[l][k].Other) == "" {
				t.Errorf("%s: key %q is empty", l, k)
			}
		}
	}
}

func TestPlaceholdersMatch(t *testing.T) {
	c, _ := Load()
	for _, k := range c.Keys(Finnish) {
		want := placeholders(c.msgs[Finnish][k].Other)
		for _, l := range Langs[1:] {
			if got := placeholders(c.msgs[l][k].Other); !slices.Equal(got, want) {
				t.Errorf("%s %q has placeholders %v, Finnish %v", l, k, got, want)
			}
		}
	}
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		out = append(out, s[i:i+j+1])
		s = s[i+j+1:]
	}
	slices.Sort(out)
	return out
}

func TestFormats(t *testing.T) {
	c, _ := Load()
	fi, sv, en := c.Printer(Finnish), c.Printer(Swedish), c.Printer(English)
	tests := []struct{ got, want string }{
		{fi.Money(123450), "1\u00a0234,50\u00a0€"},
		{fi.Money(5), "0,05\u00a0€"},
		{fi.Money(-8900), "−89,00\u00a0€"},
		{fi.Money(123456789), "1\u00a0234\u00a0567,89\u00a0€"},
		{sv.Money(123450), "1\u00a0234,50\u00a0€"},
		{en.Money(123450), "€1,234.50"},
		{fi.Date(2026, 12, 1), "1.12.2026"},
		{en.Date(2026, 12, 1), "1 Dec 2026"},
		{fi.N("sites.count", 1), "1 kohde tällä tilillä."},
		{fi.N("sites.count", 3), "3 kohdetta tällä tilillä."},
		{en.N("sites.count", 1), "1 home on this account."},
		{en.N("sites.count", 2), "2 homes on this account."},
		{fi.Span(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)), "ti 1.12.2026 klo 9.00–12.30"},
		{sv.Span(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)), "tis 1.12.2026 kl. 9.00–12.30"},
		{en.Span(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)), "Tue 1 Dec 2026, 9:00–12:30"},
		{fi.T("site.worker", "name", "Aino"), "tekijänä Aino"},
		{fi.T("no.such.key"), "no.such.key"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	c, _ := Load()
	tests := []struct {
		header string
		want   Lang
	}{
		{"", Finnish},
		{"sv-FI,sv;q=0.9,en;q=0.5", Swedish},
		{"en-GB,en;q=0.9", English},
		{"de-DE,de;q=0.9", Finnish},
		{"fi-FI", Finnish},
		{"garbage;;;", Finnish},
	}
	for _, tt := range tests {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

// TestFill: placeholders by name, unknown ones and stray braces as written.
func TestFill(t *testing.T) {
	for _, c := range []struct {
		s    string
		args []any
		want string
	}{
		{"{n} viestiä", []any{"n", 3}, "3 viestiä"},
		{"{a} ja {b}, {a}", []any{"a", "x", "b", 2}, "x ja 2, x"},
		{"{tuntematon} {n}", []any{"n", 1}, "{tuntematon} 1"},
		{"avoin { ja {n}", []any{"n", 1}, "avoin { ja 1"},
		{"ei sulkevaa {n", []any{"n", 1}, "ei sulkevaa {n"},
		{"{n}", []any{"n", "{n}"}, "{n}"},
		{"ei paikkoja", []any{"n", 1}, "ei paikkoja"},
	} {
		if got := fill(c.s, c.args); got != c.want {
			t.Errorf("fill(%q, %v) = %q, want %q", c.s, c.args, got, c.want)
		}
	}
}
