// Package i18n holds the portal's texts in Finnish (the default), Swedish
// and English, and formats dates and money the way each language does.
// Texts live in locales/<lang>/*.json (one file per part of the portal,
// the same file names in every language): a key maps to a string, or to an
// object {"one": …, "other": …} for counts. Placeholders are {name}.
// {brand} is filled by every printer with the portal's name: the chain's
// configured brand (Catalog.WithBrand), else the language's "app.name".
// A text names the brand only in a form that takes any name as it is (in
// Finnish: the nominative, never an inflected "Asiakassivun").
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed locales
var files embed.FS

// Lang is a supported language code.
type Lang string

// Supported languages; Finnish is the default.
const (
	Finnish Lang = "fi"
	Swedish Lang = "sv"
	English Lang = "en"
)

// Langs lists the supported languages, the default first.
var Langs = []Lang{Finnish, Swedish, English}

// message is one text: a plain string, or plural forms by CLDR category.
type message struct {
	One   string
	Other string
}

func (m *message) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		m.One, m.Other = s, s
		return nil
	}
	var p struct{ One, Other string }
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Other == "" {
		return fmt.Errorf("plural message without \"other\"")
	}
	if p.One == "" {
		p.One = p.Other
	}
	*m = message(p)
	return nil
}

// Catalog is every text in every language.
type Catalog struct {
	msgs    map[Lang]map[string]message
	matcher language.Matcher
	brand   string // the configured brand name; "" for app.name
}

// WithBrand returns the catalog whose printers name the portal brand in
// every language wherever a text says {brand}; an empty name keeps each
// language's "app.name". The receiver is left as it was.
func (c *Catalog) WithBrand(name string) *Catalog {
	b := *c
	b.brand = strings.TrimSpace(name)
	return &b
}

// Load reads the embedded locales. It fails when a file does not parse.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]message{}}
	var tags []language.Tag
	for _, l := range Langs {
		names, err := fs.Glob(files, path.Join("locales", string(l), "*.json"))
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("locale %s: no files", l)
		}
		m := map[string]message{}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			part := map[string]message{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("%s: key %q is defined twice", name, k)
				}
				m[k] = v
			}
		}
		c.msgs[l] = m
		tags = append(tags, language.Make(string(l)))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Keys returns the sorted keys of a language, for the parity test.
func (c *Catalog) Keys(l Lang) []string {
	var keys []string
	for k := range c.msgs[l] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether the key exists in the default language.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Finnish][key]
	return ok
}

// Parse returns the supported language named by s, or false.
func Parse(s string) (Lang, bool) {
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// Match picks the best supported language for an Accept-Language header;
// Finnish when nothing matches.
func (c *Catalog) Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Finnish
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Finnish
	}
	return Langs[i]
}

// Printer renders texts of one language.
type Printer struct {
	c    *Catalog
	Lang Lang
}

// Printer returns the printer of language l.
func (c *Catalog) Printer(l Lang) Printer { return Printer{c: c, Lang: l} }

// T returns the text of key with its {placeholders} filled from args,
// given as name, value pairs. A missing key shows as the key itself (and
// fails the tests), never as an empty string.
func (p Printer) T(key string, args ...any) string {
	m, ok := p.c.msgs[p.Lang][key]
	if !ok {
		if m, ok = p.c.msgs[Finnish][key]; !ok {
			return key
		}
	}
	return fill(m.Other, p.withBrand(m.Other, args))
}

// Brand is the portal's name as this printer shows it: the configured
// brand, or the language's "app.name" when none is configured.
func (p Printer) Brand() string {
	if p.c.brand != "" {
		return p.c.brand
	}
	if m, ok := p.c.msgs[p.Lang]["app.name"]; ok {
		return m.Other
	}
	return p.c.msgs[Finnish]["app.name"].Other
}

// withBrand adds the brand to args when s names it.
func (p Printer) withBrand(s string, args []any) []any {
	if !strings.Contains(s, "{brand}") {
		return args
	}
	return append(args[:len(args):len(args)], "brand", p.Brand())
}

// N returns the plural form of key for count n (Finnish, Swedish and
// English all use "one" for exactly 1), with {n} and args filled.
func (p Printer) N(key string, n int, args ...any) string {
	m, ok := p.c.msgs[p.Lang][key]
	if !ok {
		return key
	}
	s := m.Other
	if n == 1 {
		s = m.One
	}
	return fill(s, p.withBrand(s, append([]any{"n", n}, args...)))
}

func fill(s string, args []any) string {
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	// One pass over s: a {name} with an argument of that name becomes the
	// argument, anything else stays as written.
	var b strings.Builder
	b.Grow(len(s) + 16)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		name, found := s[open+1:open+end], false
		if inner := strings.LastIndexByte(name, '{'); inner >= 0 {
			b.WriteString(s[:open+1+inner])
			s = s[open+1+inner:]
			continue
		}
		for i := 0; i+1 < len(args); i += 2 {
			if k, _ := args[i].(string); k == name {
				b.WriteString(s[:open])
				b.WriteString(fmt.Sprint(args[i+1]))
				found = true
				break
			}
		}
		if !found {
			b.WriteString(s[:open+end+1])
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Money formats cents the way the language writes euros: "1 234,50 €" in
// Finnish and Swedish (no-break spaces), "€1,234.50" in English.
func (p Printer) Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "−", -cents
	}
	euros := strconv.FormatInt(cents/100, 10)
	sep, dec := "\u00a0", ","
	if p.Lang == English {
		sep, dec = ",", "."
	}
	var b strings.Builder
	for i, r := range euros {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	amount := fmt.Sprintf("%s%s%02d", b.String(), dec, cents%100)
	if p.Lang == English {
		return sign + "€" + amount
	}
	return sign + amount + "\u00a0€"
}

// Date formats a calendar date: 1.12.2026 in Finnish and Swedish,
// 1 Dec 2026 in English.
func (p Printer) Date(y int, m time.Month, d int) string {
	if y == 0 {
		return ""
	}
	if p.Lang == English {
		return fmt.Sprintf("%d %s %d", d, m.String()[:3], y)
	}
	return fmt.Sprintf("%d.%d.%d", d, int(m), y)
}

// Clock formats a time of day: 9.00 in Finnish and Swedish, 9:00 in English.
func (p Printer) Clock(t time.Time) string {
	if p.Lang == English {
		return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%d.%02d", t.Hour(), t.Minute())
}

// Weekday is the short name of a weekday ("ti", "tis", "Tue").
func (p Printer) Weekday(d time.Weekday) string { return p.T("weekday." + strconv.Itoa(int(d))) }

// Span formats a time window on one day, both ends already in local time:
// "ti 1.12.2026 klo 9.00–12.00".
func (p Printer) Span(start, end time.Time) string {
	return p.T("time.span", "day", p.Weekday(start.Weekday()), "date", p.Date(start.Date()),
		"start", p.Clock(start), "end", p.Clock(end))
}
