package portal

import (
	"strings"
	"testing"
	"time"
)

func TestThreadOpen(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	inForce := []Contract{{Start: NewDate(2024, 1, 1)}}
	ended := []Contract{{Start: NewDate(2024, 1, 1), End: NewDate(2026, 6, 30)}}
	for _, c := range []struct {
		name      string
		contracts []Contract
		last      time.Time
		want      bool
	}{
		{"contract in force", inForce, time.Time{}, true},
		{"ended, last visit 89 days ago", ended, now.Add(-89 * 24 * time.Hour), true},
		{"ended, last visit exactly 90 days ago", ended, now.Add(-ThreadKeptOpen), false},
		{"ended, last visit 91 days ago", ended, now.Add(-91 * 24 * time.Hour), false},
		{"ended, no visits", ended, time.Time{}, false},
		{"no contracts at all, recent visit", nil, now.Add(-time.Hour), true},
	} {
		if got := ThreadOpen(c.contracts, c.last, now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCleanMessage(t *testing.T) {
	for _, c := range []struct {
		in, text, problem string
	}{
		{"", "", MessageEmpty},
		{" \r\n\t ", "", MessageEmpty},
		{"Hei!\r\nKiitos.", "Hei!\nKiitos.", ""},
		{"  <b>https://x.example</b>  ", "<b>https://x.example</b>", ""},
		{strings.Repeat("ä", MaxMessageLength), strings.Repeat("ä", MaxMessageLength), ""},
		{strings.Repeat("ä", MaxMessageLength+1), strings.Repeat("ä", MaxMessageLength+1), MessageLong},
		{"bad \xff byte", "bad  byte", ""},
	} {
		text, problem := CleanMessage(c.in)
		if text != c.text || problem != c.problem {
			t.Errorf("CleanMessage(%.20q) = %.20q, %q; want %.20q, %q", c.in, text, problem, c.text, c.problem)
		}
	}
}
