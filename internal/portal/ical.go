package portal

import (
	"fmt"
	"strings"
	"time"
)

// CalendarFeed is an account's calendar-feed address (only the hash of
// its token is kept): when it was made, the language of its texts and
// whether its events carry the home's street address, which is off until
// the person turns it on.
type CalendarFeed struct {
	AccountID   int64
	CreatedAt   time.Time
	Language    string
	ShowAddress bool
}

// CalendarEvent is one visit as a calendar feed shows it: times, the
// service and the home's name and city, the worker's first name, a link
// to the visit's page and, only when the person turned it on, the street
// address — never access instructions or notes, because feed addresses
// end up in third-party calendar services.
type CalendarEvent struct {
	UID         string
	Sequence    int
	Start       time.Time
	End         time.Time
	Summary     string
	Location    string
	Description string
	URL         string
	Status      VisitStatus
	Stamp       time.Time
}

// ICalendar writes events as an RFC 5545 calendar: CRLF line ends, lines
// folded at 75 octets, text escaped, times in UTC, cancelled visits as
// STATUS:CANCELLED.
func ICalendar(name string, events []CalendarEvent) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Asiakassivu//Palveluvuorot//FI")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icalText(name))
	line("X-WR-TIMEZONE:Europe/Helsinki")
	const utc = "20060102T150405Z"
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line(fmt.Sprintf("SEQUENCE:%d", e.Sequence))
		line("DTSTAMP:" + e.Stamp.UTC().Format(utc))
		line("DTSTART:" + e.Start.UTC().Format(utc))
		line("DTEND:" + e.End.UTC().Format(utc))
		line("SUMMARY:" + icalText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + icalText(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + icalText(e.Description))
		}
		// A URI value is not escaped: one with a control character (a line
		// break would start a property of its own) is left out.
		if e.URL != "" && !strings.ContainsFunc(e.URL, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			line("URL:" + e.URL)
		}
		if e.Status.Cancelled() {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// icalText escapes a TEXT value.
func icalText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold ends a content line with CRLF, folding it into lines of at most 75
// octets without splitting a UTF-8 character.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}
