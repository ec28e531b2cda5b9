package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

var keyInTemplate = regexp.MustCompile(`\.(?:T|N)\("([^"]+)"\s*[,)]`)

// TestTemplatesUseKnownKeys fails when a page component (a .templ file)
// names a text key that the locales do not have.
func TestTemplatesUseKnownKeys(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.templ")
	n := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyInTemplate.FindAllStringSubmatch(string(b), -1) {
			n++
			if !c.Has(m[1]) {
				t.Errorf("%s uses unknown text key %q", p, m[1])
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d keys in templates; is the pattern right?", n)
	}
}

var keyInGo = regexp.MustCompile(`"((?:error|signin|errorpage|sites|site|visit|invoice|contract|rhythm|nav|layout)\.[a-zA-Z0-9_.]+)"`)

// TestCodeUsesKnownKeys checks the keys the Go code of this package names
// as literals, and the families it builds from values.
func TestCodeUsesKnownKeys(t *testing.T) {
	c, _ := i18n.Load()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range keyInGo.FindAllStringSubmatch(string(b), -1) {
			if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], ".html") {
				continue // a prefix completed at run time (checked below), or a file
			}
			if !c.Has(m[1]) && !hasPrefix(c, m[1]+".") {
				t.Errorf("%s uses unknown text key %q", f, m[1])
			}
		}
	}
	for _, l := range i18n.Langs {
		tx := texts{c.Printer(l)}
		for _, st := range portal.VisitStatuses {
			if got := tx.VisitStatus(st); strings.Contains(got, "visit.status") {
				t.Errorf("%s: no text for visit status %s", l, st)
			}
		}
		for _, r := range []string{"weekly", "biweekly", "monthly", ""} {
			if got := tx.Rhythm(r); strings.Contains(got, "rhythm.") {
				t.Errorf("%s: no text for rhythm %q", l, r)
			}
		}
		for _, code := range []string{"403", "404", "409", "413", "500"} {
			for _, part := range []string{".title", ".text"} {
				if !c.Has("errorpage." + code + part) {
					t.Errorf("no errorpage.%s%s", code, part)
				}
			}
		}
	}
}

func hasPrefix(c *i18n.Catalog, prefix string) bool {
	for _, k := range c.Keys(i18n.Finnish) {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// TestRawKeyPattern: the check that runs on every fetched page finds keys
// and leaves addresses and file names alone.
func TestRawKeyPattern(t *testing.T) {
	for _, s := range []string{"<p>visit.note.label</p>", "Tila: visit.status.done", "errorpage.404.title"} {
		if rawKeyIn(s) == "" {
			t.Errorf("%q not caught", s)
		}
	}
	for _, s := range []string{"asiakas@demo.example", "/static/style.3f2a9c1b.css", "/manifest.webmanifest", "/static/app.73eb76ab.js", "tampere@kotikulma.example", "1.12.2026"} {
		if k := rawKeyIn(s); k != "" {
			t.Errorf("%q wrongly caught as %q", s, k)
		}
	}
}

// TestProviderEventsReadInEveryLanguage: a system message the provider's
// change posts in a thread is written in the reader's language, for every
// kind that has a text of its own, not shown as its stored Finnish body.
func TestProviderEventsReadInEveryLanguage(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	kinds := []portal.EventKind{portal.KindVisitRescheduled, portal.KindProviderCancelledVisit, portal.KindVisitMarkedDone,
		portal.KindVisitMoveAccepted, portal.KindVisitMoveDeclined}
	data := `{"from":"2026-12-01T08:00:00Z","starts_at":"2026-12-03T09:00:00Z","reason":"sairastuminen"}`
	for _, l := range i18n.Langs {
		tx := texts{c.Printer(l)}
		for _, k := range kinds {
			got := tx.SystemMessage(portal.Message{Kind: string(k), Body: "tallennettu teksti", Data: data})
			if got == "tallennettu teksti" || got == "" || strings.Contains(got, "system.") {
				t.Errorf("%s, %s: got %q, want the text of its own", l, k, got)
			}
		}
	}
	if got := (texts{c.Printer(i18n.Swedish)}).SystemMessage(portal.Message{Kind: "visit.note", Body: "tallennettu"}); got != "tallennettu" {
		t.Errorf("a kind without a text of its own: got %q, want its stored body", got)
	}
}
