package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestStaffAreNotCustomers: staff and admins are not customers. Sari,
// staff of the provider of koti, and a chain admin open the customer
// pages of koti (a site in their scope, with a door code): every GET sends
// them to their own pages without showing anything of the site, every POST
// is refused, and the data download holds none of the homes in their
// scope. What staff may see (the home's thread) is still theirs, and every
// such read is audited; their own profile still works.
func TestStaffAreNotCustomers(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		koti := e.sites["koti"]
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.SetAccess(ctx, koti, portal.AccessInstructions{DoorCode: "B7741", Pets: "Kissa Mirri"})
		}); err != nil {
			t.Fatal(err)
		}
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		boss := e.addAdmin(t)
		site := "/kohteet/" + strconv.FormatInt(koti, 10)
		visit := site + "/palveluvuorot/" + strconv.FormatInt(e.visits["koti"], 10)
		gets := []string{"/", "/kohteet", site, site + "/palveluvuorot", visit, visit + "/kalenteri.ics", site + "/palaute", site + "/laskut",
			site + "/laskut/1", site + "/laskut/1/pdf", "/vuosikooste", "/vuosikooste/pdf", "/kotitalousvahennys",
			"/profiili/omat-tiedot.json"}
		posts := []string{site + "/ohjeet", visit + "/lisatieto", visit + "/peru", visit + "/arvio", visit + "/siirto",
			site + "/palaute", "/kotitalousvahennys"}
		secrets := []string{"B7741", "Kissa Mirri", "Kohde koti", "Kohde mokki", "Kohde matti", "Hämeenkatu"}
		for _, who := range []struct {
			name   string
			client *http.Client
			home   string
		}{{"staff", sari, "/tuottaja"}, {"admin", boss, "/yllapito"}} {
			for _, path := range gets {
				r := do(t, who.client, "GET", e.srv.URL+path, nil)
				if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != who.home {
					t.Errorf("GET %s as %s: %d %q, want 303 to %s", path, who.name, r.StatusCode, r.Header.Get("Location"), who.home)
				}
				for _, s := range secrets {
					if strings.Contains(r.body, s) {
						t.Errorf("GET %s as %s shows %q", path, who.name, s)
					}
				}
			}
			for _, path := range posts {
				r := do(t, who.client, "POST", e.srv.URL+path, url.Values{"access_door_code": {"0000"}, "comment": {"x"},
					"rating": {"5"}, "note": {"x"}, "sequence": {"0"}, "option": {"1"}})
				if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s as %s: %d, want 404 or 403", path, who.name, r.StatusCode)
				}
			}
			// The home's thread is the customer's and the provider staff's:
			// an admin is sent to the console from it too.
			if who.name == "admin" {
				for _, path := range []string{site + "/viestit", site + "/viestit/tapahtumat"} {
					if r := do(t, boss, "GET", e.srv.URL+path, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/yllapito" {
						t.Errorf("GET %s as admin: %d %q, want 303 to /yllapito", path, r.StatusCode, r.Header.Get("Location"))
					}
				}
				if r := do(t, boss, "POST", e.srv.URL+site+"/viestit", url.Values{"body": {"x"}}); r.StatusCode != http.StatusNotFound {
					t.Errorf("POST %s/viestit as admin: %d, want 404", site, r.StatusCode)
				}
			}
			// Their own profile is theirs.
			if r := do(t, who.client, "GET", e.srv.URL+"/profiili", nil); r.StatusCode != http.StatusOK ||
				strings.Contains(r.body, "/profiili/omat-tiedot.json") {
				t.Errorf("GET /profiili as %s: %d, offers the customer data download: %v", who.name, r.StatusCode,
					strings.Contains(r.body, "/profiili/omat-tiedot.json"))
			}
		}
		var door string
		db.Read(ctx, func(tx *store.Tx) error {
			s, err := tx.Site(ctx, store.Scope{All: true}, koti)
			door = s.Site.Access.DoorCode
			return err
		})
		if door != "B7741" {
			t.Errorf("the door code was changed by staff or admin: %q", door)
		}
		// The thread of the home stays the staff member's, and reading it
		// is audited.
		audits := func() int64 {
			var n int64
			db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryInt(ctx, `SELECT count(*) FROM audit_log WHERE actor_role = 'staff' AND site_id = $1`, &n, koti)
			})
			return n
		}
		before := audits()
		if r := do(t, sari, "GET", e.srv.URL+site+"/viestit", nil); r.StatusCode != http.StatusOK {
			t.Errorf("staff's thread of koti: %d", r.StatusCode)
		}
		if audits() != before+1 {
			t.Errorf("staff's read of koti's thread is not audited: %d rows, had %d", audits(), before)
		}
	})
}

// TestDataDownloadIsComplete: the customer's download holds everything of
// theirs (GDPR access and portability): the messages of their thread,
// visit notes, ratings, move requests, portal feedback, the consent's
// history, the calendar feed (never its token) and passkeys (names and
// dates). TestExportCoversEveryTable in internal/app keeps the list of
// tables complete.
func TestDataDownloadIsComplete(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		site := "/kohteet/" + strconv.FormatInt(e.sites["matti"], 10)
		visit := site + "/palveluvuorot/" + strconv.FormatInt(e.visits["matti"], 10)
		for _, step := range []struct{ path, field, value string }{
			{site + "/viestit", "body", "Viesti-TERVEISET-42"},
			{visit + "/lisatieto", "note", "Huomio-AVAIN-RUUKUSSA"},
			{"/palaute", "message", "Portaalipalaute-FONTTI"},
		} {
			if r := do(t, c, "POST", e.srv.URL+step.path, url.Values{step.field: {step.value}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %d", step.path, r.StatusCode)
			}
		}
		r := do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{})
		feed := feedURL.FindStringSubmatch(r.body)
		if feed == nil {
			t.Fatalf("no feed address shown")
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			acc, err := tx.VerifiedAccountByEmail(ctx, "matti@example.fi")
			if err != nil {
				return err
			}
			if _, err := tx.UpsertFeedback(ctx, portal.Feedback{SiteID: e.sites["matti"], VisitID: e.visits["matti"], AuthorAccountID: acc.ID,
				Source: "portal", ExternalID: "visit-test", Rating: 4, Comment: "Arvio-HYVA"}); err != nil {
				return err
			}
			if _, err := tx.CreateMoveRequest(ctx, portal.MoveRequest{VisitID: e.visits["matti"], AccountID: acc.ID,
				Options: []time.Time{e.at(10, 12, 0)}, Message: "Siirto-ILTAPAIVAAN"}); err != nil {
				return err
			}
			s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["matti"])
			if err != nil {
				return err
			}
			if err := tx.AddConsentEvent(ctx, portal.ConsentEvent{CustomerID: s.Site.CustomerID, Enabled: true, TextVersion: "suostumus-v7",
				PayerCount: 1, ActorAccountID: acc.ID}); err != nil {
				return err
			}
			_, err = tx.AddPasskey(ctx, portal.Passkey{AccountID: acc.ID, CredentialID: []byte("matin-avain"), Name: "Matin-PUHELIN",
				Data: `{"secret":"Avaindata-EI-VIENTIIN"}`})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		r = do(t, c, "GET", e.srv.URL+"/profiili/omat-tiedot.json", nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("download: %d", r.StatusCode)
		}
		for _, want := range []string{`"messages"`, "Viesti-TERVEISET-42", "Huomio-AVAIN-RUUKUSSA", `"rating": 4`, "Arvio-HYVA",
			`"move_requests"`, "Siirto-ILTAPAIVAAN", `"portal_feedback"`, "Portaalipalaute-FONTTI", `"deduction_consent_history"`,
			"suostumus-v7", `"calendar_feed"`, `"passkeys"`, "Matin-PUHELIN", `"customer"`, `"name": "matti"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the download lacks %s", want)
			}
		}
		for _, never := range []string{feed[1], "Avaindata-EI-VIENTIIN", "Kohde koti", "Kohde pekka"} {
			if strings.Contains(r.body, never) {
				t.Errorf("the download holds %q", never)
			}
		}
	})
}

// TestStaffLiveThreadIsAudited: what a staff member's open thread page
// receives live is a read of the customer's messages too, and audited.
func TestStaffLiveThreadIsAudited(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		thread := e.srv.URL + threadPath(e.sites["koti"])
		ch := openStream(t, sari, thread+"/tapahtumat", "")
		do(t, maija, "POST", thread, url.Values{"body": {"Elävä viesti"}})
		if ev := nextEvent(t, ch); !strings.Contains(ev.data, "Elävä viesti") {
			t.Fatalf("staff's stream got %+v", ev)
		}
		var n int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT count(*) FROM audit_log WHERE actor_role = 'staff' AND action = 'thread.read' AND site_id = $1`,
				&n, e.sites["koti"])
		})
		if n != 1 {
			t.Errorf("audit rows of the staff member's live read: %d, want 1", n)
		}
	})
}
