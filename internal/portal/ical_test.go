package portal

import (
	"strings"
	"testing"
	"time"
)

func TestICalendar(t *testing.T) {
	stamp := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	long := strings.Repeat("Säännöllinen siivous, ikkunat; ", 5)
	ics := string(ICalendar("Palveluvuorot", []CalendarEvent{
		// Winter time (+02): 9.00 local is 07:00Z.
		{UID: "visit-1@asiakassivu", Sequence: 2, Start: hel(2026, 12, 1, 9, 0), End: hel(2026, 12, 1, 12, 0), Summary: long, Status: VisitConfirmed, Stamp: stamp},
		// Summer time (+03): 9.00 local is 06:00Z.
		{UID: "visit-2@asiakassivu", Start: hel(2027, 6, 1, 9, 0), End: hel(2027, 6, 1, 12, 0), Summary: "Kotiapu", Status: VisitCancelledByProvider, Stamp: stamp},
	}))
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART:20261201T070000Z\r\n", "DTSTART:20270601T060000Z\r\n",
		"SEQUENCE:2\r\n", "STATUS:CANCELLED\r\n", "UID:visit-2@asiakassivu\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets", i, len(line))
		}
		if strings.Contains(line, "\n") {
			t.Errorf("line %d has a bare LF", i)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+strings.NewReplacer(",", `\,`, ";", `\;`).Replace(long)+"\r\n") {
		t.Error("a folded summary does not unfold to the escaped text")
	}
}

// TestICalendarDescriptionAndURL: a description is escaped text; a URL
// with a line break in it is left out rather than let start a property of
// its own.
func TestICalendarDescriptionAndURL(t *testing.T) {
	stamp := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	ev := CalendarEvent{UID: "visit-1@asiakassivu", Start: hel(2026, 12, 1, 9, 0), End: hel(2026, 12, 1, 12, 0), Summary: "Siivous",
		Description: "Tekijä: Aino\nhttps://portaali.example/kohteet/1", URL: "https://portaali.example/kohteet/1/palveluvuorot/1",
		Status: VisitConfirmed, Stamp: stamp}
	ics := string(ICalendar("Palveluvuorot", []CalendarEvent{ev}))
	for _, want := range []string{"DESCRIPTION:Tekijä: Aino\\nhttps://portaali.example/kohteet/1\r\n",
		"URL:https://portaali.example/kohteet/1/palveluvuorot/1\r\n"} {
		if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), want) {
			t.Errorf("calendar lacks %q:\n%s", want, ics)
		}
	}
	ev.URL = "https://portaali.example/x\r\nATTACH:https://evil.example/"
	ics = string(ICalendar("Palveluvuorot", []CalendarEvent{ev}))
	if strings.Contains(ics, "URL:") || strings.Contains(ics, "ATTACH") {
		t.Errorf("a URL with a line break went out:\n%s", ics)
	}
}
