package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

var feedURL = regexp.MustCompile(`http://[^<"]+/kalenteri/([A-Za-z0-9_-]{43})`)

func TestCalendarFeed(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		// A door code and a note must never reach the feed.
		db.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.SetAccess(context.Background(), e.sites["koti"], portal.AccessInstructions{DoorCode: "OVIKOODI-4711"}); err != nil {
				return err
			}
			return tx.SetCustomerNote(context.Background(), e.visits["koti"], "SALAINEN-HUOMIO")
		})
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		r := do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{})
		m := feedURL.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no feed address shown:\n%s", r.body)
		}
		plain := &http.Client{}
		feed := do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m[1], nil)
		if feed.StatusCode != 200 || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s", feed.StatusCode, feed.Header.Get("Content-Type"))
		}
		if strings.Count(feed.body, "BEGIN:VEVENT") != 2 || !strings.Contains(feed.body, "DTSTART:"+e.visitAt().UTC().Format("20060102T150405Z")) {
			t.Errorf("feed events:\n%s", feed.body)
		}
		for _, secret := range []string{"OVIKOODI-4711", "SALAINEN-HUOMIO", "Hämeenkatu"} {
			if strings.Contains(feed.body, secret) {
				t.Errorf("the feed carries %q", secret)
			}
		}
		// A new address kills the old one; removing kills the new one.
		r = do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{})
		m2 := feedURL.FindStringSubmatch(r.body)
		if m2 == nil || m2[1] == m[1] {
			t.Fatal("no new address")
		}
		if r := do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m[1], nil); r.StatusCode != 404 {
			t.Errorf("old address after renewal: %d", r.StatusCode)
		}
		do(t, c, "POST", e.srv.URL+"/profiili/kalenteri/poista", url.Values{})
		if r := do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m2[1], nil); r.StatusCode != 404 {
			t.Errorf("address after removal: %d", r.StatusCode)
		}
	})
}
