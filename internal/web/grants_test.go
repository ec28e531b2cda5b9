package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/realtime"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
	"asiakassivu/internal/web/sse"
)

// mailData returns the data of the newest mail of a kind to an address.
func (m *mailbox) mailData(t *testing.T, kind, to string) map[string]string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].kind == kind && m.sent[i].to == to {
			return m.sent[i].data
		}
	}
	t.Fatalf("no %s mail to %s", kind, to)
	return nil
}

// addAccount creates a verified account with the env's password.
func (e *env) addAccount(t *testing.T, email string) {
	t.Helper()
	ctx := context.Background()
	var pw string
	err := e.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, "maija@example.fi")
		pw = acc.PasswordHash
		return err
	})
	if err == nil {
		err = e.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateAccount(ctx, portal.Account{Email: email, PasswordHash: pw, VerifiedAt: tx.Now()})
			return err
		})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// invitePath posts maija's invitation of an address to koti with a role
// through her page and returns the link's local path from the mail.
func (e *env) inviteToKoti(t *testing.T, maija *http.Client, email string, role portal.GrantRole) string {
	t.Helper()
	koti := strconv.FormatInt(e.sites["koti"], 10)
	r := do(t, maija, "POST", e.srv.URL+"/kohteet/"+koti+"/paasy", url.Values{"email": {email}, "role": {string(role)}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/kohteet/"+koti+"/paasy?ok=kutsu-lahetetty" {
		t.Fatalf("invite %s: %d %q\n%s", email, r.StatusCode, r.Header.Get("Location"), r.body)
	}
	link := e.mails.mailData(t, "grant_invite", email)["url"]
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/kutsu/") {
		t.Fatalf("invitation link %q", link)
	}
	return u.Path
}

// grantKoti gives a new verified account a grant on maija's koti through
// the pages (invite, open the link, accept) and returns its client.
func (e *env) grantKoti(t *testing.T, maija *http.Client, email string, role portal.GrantRole) *http.Client {
	t.Helper()
	e.addAccount(t, email)
	link := e.inviteToKoti(t, maija, email, role)
	c := e.client(t)
	e.signIn(t, c, email)
	if r := do(t, c, "GET", e.srv.URL+link, nil); r.StatusCode != 200 || !strings.Contains(r.body, "koti kutsuu sinut") {
		t.Fatalf("invitation page: %d\n%s", r.StatusCode, r.body)
	}
	r := do(t, c, "POST", e.srv.URL+link, url.Values{})
	if want := "/kohteet/" + strconv.FormatInt(e.sites["koti"], 10) + "?ok=kutsu-hyvaksytty"; r.StatusCode != http.StatusSeeOther ||
		r.Header.Get("Location") != want {
		t.Fatalf("accept as %s: %d %q", email, r.StatusCode, r.Header.Get("Location"))
	}
	return c
}

// maijaGrant stores a pending invitation of maija's koti and returns its id
// (for the isolation harness).
func maijaGrant(t *testing.T, e *env, email string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertGrant(ctx, portal.Grant{SiteID: e.sites["koti"], Role: portal.GrantFollower, Email: email, EmailNorm: email,
			ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, []byte("isolation-"+email))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestInvitePage: the link's page says who invites to which home with
// which role, sends a signed-out invitee to sign up and back to the link
// after the code, and refuses a used, expired or someone else's link with
// a clear page; the pages show only the role's buttons.
func TestInvitePage(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		koti := "/kohteet/" + strconv.FormatInt(e.sites["koti"], 10)
		// Bad input keeps what was typed and says what is wrong.
		for _, c := range []struct{ email, role, want string }{
			{"maija@example.fi", "follower", "Et voi kutsua itseäsi"},
			{"ei osoite", "caretaker", "Tarkista sähköpostiosoite"},
			{"uusi@example.fi", "", "Valitse, mitä läheisesi saa tehdä"},
		} {
			r := do(t, maija, "POST", e.srv.URL+koti+"/paasy", url.Values{"email": {c.email}, "role": {c.role}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.want) {
				t.Errorf("invite %q %q: %d, want 422 saying %q", c.email, c.role, r.StatusCode, c.want)
			}
		}
		// A new address: the signed-out page offers sign-up; after the
		// code the new account lands back on the link and accepts.
		link := e.inviteToKoti(t, maija, "uusi@example.fi", portal.GrantFollower)
		c := e.client(t)
		r := do(t, c, "GET", e.srv.URL+link, nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "koti kutsuu sinut") || !strings.Contains(r.body, "Seuraaja") ||
			!strings.Contains(r.body, "/luo-tili?email=uusi%40example.fi") {
			t.Fatalf("signed-out invitation page: %d\n%s", r.StatusCode, r.body)
		}
		do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {"uusi@example.fi"}, "password": {password}})
		code := e.mails.code(t, "signup_code", "uusi@example.fi")
		r = do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {code}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != link {
			t.Fatalf("after the code: %d %q, want back to the link", r.StatusCode, r.Header.Get("Location"))
		}
		if r = do(t, c, "POST", e.srv.URL+link, url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d", r.StatusCode)
		}
		// The follower's home: no bills, no access form, no cancel; the
		// leave button and whose home it is.
		r = do(t, c, "GET", e.srv.URL+koti, nil)
		for _, want := range []string{"Tämä on henkilön koti koti. Roolisi: Seuraaja.", koti + "/poistu"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("follower's home page lacks %q", want)
			}
		}
		for _, never := range []string{koti + "/laskut", koti + "/ohjeet", koti + "/paasy"} {
			if strings.Contains(r.body, never) {
				t.Errorf("follower's home page shows %q", never)
			}
		}
		r = do(t, c, "GET", e.srv.URL+koti+"/palveluvuorot/"+strconv.FormatInt(e.visits["koti"], 10), nil)
		if r.StatusCode != 200 || strings.Contains(r.body, "/peru") || strings.Contains(r.body, "/siirto") || strings.Contains(r.body, "/lisatieto") {
			t.Errorf("follower's visit page: %d, shows a caretaker's button", r.StatusCode)
		}
		// Used link; someone else's link; an expired one.
		if r = do(t, c, "GET", e.srv.URL+link, nil); r.StatusCode != http.StatusGone || !strings.Contains(r.body, "jo käytetty") {
			t.Errorf("a used link: %d", r.StatusCode)
		}
		other := e.inviteToKoti(t, maija, "toinen@example.fi", portal.GrantCaretaker)
		if r = do(t, c, "POST", e.srv.URL+other, url.Values{}); r.StatusCode != http.StatusForbidden ||
			!strings.Contains(r.body, "toinen@example.fi") {
			t.Errorf("someone else's link: %d", r.StatusCode)
		}
		expired := e.inviteToKoti(t, maija, "myohassa@example.fi", portal.GrantCaretaker)
		if _, err := db.SQL().ExecContext(context.Background(), `UPDATE site_grants SET expires_at = $1 WHERE email = 'myohassa@example.fi'`,
			db.Now().Add(-time.Minute).UTC()); err != nil {
			t.Fatal(err)
		}
		if r = do(t, e.client(t), "GET", e.srv.URL+expired, nil); r.StatusCode != http.StatusGone || !strings.Contains(r.body, "päättynyt") {
			t.Errorf("an expired link: %d", r.StatusCode)
		}
		// The owner's page lists the follower and the pending invitations.
		r = do(t, maija, "GET", e.srv.URL+koti+"/paasy", nil)
		for _, want := range []string{"uusi@example.fi", "toinen@example.fi", "Peru kutsu", "Poista pääsy"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("owner's page lacks %q", want)
			}
		}
		// The follower leaves; the home is gone from their pages.
		if r = do(t, c, "POST", e.srv.URL+koti+"/poistu", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("leave: %d", r.StatusCode)
		}
		if r = do(t, c, "GET", e.srv.URL+koti, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("the home after leaving: %d", r.StatusCode)
		}
	})
}

// TestStreamEndsOnGrantRevocation: a relative's open message stream ends
// when the owner revokes the grant or the relative leaves — at once by the
// revocation's wake (the heartbeat is an hour here), also on an instance
// whose hub hears nothing (by its heartbeat, 20 s in service) — and never
// delivers a message written after it.
func TestStreamEndsOnGrantRevocation(t *testing.T) {
	if sse.Heartbeat > 20*time.Second {
		t.Errorf("the heartbeat is %v: a missed wake would leave a revoked stream open too long", sse.Heartbeat)
	}
	for _, tc := range []struct {
		name      string
		heartbeat time.Duration
		otherHub  bool // the stream is served by an instance whose hub hears nothing
		leave     bool // the relative leaves instead
	}{
		{"revoke, wake", time.Hour, false, false},
		{"leave, wake", time.Hour, false, true},
		{"revoke, other instance, heartbeat", 100 * time.Millisecond, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db, "")
				maija := e.client(t)
				e.signIn(t, maija, "maija@example.fi")
				relative := e.grantKoti(t, maija, "liisa@example.fi", portal.GrantFollower)
				base := e.srv.URL
				if tc.otherHub {
					other, err := New(Config{Log: e.server.log, Hub: realtime.NewHub()}, e.server.app)
					if err != nil {
						t.Fatal(err)
					}
					other.streams.Heartbeat = tc.heartbeat
					srv := httptest.NewServer(other)
					t.Cleanup(srv.Close)
					base = srv.URL
					u, _ := url.Parse(e.srv.URL)
					su, _ := url.Parse(srv.URL)
					for _, ck := range relative.Jar.Cookies(u) {
						relative.Jar.SetCookies(su, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
					}
				}
				e.server.streams.Heartbeat = tc.heartbeat
				thread := threadPath(e.sites["koti"])
				// Written first: a stream on the other instance hears of no
				// new message, but its first read delivers this one.
				do(t, maija, "POST", e.srv.URL+thread, url.Values{"body": {"Ennen"}})
				ch := openStream(t, relative, base+thread+"/tapahtumat", "")
				if ev := nextEvent(t, ch); !strings.Contains(ev.data, "Ennen") {
					t.Fatalf("before: %+v", ev)
				}
				if tc.leave {
					if r := do(t, relative, "POST", e.srv.URL+sitePath(e.sites["koti"])+"/poistu", url.Values{}); r.StatusCode != http.StatusSeeOther {
						t.Fatalf("leave: %d", r.StatusCode)
					}
				} else {
					r := do(t, maija, "GET", e.srv.URL+grantsPath(e.sites["koti"]), nil)
					m := regexp.MustCompile(`/paasy/(\d+)/poista`).FindStringSubmatch(r.body)
					if m == nil {
						t.Fatalf("no remove button:\n%s", r.body)
					}
					if r := do(t, maija, "POST", e.srv.URL+grantsPath(e.sites["koti"])+"/"+m[1]+"/poista", url.Values{}); r.StatusCode != http.StatusSeeOther {
						t.Fatalf("revoke: %d", r.StatusCode)
					}
				}
				revoked := time.Now()
				do(t, maija, "POST", e.srv.URL+thread, url.Values{"body": {"Jälkeen"}})
				deadline := time.After(5 * time.Second)
				for {
					select {
					case ev, open := <-ch:
						if !open {
							t.Logf("the stream ended %v after the revocation", time.Since(revoked).Round(time.Millisecond))
							// The home is gone from the relative's pages too.
							if r := do(t, relative, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil); r.StatusCode != http.StatusNotFound {
								t.Errorf("the home after the revocation: %d", r.StatusCode)
							}
							return
						}
						if strings.Contains(ev.data, "Jälkeen") {
							t.Error("the revoked stream delivered a message written after the revocation")
						}
					case <-deadline:
						t.Fatal("the stream is still open 5 s after the revocation")
					}
				}
			})
		})
	}
}

// statusOf answers a request's status without reading its body (an event
// stream stays open).
func statusOf(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// The roles of the matrix, in the order the cells are tried (the owner
// last, so that what the others may not do is tried before anything the
// owner changes).
var matrixRoles = []string{"other", "staff", "revoked", "follower", "caretaker", "owner"}

// roleMatrix is, for every route about one home, the status each role
// gets on maija's koti, in the order of matrixRoles: owner (maija),
// follower and caretaker (grants on koti), revoked (a grant on koti the
// owner removed), other (matti, a customer with his own home) and staff
// (sari, whose provider looks after koti: customer pages send her to her
// own, 303; a POST to them is 404). A 404 is the refusal: the same answer
// as for an id that does not exist. Posted forms are harmless: a cancel
// on stale terms, empty messages and ratings.
var roleMatrix = map[string][6]int{
	//                                                        other staff revoked follower caretaker owner
	"GET /kohteet/{site}":                                     {404, 303, 404, 200, 200, 200},
	"POST /kohteet/{site}/ohjeet":                             {404, 404, 404, 404, 303, 303},
	"GET /kohteet/{site}/palveluvuorot":                       {404, 303, 404, 200, 200, 200},
	"GET /kohteet/{site}/palveluvuorot/{visit}":               {404, 303, 404, 200, 200, 200},
	"GET /kohteet/{site}/palveluvuorot/{visit}/kalenteri.ics": {404, 303, 404, 200, 200, 200},
	"POST /kohteet/{site}/palveluvuorot/{visit}/lisatieto":    {404, 404, 404, 404, 303, 303},
	"POST /kohteet/{site}/palveluvuorot/{visit}/peru":         {404, 404, 404, 404, 409, 409},
	"POST /kohteet/{site}/palveluvuorot/{visit}/arvio":        {404, 404, 404, 404, 422, 422},
	"POST /kohteet/{site}/palveluvuorot/{visit}/siirto":       {404, 404, 404, 404, 422, 422},
	"GET /kohteet/{site}/viestit":                             {404, 200, 404, 200, 200, 200},
	"POST /kohteet/{site}/viestit":                            {404, 422, 404, 422, 422, 422},
	"GET /kohteet/{site}/viestit/tapahtumat":                  {404, 200, 404, 200, 200, 200},
	"GET /kohteet/{site}/palaute":                             {404, 303, 404, 200, 200, 200},
	"POST /kohteet/{site}/palaute":                            {404, 404, 404, 422, 422, 422},
	"GET /kohteet/{site}/laskut":                              {404, 303, 404, 404, 200, 200},
	"GET /kohteet/{site}/laskut/{invoice}":                    {404, 303, 404, 404, 200, 200},
	"GET /kohteet/{site}/laskut/{invoice}/pdf":                {404, 303, 404, 404, 200, 200},
	"GET /kohteet/{site}/vuosikooste":                         {404, 303, 404, 404, 200, 200},
	"GET /kohteet/{site}/paasy":                               {404, 303, 404, 404, 404, 200},
	"POST /kohteet/{site}/paasy":                              {404, 404, 404, 404, 404, 422},
	"POST /kohteet/{site}/paasy/{grant}/poista":               {404, 404, 404, 404, 404, 303},
	"POST /kohteet/{site}/poistu":                             {404, 404, 404, 303, 303, 404},
}

// TestRoleMatrix: every route about one home × every role, on both
// engines; the matrix fails when a route about a home has no row. A
// refused request (404) changes nothing: the visit's status and note and
// the access instructions are as they were before it.
func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		s := e.srv.Config.Handler.(*Server)
		_, invoice := addInvoice(t, e)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		clients := map[string]*http.Client{"owner": maija}
		clients["follower"] = e.grantKoti(t, maija, "seuraaja@example.fi", portal.GrantFollower)
		clients["caretaker"] = e.grantKoti(t, maija, "hoitaja@example.fi", portal.GrantCaretaker)
		clients["revoked"] = e.grantKoti(t, maija, "entinen@example.fi", portal.GrantCaretaker)
		list := do(t, maija, "GET", e.srv.URL+grantsPath(e.sites["koti"]), nil)
		ids := regexp.MustCompile(`/paasy/(\d+)/poista`).FindAllStringSubmatch(list.body, -1)
		if len(ids) != 3 {
			t.Fatalf("grants listed: %v", ids)
		}
		// The third listed (oldest first) is entinen's.
		if r := do(t, maija, "POST", e.srv.URL+grantsPath(e.sites["koti"])+"/"+ids[2][1]+"/poista", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		pending := maijaGrant(t, e, "kutsuttu@example.fi")
		clients["other"] = e.client(t)
		e.signIn(t, clients["other"], "matti@example.fi")
		clients["staff"] = e.client(t)
		e.signIn(t, clients["staff"], "sari@kotikulma.example")
		fill := strings.NewReplacer("{site}", strconv.FormatInt(e.sites["koti"], 10),
			"{visit}", strconv.FormatInt(e.visits["koti"], 10), "{invoice}", strconv.FormatInt(invoice, 10),
			"{grant}", strconv.FormatInt(pending, 10))
		var routes []route
		for _, rt := range s.routes() {
			if !strings.Contains(rt.pattern, "{site}") {
				continue
			}
			if _, ok := roleMatrix[rt.method+" "+rt.pattern]; !ok {
				t.Errorf("route %s %s has no row in the role matrix", rt.method, rt.pattern)
				continue
			}
			routes = append(routes, rt)
		}
		if len(routes) != len(roleMatrix) {
			t.Errorf("the matrix has %d rows for %d routes about a home", len(roleMatrix), len(routes))
		}
		// Leaving ends grants: that row comes last.
		slices.SortStableFunc(routes, func(a, b route) int {
			return cmpBool(strings.HasSuffix(a.pattern, "/poistu"), strings.HasSuffix(b.pattern, "/poistu"))
		})
		form := url.Values{"sequence": {"999"}, "body": {""}, "comment": {""}, "email": {""}, "note": {"Muistakaa parveke"}}
		for _, rt := range routes {
			want := roleMatrix[rt.method+" "+rt.pattern]
			path := fill.Replace(rt.pattern)
			for i, role := range matrixRoles {
				var f url.Values
				if rt.method == "POST" {
					f = form
				}
				before := visitState(t, e)
				got, loc := statusOf(t, clients[role], rt.method, e.srv.URL+path, f)
				if got != want[i] {
					t.Errorf("%s %s as %s: %d (%s), want %d", rt.method, rt.pattern, role, got, loc, want[i])
				}
				if role == "staff" && got == http.StatusSeeOther && loc != "/tuottaja" {
					t.Errorf("%s %s as staff: sent to %q", rt.method, rt.pattern, loc)
				}
				if got == http.StatusNotFound {
					if after := visitState(t, e); after != before {
						t.Errorf("%s's refused %s %s changed the home: %+v → %+v", role, rt.method, rt.pattern, before, after)
					}
				}
			}
		}
	})
}

// visitState is what the refused posts must not change: koti's visit's
// status and note, and its access instructions.
type kotiState struct {
	status portal.VisitStatus
	note   string
	access portal.AccessInstructions
}

func visitState(t *testing.T, e *env) kotiState {
	t.Helper()
	ctx := context.Background()
	var st kotiState
	err := e.db.Read(ctx, func(tx *store.Tx) error {
		v, err := tx.VisitOfSite(ctx, e.sites["koti"], e.visits["koti"])
		if err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["koti"])
		st = kotiState{v.Status, v.CustomerNote, s.Site.Access}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// TestFollowerCannotCancel: with the very form a caretaker is shown, a
// follower's cancellation is refused like a foreign id (404) and the visit
// stays as it was; the caretaker's goes through.
func TestFollowerCannotCancel(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		follower := e.grantKoti(t, maija, "seuraaja@example.fi", portal.GrantFollower)
		caretaker := e.grantKoti(t, maija, "hoitaja@example.fi", portal.GrantCaretaker)
		visit := e.srv.URL + visitPath(e.sites["koti"], e.visits["koti"])
		page := do(t, caretaker, "GET", visit, nil)
		hidden := regexp.MustCompile(`<input type="hidden" name="(sequence|deadline|fee)" value="([^"]*)"`).FindAllStringSubmatch(page.body, -1)
		form := url.Values{"confirm": {"yes"}}
		for _, h := range hidden {
			form.Set(h[1], h[2])
		}
		if len(form) != 4 {
			t.Fatalf("the caretaker's cancel form: %v\n%s", form, page.body)
		}
		before := visitState(t, e)
		if r := do(t, follower, "POST", visit+"/peru", form); r.StatusCode != http.StatusNotFound {
			t.Errorf("the follower's cancel: %d, want 404", r.StatusCode)
		}
		if after := visitState(t, e); after != before {
			t.Errorf("the follower's refused cancel changed the visit: %+v", after)
		}
		if r := do(t, caretaker, "POST", visit+"/peru", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the caretaker's cancel: %d\n%s", r.StatusCode, r.body)
		}
		if after := visitState(t, e); after.status != portal.VisitCancelledByCustomer {
			t.Errorf("after the caretaker's cancel: %+v", after)
		}
	})
}
