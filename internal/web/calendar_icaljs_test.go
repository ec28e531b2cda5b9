package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// icaljsDir returns the folder of the npm package ical.js, which CI
// installs into a temporary folder and names in ASIAKASSIVU_ICALJS (it is
// never committed), and the node binary to run it. Without either the test
// skips on a developer machine and fails in CI.
func icaljsDir(t *testing.T) (dir, node string) {
	t.Helper()
	missing := func(msg string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI installs ical.js and sets ASIAKASSIVU_ICALJS (see .ci/run)")
		}
		t.Skip(msg + ": npm install --prefix DIR --no-audit --no-fund ical.js@2 and set ASIAKASSIVU_ICALJS=DIR/node_modules/ical.js")
	}
	dir = os.Getenv("ASIAKASSIVU_ICALJS")
	if dir == "" {
		missing("ASIAKASSIVU_ICALJS is not set")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		t.Fatalf("ASIAKASSIVU_ICALJS: %v", err)
	}
	return dir, node
}

// icaljsScript parses a feed with ical.js and prints each event with its
// times as wall-clock time in Helsinki. The package is loaded through its
// own package.json because a folder path is not a bare specifier, so
// Node's "exports" resolution does not apply to it.
const icaljsScript = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, feed] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const entry = (pkg.exports && (pkg.exports.import || pkg.exports.default)) || pkg.main;
const { default: ICAL } = await import(pathToFileURL(join(dir, entry)).href);

const cal = new ICAL.Component(ICAL.parse(readFileSync(feed, 'utf8')));
for (const tz of cal.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(tz);
}
const helsinki = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Helsinki', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
const local = (t) => helsinki.format(t.toJSDate());
const events = cal.getAllSubcomponents('vevent').map((c) => {
  const e = new ICAL.Event(c);
  return {
    uid: e.uid, summary: e.summary, status: c.getFirstPropertyValue('status'), sequence: e.sequence,
    location: e.location || '', description: e.description || '',
    start: local(e.startDate), end: local(e.endDate), zone: e.startDate.zone ? e.startDate.zone.tzid : '',
  };
});
process.stdout.write(JSON.stringify({ version: cal.getFirstPropertyValue('version'), events }));
`

// icaljsEvent is an event as ical.js read it; start and end are Helsinki
// wall-clock times "2026-03-28 09:00".
type icaljsEvent struct {
	UID         string `json:"uid"`
	Summary     string `json:"summary"`
	Status      string `json:"status"`
	Sequence    int    `json:"sequence"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Zone        string `json:"zone"`
	Location    string `json:"location"`
	Description string `json:"description"`
}

// parseWithICALjs runs ical.js on a feed. Node runs in a time zone far from
// Helsinki with other DST dates, so a floating or mislabelled time in the
// feed cannot pass by being read in the zone it was meant for.
func parseWithICALjs(t *testing.T, dir, node, feed string) []icaljsEvent {
	t.Helper()
	tmp := t.TempDir()
	script, file := filepath.Join(tmp, "parse.mjs"), filepath.Join(tmp, "feed.ics")
	if err := os.WriteFile(script, []byte(icaljsScript), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(feed), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, dir, file)
	cmd.Env = append(os.Environ(), "TZ=America/New_York")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("ical.js: %v\n%s\nfeed:\n%s", err, ee.Stderr, feed)
		}
		t.Fatalf("ical.js: %v", err)
	}
	var got struct {
		Version string        `json:"version"`
		Events  []icaljsEvent `json:"events"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	if got.Version != "2.0" {
		t.Errorf("VERSION = %q, want 2.0", got.Version)
	}
	return got.Events
}

// dstVisit is a visit of TestCalendarFeedICALjs and the Helsinki day it
// must show on.
type dstVisit struct {
	service string
	at      time.Time
	cancel  bool
	day     string
}

// TestCalendarFeedICALjs reads the feed with an independent parser,
// ical.js, across both Finnish DST changes of 2026: a visit at 9–12 in
// Helsinki must stay at 9–12 on either side of each change.
func TestCalendarFeedICALjs(t *testing.T) {
	dir, node := icaljsDir(t)
	// The offsets are written out rather than taken from Go's zone data,
	// so that only ical.js and Node's ICU decide what the wall time is.
	eet, eest := time.FixedZone("EET", 2*3600), time.FixedZone("EEST", 3*3600)
	visits := []dstVisit{
		{"Siivous ennen kesäaikaa", time.Date(2026, 3, 28, 9, 0, 0, 0, eet), false, "2026-03-28"},
		{"Siivous kesäajassa", time.Date(2026, 3, 30, 9, 0, 0, 0, eest), false, "2026-03-30"},
		// Escaped on the way out; ical.js must read the text back as is.
		{"Ikkunat, parveke; sauna", time.Date(2026, 3, 31, 9, 0, 0, 0, eest), true, "2026-03-31"},
		{"Siivous ennen talviaikaa", time.Date(2026, 10, 24, 9, 0, 0, 0, eest), false, "2026-10-24"},
		{"Siivous talviajassa", time.Date(2026, 10, 26, 9, 0, 0, 0, eet), false, "2026-10-26"},
	}
	// The visits are of 2026, so the clock is pinned: the test starts at
	// 28.11.2026 and later moves a month before the spring change.
	start := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := storetest.NewClock(start)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(start)
		ctx := context.Background()
		e := newEnv(t, db, "")
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, v := range visits {
				id, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: e.sites["koti"], Source: "t", ExternalID: "dst-" + v.day,
					StartsAt: v.at, EndsAt: v.at.Add(3 * time.Hour), Status: portal.VisitConfirmed, Service: v.service,
					WorkerFirstName: "Aino", PriceCents: 8900 + int64(i)})
				if err != nil {
					return err
				}
				if v.cancel {
					if err := tx.CancelVisitByCustomer(ctx, id, 0, 0, portal.FeeFree, portal.Actor{}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		m := feedURL.FindStringSubmatch(do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{}).body)
		if m == nil {
			t.Fatal("no feed address shown")
		}
		// 28.11.2026 puts March 2026 outside the feed's 90 days back, so the
		// feed is read with the clock a month before the spring change.
		clock.Set(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
		srv := e.srv
		fetch := func() []icaljsEvent {
			t.Helper()
			r := do(t, &http.Client{}, "GET", srv.URL+"/kalenteri/"+m[1], nil)
			if r.StatusCode != 200 {
				t.Fatalf("feed: %d", r.StatusCode)
			}
			return parseWithICALjs(t, dir, node, r.body)
		}
		first := fetch()

		seen := map[string]icaljsEvent{} // by UID
		others := 0
		for _, ev := range first {
			if _, dup := seen[ev.UID]; ev.UID == "" || dup {
				t.Errorf("%q: UID %q is empty or not unique", ev.Summary, ev.UID)
			}
			seen[ev.UID] = ev
			// The title names the service and the home; a cancelled visit
			// says so first.
			i := slices.IndexFunc(visits, func(v dstVisit) bool {
				want := v.service + " – Kohde koti, Tampere"
				if v.cancel {
					want = "Peruttu: " + want
				}
				return want == ev.Summary
			})
			wantDay, wantStatus, wantSeq := isoDate(e.visitAt()), "CONFIRMED", 0 // newEnv's visits of koti and mokki
			if i < 0 {
				others++
			} else {
				wantDay = visits[i].day
				if visits[i].cancel {
					wantStatus, wantSeq = "CANCELLED", 1
				}
			}
			if ev.Start != wantDay+" 09:00" || ev.End != wantDay+" 12:00" {
				t.Errorf("%q: %s–%s in Helsinki (zone %q), want %s 09:00–12:00", ev.Summary, ev.Start, ev.End, ev.Zone, wantDay)
			}
			if ev.Status != wantStatus || ev.Sequence != wantSeq {
				t.Errorf("%q: STATUS %q SEQUENCE %d, want %q %d", ev.Summary, ev.Status, ev.Sequence, wantStatus, wantSeq)
			}
			if ev.Location != "" || ev.Description != "Tekijä: Aino" {
				t.Errorf("%q: LOCATION %q DESCRIPTION %q, want no location and the worker", ev.Summary, ev.Location, ev.Description)
			}
		}
		if len(first) != len(visits)+2 || others != 2 {
			t.Errorf("ical.js read %d events (%d not ours), want %d:\n%+v", len(first), others, len(visits)+2, first)
		}

		// A calendar app matches an event to its earlier copy by UID: a
		// second fetch must give every visit the same one.
		second := fetch()
		if len(second) != len(first) {
			t.Fatalf("second fetch: %d events, first %d", len(second), len(first))
		}
		for _, ev := range second {
			if was, ok := seen[ev.UID]; !ok || was.Summary != ev.Summary || was.Start != ev.Start {
				t.Errorf("%q at %s: UID %q on the second fetch was not this visit's on the first", ev.Summary, ev.Start, ev.UID)
			}
		}
	})
}

// TestVisitCalendarICALjs: a visit's own calendar file ("Lisää
// kalenteriin") reads in ical.js as that one visit, at its Helsinki time,
// named by service and home, with the street address only after the
// customer turned it on for her feed, and no access instructions.
func TestVisitCalendarICALjs(t *testing.T) {
	dir, node := icaljsDir(t)
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, "")
		koti := e.sites["koti"]
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.SetAccess(ctx, koti, portal.AccessInstructions{DoorCode: "OVIKOODI-4711", Keys: "Avain postilaatikossa"})
		})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		fetch := func() icaljsEvent {
			t.Helper()
			r := do(t, c, "GET", e.srv.URL+visitCalendarPath(koti, e.visits["koti"]), nil)
			if r.StatusCode != 200 {
				t.Fatalf("calendar file: %d", r.StatusCode)
			}
			events := parseWithICALjs(t, dir, node, r.body)
			if len(events) != 1 {
				t.Fatalf("ical.js read %d events, want 1: %+v", len(events), events)
			}
			ev := events[0]
			day := isoDate(e.visitAt())
			if ev.Summary != "Palveluvuoro – Kohde koti, Tampere" || ev.Start != day+" 09:00" || ev.End != day+" 12:00" ||
				ev.Status != "CONFIRMED" || ev.UID != "visit-"+strconv.FormatInt(e.visits["koti"], 10)+"@asiakassivu" {
				t.Errorf("ical.js read %+v, want the visit of koti on %s 09:00–12:00", ev, day)
			}
			for _, secret := range []string{"OVIKOODI-4711", "Avain postilaatikossa"} {
				if strings.Contains(ev.Summary+ev.Location+ev.Description, secret) {
					t.Errorf("the event carries %q", secret)
				}
			}
			return ev
		}
		if ev := fetch(); ev.Location != "" {
			t.Errorf("LOCATION %q before the address was turned on", ev.Location)
		}
		do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{"show_address": {"1"}})
		if ev := fetch(); ev.Location != "Hämeenkatu 1, 33100 Tampere" {
			t.Errorf("LOCATION %q with the address on, want Hämeenkatu 1, 33100 Tampere", ev.Location)
		}
	})
}
