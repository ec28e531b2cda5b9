package web

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// browserKeys returns a subscription's keys as a browser makes them.
func browserKeys(t *testing.T) (p256dh, auth string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// maijaPushDevice stores a push subscription of maija's, for the
// isolation test.
func maijaPushDevice(t *testing.T, e *env) int64 {
	t.Helper()
	ctx := context.Background()
	p256dh, auth := browserKeys(t)
	var id int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, "maija@example.fi")
		if err != nil {
			return err
		}
		id, err = tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: acc.ID, Endpoint: "https://push.example.com/maija",
			P256dh: p256dh, Auth: auth, ConsentTextVersion: app.PushConsentVersion})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// postJSON posts a body as the profile's script does.
func postJSON(t *testing.T, c *http.Client, u, body string) resp {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36")
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{r, string(b)}
}

func subscriptionJSON(endpoint, p256dh, auth string) string {
	b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
	return string(b)
}

func countRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Read(context.Background(), func(tx *store.Tx) (err error) { n, err = tx.Count(context.Background(), table); return err }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPushSubscribeListRemove: the profile offers notifications, the
// script's subscription is stored (once per device), listed and removed;
// bad input is refused with a text in the page's language and stores
// nothing.
func TestPushSubscribeListRemove(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		s := e.srv.Config.Handler.(*Server)
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		r := do(t, c, "GET", e.srv.URL+"/profiili/ilmoitukset", nil)
		var keys store.VAPIDKeys
		db.Read(context.Background(), func(tx *store.Tx) (err error) { keys, err = tx.VAPIDKeys(context.Background()); return err })
		for _, want := range []string{"Ota ilmoitukset käyttöön tällä laitteella", `data-key="` + keys.Public + `"`,
			"Lisää Koti-valikkoon", `href="/asenna"`, `<script type="module" src="` + s.assets.url("push.js") + `"></script>`,
			`id="push-form" hidden`, "Ilmoitukset tarvitsevat selaimen, joka osaa näyttää ilmoituksia",
			"Ilmoitukset eivät ole vielä käytössä millään laitteella.", `name="message" value="on" checked`,
			`name="visit_changed" value="on" checked`, `name="visit_reminder" value="on" checked`, `name="invoice" value="on" checked`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("profile lacks %q", want)
			}
		}
		if keys.Public == "" {
			t.Fatal("no VAPID key stored")
		}

		endpoint := "https://93.184.215.14/push/v2/abc"
		p256dh, auth := browserKeys(t)
		r = postJSON(t, c, e.srv.URL+"/profiili/ilmoitukset/laitteet", subscriptionJSON(endpoint, p256dh, auth))
		var created struct{ ID int64 }
		if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.body), &created) != nil || created.ID == 0 {
			t.Fatalf("subscribe: %d %s", r.StatusCode, r.body)
		}
		// The same device again (new keys): the same row.
		p256dh2, auth2 := browserKeys(t)
		r = postJSON(t, c, e.srv.URL+"/profiili/ilmoitukset/laitteet", subscriptionJSON(endpoint, p256dh2, auth2))
		var again struct{ ID int64 }
		if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.body), &again) != nil || again.ID != created.ID {
			t.Errorf("subscribe again: %d %s, want id %d", r.StatusCode, r.body, created.ID)
		}
		if n := countRows(t, db, "push_subscriptions"); n != 1 {
			t.Errorf("%d subscriptions, want 1", n)
		}

		for _, bad := range []struct{ name, body, want string }{
			{"http", subscriptionJSON("http://93.184.215.14/push/x", p256dh, auth), "Tämän selaimen ilmoituspalvelua ei voi käyttää"},
			{"loopback", subscriptionJSON("https://127.0.0.1/push/x", p256dh, auth), "Tämän selaimen ilmoituspalvelua ei voi käyttää"},
			{"private", subscriptionJSON("https://[fd00::1]/push/x", p256dh, auth), "Tämän selaimen ilmoituspalvelua ei voi käyttää"},
			{"keys", subscriptionJSON("https://93.184.215.14/push/y", "bm90IGEga2V5", auth), "Selain antoi puutteelliset tiedot"},
			{"extra field", `{"endpoint":"https://93.184.215.14/push/z","keys":{"p256dh":"` + p256dh + `","auth":"` + auth + `"},"account_id":1}`,
				"Lomakkeen tiedot eivät kelpaa"},
			{"extra key field", `{"endpoint":"https://93.184.215.14/push/z","keys":{"p256dh":"` + p256dh + `","auth":"` + auth + `","x":"1"}}`,
				"Lomakkeen tiedot eivät kelpaa"},
			{"two values", subscriptionJSON("https://93.184.215.14/push/z", p256dh, auth) + "{}", "Lomakkeen tiedot eivät kelpaa"},
			{"not json", `endpoint=https://93.184.215.14/push/z`, "Lomakkeen tiedot eivät kelpaa"},
		} {
			r := postJSON(t, c, e.srv.URL+"/profiili/ilmoitukset/laitteet", bad.body)
			var answer struct{ Error string }
			if r.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal([]byte(r.body), &answer) != nil ||
				!strings.Contains(answer.Error, bad.want) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %d %s, want 422 with %q", bad.name, r.StatusCode, r.body, bad.want)
			}
		}
		// A post without the script (a plain form) explains what is needed.
		r = do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset/laitteet", url.Values{})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Ilmoitusten käyttöönotto tarvitsee selaimen") {
			t.Errorf("form post without the script: %d", r.StatusCode)
		}
		// In the visitor's language.
		r = do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset/laitteet", url.Values{}, "Cookie", langCookie+"=en")
		if !strings.Contains(r.body, "needs a browser that can show notifications") {
			t.Errorf("refusal is not in English")
		}
		if n := countRows(t, db, "push_subscriptions"); n != 1 {
			t.Errorf("%d subscriptions after refused input, want 1", n)
		}

		r = do(t, c, "GET", e.srv.URL+"/profiili/ilmoitukset", nil)
		for _, want := range []string{"Chrome, Android", `data-endpoint="` + app.EndpointHash(endpoint) + `"`,
			`action="/profiili/ilmoitukset/laitteet/` + strconv.FormatInt(created.ID, 10) + `/poista"`, `<span class="push-this" hidden> – tämä laite</span>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("profile lacks %q", want)
			}
		}
		if strings.Contains(r.body, endpoint) || strings.Contains(r.body, p256dh2) {
			t.Error("profile shows the endpoint or the keys")
		}
		// The data export names the device and its consent, not its address.
		r = do(t, c, "GET", e.srv.URL+"/profiili/omat-tiedot.json", nil)
		if !strings.Contains(r.body, `"consent_text_version": "`+app.PushConsentVersion+`"`) || strings.Contains(r.body, endpoint) {
			t.Errorf("data export of notifications:\n%s", r.body)
		}
		// Matti sees none of maija's devices.
		m := e.client(t)
		e.signIn(t, m, "matti@example.fi")
		if r := do(t, m, "GET", e.srv.URL+"/profiili/ilmoitukset", nil); strings.Contains(r.body, app.EndpointHash(endpoint)) {
			t.Error("matti's profile lists maija's device")
		}

		r = do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset/laitteet/"+strconv.FormatInt(created.ID, 10)+"/poista", url.Values{})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profiili/ilmoitukset?ok=ilmoitukset-poistettu" {
			t.Errorf("remove: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if n := countRows(t, db, "push_subscriptions"); n != 0 {
			t.Errorf("%d subscriptions after removal", n)
		}
		if r := do(t, c, "GET", e.srv.URL+"/profiili/ilmoitukset?ok=ilmoitukset-poistettu", nil); !strings.Contains(r.body, "Ilmoitukset on poistettu käytöstä laitteelta.") {
			t.Error("no notice after removal")
		}
		if r := do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset/laitteet/"+strconv.FormatInt(created.ID, 10)+"/poista", url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("remove twice: %d, want 404", r.StatusCode)
		}
	})
}

// TestNotificationKindsForm: the kinds are a plain form; it takes only
// its own boxes.
func TestNotificationKindsForm(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		ctx := context.Background()
		enabled := func(email string) map[portal.NotificationKind]bool {
			out := map[portal.NotificationKind]bool{}
			db.Read(ctx, func(tx *store.Tx) error {
				acc, err := tx.VerifiedAccountByEmail(ctx, email)
				if err != nil {
					return err
				}
				for _, k := range portal.NotificationKinds() {
					out[k], _ = tx.NotificationEnabled(ctx, acc.ID, k)
				}
				return nil
			})
			return out
		}
		r := do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset", url.Values{"message": {"on"}, "visit_reminder": {"on"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profiili/ilmoitukset?ok=ilmoitukset" {
			t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		want := map[portal.NotificationKind]bool{portal.NotifyMessage: true, portal.NotifyVisitReminder: true}
		got := enabled("maija@example.fi")
		for _, k := range portal.NotificationKinds() {
			if got[k] != want[k] {
				t.Errorf("%s = %v, want %v", k, got[k], want[k])
			}
		}
		r = do(t, c, "GET", e.srv.URL+"/profiili/ilmoitukset?ok=ilmoitukset", nil)
		for _, w := range []string{"Valinnat on tallennettu.", `name="message" value="on" checked`, `name="invoice" value="on">`} {
			if !strings.Contains(r.body, w) {
				t.Errorf("profile lacks %q", w)
			}
		}
		for _, bad := range []url.Values{
			{"message": {"on"}, "account_id": {"3"}},
			{"message": {"yes"}},
			{"message": {"on", "on"}},
			{"spam": {"on"}},
		} {
			r := do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset", bad)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Lomakkeen tiedot eivät kelpaa") {
				t.Errorf("%v: %d", bad, r.StatusCode)
			}
		}
		if after := enabled("maija@example.fi"); after[portal.NotifyInvoice] || !after[portal.NotifyMessage] {
			t.Errorf("a refused form changed the choices: %v", after)
		}
		// All boxes cleared: everything off. Matti's choices are his own.
		do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset", url.Values{})
		for k, on := range enabled("maija@example.fi") {
			if on {
				t.Errorf("%s still on", k)
			}
		}
		for k, on := range enabled("matti@example.fi") {
			if !on {
				t.Errorf("matti's %s turned off", k)
			}
		}
	})
}

// swHarness runs the served service worker in Node with a stand-in for
// the browser's worker scope, fires push and notificationclick events, and
// prints what the worker showed and opened.
const swHarness = `
const fs = require('node:fs');
const vm = require('node:vm');
const [swPath, casesPath] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
const handlers = {};
const shown = [];
const opened = [];
const self = {
  location: new URL('https://portal.example/sw.js'),
  addEventListener: (type, fn) => { handlers[type] = fn; },
  registration: { showNotification: async (title, options) => { shown.push({ title, options }); } },
  clients: {
    matchAll: async () => [],
    openWindow: async (url) => { opened.push(url); return null; },
  },
};
vm.runInNewContext(fs.readFileSync(swPath, 'utf8'), { self, URL, console });
async function fire(type, event) {
  const waits = [];
  event.waitUntil = (p) => waits.push(p);
  handlers[type](event);
  await Promise.all(waits);
}
(async () => {
  for (const body of cases.push) {
    await fire('push', { data: body === null ? null : { json: () => JSON.parse(body) } });
  }
  for (const url of cases.click) {
    await fire('notificationclick', { notification: { data: { url }, close() {} } });
  }
  console.log(JSON.stringify({ shown, opened }));
})().catch((err) => { console.error(err); process.exit(1); });
`

// TestServiceWorkerNotifications runs sw.js's push handlers: a push shows
// the payload's title and body with the app's icon, and a click opens the
// payload's path on this site — anything else opens the front page.
func TestServiceWorkerNotifications(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed; CI installs it (see .ci/run)")
		}
		t.Skip("node is not installed")
	}
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	s := e.srv.Config.Handler.(*Server)
	r := do(t, e.client(t), "GET", e.srv.URL+"/sw.js", nil)
	dir := t.TempDir()
	sw, casesFile, harness := filepath.Join(dir, "sw.js"), filepath.Join(dir, "cases.json"), filepath.Join(dir, "harness.cjs")
	clicks := []any{"/kohteet/1/viestit?x=1#uusin", "//evil.example/x", "/\\evil.example/x", "https://evil.example/x",
		"/\t/evil.example/x", "javascript:alert(1)", "", 42, nil}
	cases, _ := json.Marshal(map[string]any{
		"push": []any{
			`{"title":"Uusi viesti","body":"Kotikulma Oy kirjoitti","url":"/kohteet/1/viestit","kind":"message"}`,
			`{"title":"Muistutus","body":"Huomenna klo 9","url":"https://evil.example/","kind":"visit_reminder"}`,
			`not json`,
			nil,
		},
		"click": clicks,
	})
	for name, b := range map[string]string{sw: r.body, casesFile: string(cases), harness: swHarness} {
		if err := os.WriteFile(name, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(node, harness, sw, casesFile).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Shown []struct {
			Title   string
			Options struct {
				Body, Icon, Tag string
				Data            struct{ URL string }
			}
		}
		Opened []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	icon := s.assets.url("icon-192.png")
	if len(got.Shown) != 4 {
		t.Fatalf("shown %+v", got.Shown)
	}
	first := got.Shown[0]
	if first.Title != "Uusi viesti" || first.Options.Body != "Kotikulma Oy kirjoitti" || first.Options.Icon != icon ||
		first.Options.Data.URL != "/kohteet/1/viestit" {
		t.Errorf("first notification %+v (icon %s)", first, icon)
	}
	if got.Shown[1].Options.Data.URL != "/" {
		t.Errorf("foreign url kept: %+v", got.Shown[1])
	}
	for _, n := range got.Shown[2:] {
		if n.Title != "Asiakassivu" || n.Options.Data.URL != "/" {
			t.Errorf("notification without a payload: %+v", n)
		}
	}
	want := []string{"https://portal.example/kohteet/1/viestit?x=1#uusin"}
	for range clicks[1:] {
		want = append(want, "https://portal.example/")
	}
	if strings.Join(got.Opened, " ") != strings.Join(want, " ") {
		t.Errorf("opened %q, want %q", got.Opened, want)
	}
}
