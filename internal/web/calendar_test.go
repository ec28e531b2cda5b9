package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

var feedURL = regexp.MustCompile(`http://[^<"]+/kalenteri/([A-Za-z0-9_-]{43})`)

// unfold joins an iCalendar's folded lines.
func unfold(ics string) string { return strings.ReplaceAll(ics, "\r\n ", "") }

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
		for _, secret := range []string{"OVIKOODI-4711", "SALAINEN-HUOMIO", "Hämeenkatu", "LOCATION"} {
			if strings.Contains(feed.body, secret) {
				t.Errorf("the feed carries %q by default", secret)
			}
		}
		// Each event names the service and the home (its name and city),
		// so that the visits of two homes can be told apart.
		for _, want := range []string{"SUMMARY:Palveluvuoro – Kohde koti\\, Tampere\r\n", "SUMMARY:Palveluvuoro – Kohde mokki\\, Tampere\r\n"} {
			if !strings.Contains(unfold(feed.body), want) {
				t.Errorf("the feed lacks %q:\n%s", want, feed.body)
			}
		}
		// The page opens the feed in the calendar app with a webcal: link
		// to the same address on the portal's own host.
		host := strings.TrimPrefix(e.srv.URL, "http://")
		if want := `href="webcal://` + host + `/kalenteri/` + m[1] + `"`; !strings.Contains(r.body, want) {
			t.Errorf("the page lacks the link %s", want)
		}

		// Turned on, the street address is the events' LOCATION; access
		// instructions and notes still go nowhere.
		if r := do(t, c, "POST", e.srv.URL+"/profiili/kalenteri/osoite", url.Values{"show_address": {"1"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("turn the address on: %d", r.StatusCode)
		}
		feed = do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m[1], nil)
		if want := "LOCATION:Hämeenkatu 1\\, 33100 Tampere\r\n"; !strings.Contains(unfold(feed.body), want) {
			t.Errorf("with the address on, the feed lacks %q:\n%s", want, feed.body)
		}
		for _, secret := range []string{"OVIKOODI-4711", "SALAINEN-HUOMIO"} {
			if strings.Contains(feed.body, secret) {
				t.Errorf("the feed carries %q", secret)
			}
		}
		if page := do(t, c, "GET", e.srv.URL+"/profiili/kalenteri", nil); !strings.Contains(page.body, `id="cal-address" name="show_address" value="1" checked`) {
			t.Errorf("the calendar page does not show the address as on")
		}
		// And off again.
		do(t, c, "POST", e.srv.URL+"/profiili/kalenteri/osoite", url.Values{})
		if feed = do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m[1], nil); strings.Contains(feed.body, "LOCATION") {
			t.Errorf("the address turned off is still in the feed")
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

// TestCalendarFeedLanguageAndNewAddress: the feed speaks the language the
// page had when its address was made (calendar apps send no cookie), and
// a new address is a new feed whose street address is what the form says.
func TestCalendarFeedLanguageAndNewAddress(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		r := do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{"show_address": {"1"}}, "Cookie", "asiakassivu_lang=sv")
		m := feedURL.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no feed address shown:\n%s", r.body)
		}
		feed := unfold(do(t, &http.Client{}, "GET", e.srv.URL+"/kalenteri/"+m[1], nil).body)
		for _, want := range []string{"X-WR-CALNAME:Besök\r\n", "SUMMARY:Besök – Kohde koti\\, Tampere\r\n",
			"LOCATION:Hämeenkatu 1\\, 33100 Tampere\r\n", "DESCRIPTION:Utförs av: Aino"} {
			if !strings.Contains(feed, want) {
				t.Errorf("the Swedish feed made with the address lacks %q:\n%s", want, feed)
			}
		}
		// Renewed without the box ticked (a Finnish page this time).
		m2 := feedURL.FindStringSubmatch(do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{}).body)
		if m2 == nil {
			t.Fatal("no new address")
		}
		feed = unfold(do(t, &http.Client{}, "GET", e.srv.URL+"/kalenteri/"+m2[1], nil).body)
		if strings.Contains(feed, "LOCATION") || !strings.Contains(feed, "SUMMARY:Palveluvuoro – Kohde koti") {
			t.Errorf("the renewed Finnish feed without the address:\n%s", feed)
		}
		// Turning the address on without a feed changes nothing and is no
		// error: the page says there is no address.
		do(t, c, "POST", e.srv.URL+"/profiili/kalenteri/poista", url.Values{})
		if r := do(t, c, "POST", e.srv.URL+"/profiili/kalenteri/osoite", url.Values{"show_address": {"1"}}); r.StatusCode != http.StatusSeeOther ||
			r.Header.Get("Location") != "/profiili/kalenteri" {
			t.Errorf("turn the address on without a feed: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		// Signed out, the setting is not there to change.
		if r := do(t, e.client(t), "POST", e.srv.URL+"/profiili/kalenteri/osoite", url.Values{"show_address": {"1"}}); r.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(r.Header.Get("Location"), "/kirjaudu") {
			t.Errorf("signed out: %d %q, want to sign in", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

// TestWebcalLinkOnlyOwnFeeds: the only webcal: link a page can carry is a
// feed address on the portal's own host; every other URL, of any scheme,
// is refused and links nowhere.
func TestWebcalLinkOnlyOwnFeeds(t *testing.T) {
	base := &url.URL{Scheme: "https", Host: "asiakassivu.example"}
	token := strings.Repeat("A", 43)
	good, err := newWebcalLink(base, "webcal://asiakassivu.example/kalenteri/"+token)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(good.URL()); got != "webcal://asiakassivu.example/kalenteri/"+token {
		t.Errorf("URL() = %q", got)
	}
	for _, raw := range []string{
		"https://asiakassivu.example/kalenteri/" + token,
		"http://asiakassivu.example/kalenteri/" + token,
		"javascript:alert(1)",
		"JavaScript:alert(document.cookie)//webcal://asiakassivu.example/kalenteri/",
		"data:text/calendar,BEGIN:VCALENDAR",
		"vbscript:msgbox(1)",
		"webcals://asiakassivu.example/kalenteri/" + token,
		"webcal://evil.example/kalenteri/" + token,
		"webcal://asiakassivu.example.evil.example/kalenteri/" + token,
		"webcal://user@asiakassivu.example/kalenteri/" + token,
		"webcal://asiakassivu.example:8443/kalenteri/" + token,
		"webcal://asiakassivu.example/profiili",
		"webcal://asiakassivu.example/kalenteri/" + token + "/x",
		"webcal://asiakassivu.example/kalenteri/" + token + "?next=https://evil.example",
		"webcal://asiakassivu.example/kalenteri/" + token + "#x",
		"webcal:asiakassivu.example/kalenteri/" + token,
		"webcal:///kalenteri/" + token,
		"//asiakassivu.example/kalenteri/" + token,
		"/kalenteri/" + token,
		"",
	} {
		if l, err := newWebcalLink(base, raw); err == nil {
			t.Errorf("newWebcalLink(%q) = %q, want an error", raw, l.URL())
		}
	}
	if _, err := newWebcalLink(nil, "webcal://asiakassivu.example/kalenteri/"+token); err == nil {
		t.Error("newWebcalLink without a base URL made a link")
	}
	// A link not made by newWebcalLink leads nowhere.
	if got := (webcalLink{}).URL(); got != "about:invalid#webcal" {
		t.Errorf("the zero link = %q", got)
	}
	// A host in another case is the same host.
	if _, err := newWebcalLink(base, "webcal://Asiakassivu.EXAMPLE/kalenteri/"+token); err != nil {
		t.Errorf("upper-case host: %v", err)
	}
}

// TestVisitCalendarFile: "Lisää kalenteriin" on a visit's page downloads
// that visit as a calendar file, with the feed's content rules, for the
// customer whose visit it is only: another customer, staff, an admin and
// a signed-out request get nothing of it.
func TestVisitCalendarFile(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		koti := e.sites["koti"]
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetAccess(ctx, koti, portal.AccessInstructions{DoorCode: "OVIKOODI-4711", Keys: "AVAIN-PUUTARHAVAJAN-ALLA",
				Pets: "KISSA-MIRRI", Parking: "PIHAN-PERALLA"}); err != nil {
				return err
			}
			return tx.SetCustomerNote(ctx, e.visits["koti"], "SALAINEN-HUOMIO")
		}); err != nil {
			t.Fatal(err)
		}
		visit := visitPath(koti, e.visits["koti"])
		file := visitCalendarPath(koti, e.visits["koti"])
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		page := do(t, maija, "GET", e.srv.URL+visit, nil)
		if want := `href="` + file + `" download>Lisää kalenteriin</a>`; !strings.Contains(page.body, want) {
			t.Errorf("the visit page lacks %s", want)
		}
		r := do(t, maija, "GET", e.srv.URL+file, nil)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("calendar file: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
		}
		ics := unfold(r.body)
		if strings.Count(ics, "BEGIN:VEVENT") != 1 || !strings.Contains(ics, "SUMMARY:Palveluvuoro – Kohde koti\\, Tampere\r\n") ||
			!strings.Contains(ics, "DTSTART:"+e.visitAt().UTC().Format("20060102T150405Z")) ||
			!strings.Contains(ics, "UID:visit-"+strconv.FormatInt(e.visits["koti"], 10)+"@asiakassivu\r\n") {
			t.Errorf("calendar file:\n%s", r.body)
		}
		secrets := []string{"OVIKOODI-4711", "AVAIN-PUUTARHAVAJAN-ALLA", "KISSA-MIRRI", "PIHAN-PERALLA", "SALAINEN-HUOMIO"}
		for _, secret := range append(secrets, "Hämeenkatu", "LOCATION") {
			if strings.Contains(r.body, secret) {
				t.Errorf("the calendar file carries %q without the address turned on", secret)
			}
		}
		// With the feed's address on, the file has it too; never the rest.
		do(t, maija, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{"show_address": {"1"}})
		r = do(t, maija, "GET", e.srv.URL+file, nil)
		if !strings.Contains(unfold(r.body), "LOCATION:Hämeenkatu 1\\, 33100 Tampere\r\n") {
			t.Errorf("with the address on, the file lacks it:\n%s", r.body)
		}
		for _, secret := range secrets {
			if strings.Contains(r.body, secret) {
				t.Errorf("the calendar file carries %q", secret)
			}
		}
		// In English when the page is.
		r = do(t, maija, "GET", e.srv.URL+file, nil, "Cookie", "asiakassivu_lang=en")
		if !strings.Contains(unfold(r.body), "SUMMARY:Service visit – Kohde koti\\, Tampere\r\n") {
			t.Errorf("English calendar file:\n%s", r.body)
		}

		noFile := func(who string, r resp) {
			t.Helper()
			if r.StatusCode == 200 || strings.Contains(r.body, "VCALENDAR") {
				t.Errorf("%s got the calendar file: %d", who, r.StatusCode)
			}
			for _, secret := range append(secrets, "Kohde koti", "Hämeenkatu") {
				if strings.Contains(r.body, secret) {
					t.Errorf("%s was shown %q", who, secret)
				}
			}
		}
		// Another customer: not found, under her site or his own.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		r = do(t, matti, "GET", e.srv.URL+file, nil)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("another customer: %d, want 404", r.StatusCode)
		}
		noFile("another customer", r)
		r = do(t, matti, "GET", e.srv.URL+visitCalendarPath(e.sites["matti"], e.visits["koti"]), nil)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("another customer under his own site: %d, want 404", r.StatusCode)
		}
		noFile("another customer under his own site", r)
		// Signed out: to sign in.
		r = do(t, e.client(t), "GET", e.srv.URL+file, nil)
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/kirjaudu") {
			t.Errorf("signed out: %d %q, want 303 to sign in", r.StatusCode, r.Header.Get("Location"))
		}
		noFile("a signed-out request", r)
		// Staff of the home's own provider and an admin: to their pages.
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		for _, who := range []struct {
			name   string
			client *http.Client
			home   string
		}{{"staff", sari, "/tuottaja"}, {"admin", e.addAdmin(t), "/yllapito"}} {
			r = do(t, who.client, "GET", e.srv.URL+file, nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != who.home {
				t.Errorf("%s: %d %q, want 303 to %s", who.name, r.StatusCode, r.Header.Get("Location"), who.home)
			}
			noFile(who.name, r)
		}
	})
}
