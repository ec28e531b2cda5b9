package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// copyHarness runs the served service worker in Node with a stand-in for
// the browser's worker scope: an in-memory Cache Storage, a fetch that
// answers from a table (or fails, offline) and a clock of the test's own.
// It walks the offline copy's life and prints what it saw at each step.
const copyHarness = `
const fs = require('node:fs');
const vm = require('node:vm');
const origin = 'https://portal.example';
const clock = { now: Date.UTC(2026, 11, 8, 6, 5) };
class FakeDate extends Date { static now() { return clock.now; } }
const key = (r) => new URL(typeof r === 'string' ? r : r.url, origin).pathname + new URL(typeof r === 'string' ? r : r.url, origin).search;
class Cache {
  constructor() { this.m = new Map(); }
  async match(r) { const v = this.m.get(key(r)); return v ? v.clone() : undefined; }
  async put(r, resp) { this.m.set(key(r), resp.clone()); }
  async delete(r) { return this.m.delete(key(r)); }
  async keys() { return [...this.m.keys()].map((k) => ({ url: origin + k })); }
  async add(u) { const resp = await fetch(u); await this.put(u, resp); }
  async addAll(us) { for (const u of us) await this.add(u); }
}
const stores = new Map();
const caches = {
  async keys() { return [...stores.keys()]; },
  async open(n) { if (!stores.has(n)) stores.set(n, new Cache()); return stores.get(n); },
  async delete(n) { return stores.delete(n); },
  async match(r, o) {
    for (const [n, c] of stores) { if (o && o.cacheName && o.cacheName !== n) continue; const hit = await c.match(r); if (hit) return hit; }
    return undefined;
  },
};
let offline = false;
let hold = null, holding = () => {};
let routes = {};
const asked = [];
function answer(path, init) {
  const [status, type, cc, body, redirected] = init;
  const headers = { 'Content-Type': type };
  if (cc) headers['Cache-Control'] = cc;
  const r = new Response(body, { status, headers });
  Object.defineProperty(r, 'type', { value: 'basic' });
  Object.defineProperty(r, 'redirected', { value: !!redirected });
  return r;
}
async function fetch(input, opts) {
  const url = new URL(typeof input === 'string' ? input : input.url, origin);
  const h = (opts && opts.headers) || {};
  asked.push(url.pathname + (h['` + copyHeader + `'] === '1' ? ' (copy)' : '') + (opts && opts.cache === 'no-store' ? ' no-store' : ''));
  if (offline) throw new TypeError('Failed to fetch');
  if (hold && url.pathname === '/offline/kopio') { holding(); await hold; }
  if (url.pathname.startsWith('/static/') || url.pathname === '/offline') return answer(url.pathname, [200, 'text/html', 'no-cache', 'OFFLINE PAGE']);
  const init = routes[url.pathname];
  return init ? answer(url.pathname, init) : answer(url.pathname, [404, 'text/html', 'no-store', 'not found']);
}
const handlers = {};
const self = {
  location: new URL(origin + '/sw.js'),
  addEventListener: (type, fn) => { handlers[type] = fn; },
  skipWaiting: async () => {},
  registration: {},
  clients: { claim: async () => {} },
};
vm.runInNewContext(fs.readFileSync(process.argv[2], 'utf8'),
  { self, URL, console, caches, fetch, Response, Headers, Request, Date: FakeDate, Promise, JSON, String, Number, Array, Infinity });
async function fire(type, event) {
  const waits = [];
  let answered;
  event.waitUntil = (p) => waits.push(p);
  event.respondWith = (p) => { answered = p; };
  handlers[type](event);
  await Promise.all(waits);
  return answered;
}
async function open(path, method) {
  const answered = await fire('fetch', { request: { url: origin + path, method: method || 'GET', mode: 'navigate' } });
  if (!answered) return 'network';
  const r = await answered;
  return r.type === 'error' ? 'error' : (await r.text());
}
async function copies() {
  const out = {};
  for (const n of await caches.keys()) {
    if (!n.startsWith('asiakassivu-copy-')) continue;
    out[n] = (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname).sort();
  }
  return out;
}
const A = 'aaaaaaaaaaaaaaaaaaaaaaaa', B = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const page = (body) => [200, 'text/html; charset=utf-8', 'private, no-cache', body];
function serve(name, list) {
  routes = {
    '/offline/kopio': [200, 'application/json', 'no-store', JSON.stringify(list || { copy: name, home: '/kohteet/1',
      pages: ['/kohteet', '/kohteet/1', '/kohteet/1/palveluvuorot/5', '/kohteet/1/laskut/7', '/profiili', 'https://evil.example/kohteet/x'] })],
    '/kohteet': page('SITES of ' + name),
    '/kohteet/1': page('SITE of ' + name),
    '/kohteet/1/palveluvuorot/5': page('VISIT of ' + name),
    '/kohteet/1/laskut/7': [200, 'text/html', 'no-store', 'BILL said no-store'],
    '/profiili': page('PROFILE'),
  };
}
const seen = {};
(async () => {
  await fire('install', {});
  await fire('activate', {});
  serve(A);
  await fire('message', { data: { type: 'copy', copy: A } });
  seen.kept = await copies();
  seen.askedForCopy = asked.filter((a) => a.includes('(copy)') || a.startsWith('/offline/kopio'));
  // Online, pages come from the network and are not stored by opening.
  routes['/kohteet/1'] = page('FRESH');
  seen.onlineOpen = await open('/kohteet/1');
  routes['/kohteet/1'] = page('SITE of ' + A);

  offline = true;
  seen.offline = {};
  for (const p of ['/kohteet/1', '/', '/kohteet/1/palveluvuorot/5', '/kohteet', '/profiili', '/kohteet/1/laskut/7', '/kohteet/1?x=1', '/kohteet/2', '/kotitalousvahennys']) {
    seen.offline[p] = await open(p);
  }
  // Offline, the page's word cannot refresh the copy; it stays.
  await fire('message', { data: { type: 'copy', copy: A } });
  seen.keptOffline = Object.keys(await copies());
  offline = false;

  // Within five minutes the copy is not fetched again; after, it is.
  asked.length = 0;
  clock.now += 4 * 60 * 1000;
  await fire('message', { data: { type: 'copy', copy: A } });
  seen.askedSoon = asked.slice();
  clock.now += 2 * 60 * 1000;
  routes['/kohteet/1'] = page('SITE of A, later');
  await fire('message', { data: { type: 'copy', copy: A } });
  seen.askedLater = asked.filter((a) => a.startsWith('/offline/kopio')).length;
  offline = true;
  seen.afterRefresh = await open('/kohteet/1');
  offline = false;
  // A new language is fetched at once.
  asked.length = 0;
  await fire('message', { data: { type: 'copy', copy: A, lang: 'sv' } });
  await fire('message', { data: { type: 'copy', copy: A, lang: 'sv' } });
  seen.askedNewLang = asked.filter((a) => a.startsWith('/offline/kopio')).length;

  // Another person signs in on the device: A's copy goes.
  serve(B);
  await fire('message', { data: { type: 'copy', copy: B } });
  seen.afterSwitch = Object.keys(await copies());
  // The page names B, the server A (a session changed between): nothing.
  clock.now += 6 * 60 * 1000;
  serve(A);
  await fire('message', { data: { type: 'copy', copy: B } });
  seen.mismatch = Object.keys(await copies());

  // A signed-out page says forget.
  serve(A);
  await fire('message', { data: { type: 'copy', copy: A } });
  await fire('message', { data: { type: 'forget' } });
  seen.afterForget = Object.keys(await copies());

  // A sign-out while a refresh is on its way: the late pages are not kept.
  serve(A);
  let release;
  hold = new Promise((r) => { release = r; });
  const reached = new Promise((r) => { holding = r; });
  const refresh = fire('message', { data: { type: 'copy', copy: A } });
  await reached;
  await fire('message', { data: { type: 'forget' } });
  release();
  await refresh;
  hold = null;
  seen.afterOvertaken = Object.keys(await copies());

  // A revoked session: the list answers with the sign-in page.
  serve(A);
  await fire('message', { data: { type: 'copy', copy: A } });
  clock.now += 6 * 60 * 1000;
  routes['/offline/kopio'] = [200, 'text/html; charset=utf-8', 'no-store', '<form>sign in</form>', true];
  await fire('message', { data: { type: 'copy', copy: A } });
  seen.afterRevoked = Object.keys(await copies());

  // Sign-out drops the copy, also without a network.
  serve(A);
  await fire('message', { data: { type: 'copy', copy: A } });
  offline = true;
  seen.signOutOffline = await open('/kirjaudu-ulos', 'POST');
  seen.afterSignOut = Object.keys(await copies());
  seen.afterSignOutOpen = await open('/kohteet/1');
  offline = false;

  // Never older than 30 days.
  serve(A);
  await fire('message', { data: { type: 'copy', copy: A } });
  clock.now += 29 * 24 * 3600 * 1000;
  offline = true;
  seen.day29 = await open('/kohteet/1');
  clock.now += 2 * 24 * 3600 * 1000;
  seen.day31 = await open('/kohteet/1');
  seen.afterDay31 = Object.keys(await copies());
  seen.releaseCaches = (await caches.keys()).filter((n) => !n.startsWith('asiakassivu-copy-')).length;
  console.log(JSON.stringify(seen));
})().catch((err) => { console.error(err); process.exit(1); });
`

// TestServiceWorkerOfflineCopy runs sw.js's offline copy in Node: it keeps
// what the server lists and lets keep, per account, shows it without a
// network (the front page as the list's home), shows the offline page for
// anything else, refreshes at most every five minutes, and drops the copy
// on another account, a signed-out page, a revoked session, a sign-out
// (also offline) and after 30 days.
func TestServiceWorkerOfflineCopy(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed; CI installs it (see .ci/run)")
		}
		t.Skip("node is not installed")
	}
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	r := do(t, e.client(t), "GET", e.srv.URL+"/sw.js", nil)
	dir := t.TempDir()
	sw, harness := filepath.Join(dir, "sw.js"), filepath.Join(dir, "harness.cjs")
	for name, b := range map[string]string{sw: r.body, harness: copyHarness} {
		if err := os.WriteFile(name, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(node, harness, sw).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var seen struct {
		Kept                                      map[string][]string
		AskedForCopy, AskedSoon                   []string
		AskedLater, AskedNewLang                  int
		OnlineOpen, AfterRefresh                  string
		Offline                                   map[string]string
		KeptOffline, AfterSwitch, Mismatch        []string
		AfterForget, AfterRevoked, AfterOvertaken []string
		SignOutOffline, AfterSignOutOpen          string
		AfterSignOut, AfterDay31                  []string
		Day29, Day31                              string
		ReleaseCaches                             int
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	const a, b = "asiakassivu-copy-aaaaaaaaaaaaaaaaaaaaaaaa", "asiakassivu-copy-bbbbbbbbbbbbbbbbbbbbbbbb"
	// Kept: the listed pages that said they may be kept; not the bill that
	// said no-store, not the profile, not another site's address.
	if want := []string{"/kohteet", "/kohteet/1", "/kohteet/1/palveluvuorot/5", "/offline/kopio"}; len(seen.Kept) != 1 || !slices.Equal(seen.Kept[a], want) {
		t.Errorf("kept %v, want %s: %v", seen.Kept, a, want)
	}
	for _, q := range seen.AskedForCopy {
		if !strings.HasSuffix(q, " no-store") || (!strings.HasPrefix(q, "/offline/kopio") && !strings.Contains(q, "(copy)")) ||
			strings.HasPrefix(q, "/profiili") || strings.Contains(q, "evil") {
			t.Errorf("asked %q", q)
		}
	}
	if seen.OnlineOpen != "FRESH" {
		t.Errorf("online, a page came from %q", seen.OnlineOpen)
	}
	for p, want := range map[string]string{"/kohteet/1": "SITE of aaaaaaaaaaaaaaaaaaaaaaaa", "/": "SITE of aaaaaaaaaaaaaaaaaaaaaaaa",
		"/kohteet/1/palveluvuorot/5": "VISIT of aaaaaaaaaaaaaaaaaaaaaaaa", "/kohteet": "SITES of aaaaaaaaaaaaaaaaaaaaaaaa",
		"/profiili": "OFFLINE PAGE", "/kohteet/1/laskut/7": "OFFLINE PAGE", "/kohteet/1?x=1": "OFFLINE PAGE", "/kohteet/2": "OFFLINE PAGE",
		"/kotitalousvahennys": "OFFLINE PAGE"} {
		if seen.Offline[p] != want {
			t.Errorf("offline %s: %q, want %q", p, seen.Offline[p], want)
		}
	}
	if !slices.Equal(seen.KeptOffline, []string{a}) {
		t.Errorf("the copy after an offline page load: %v", seen.KeptOffline)
	}
	if len(seen.AskedSoon) != 0 || seen.AskedLater != 1 || seen.AfterRefresh != "SITE of A, later" {
		t.Errorf("refresh: soon %v, later %d lists, then %q", seen.AskedSoon, seen.AskedLater, seen.AfterRefresh)
	}
	if seen.AskedNewLang != 1 {
		t.Errorf("a new language fetched the list %d times, want once", seen.AskedNewLang)
	}
	if !slices.Equal(seen.AfterSwitch, []string{b}) {
		t.Errorf("after another account: %v", seen.AfterSwitch)
	}
	for name, got := range map[string][]string{"mismatch": seen.Mismatch, "forget": seen.AfterForget, "revoked": seen.AfterRevoked, "a sign-out during a refresh": seen.AfterOvertaken,
		"sign-out": seen.AfterSignOut, "31 days": seen.AfterDay31} {
		if len(got) != 0 {
			t.Errorf("after %s the device keeps %v", name, got)
		}
	}
	if seen.SignOutOffline != "OFFLINE PAGE" || seen.AfterSignOutOpen != "OFFLINE PAGE" {
		t.Errorf("sign-out offline answered %q, then the site %q", seen.SignOutOffline, seen.AfterSignOutOpen)
	}
	if seen.Day29 != "SITE of aaaaaaaaaaaaaaaaaaaaaaaa" || seen.Day31 != "OFFLINE PAGE" {
		t.Errorf("day 29: %q, day 31: %q", seen.Day29, seen.Day31)
	}
	if seen.ReleaseCaches != 1 {
		t.Errorf("%d release caches, want the offline page's one", seen.ReleaseCaches)
	}
}

// TestServiceWorkerBudget: the service worker script stays within 10 KB
// gzip-compressed.
func TestServiceWorkerBudget(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	r := do(t, e.client(t), "GET", e.srv.URL+"/sw.js", nil)
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write([]byte(r.body))
	z.Close()
	t.Logf("sw.js: %d bytes, %d gzip-compressed", len(r.body), buf.Len())
	if r.StatusCode != 200 || len(r.body) < 1000 {
		t.Fatalf("sw.js: %d, %d bytes", r.StatusCode, len(r.body))
	}
	if buf.Len() > 10_000 {
		t.Errorf("sw.js is %d bytes gzip-compressed, over the budget of 10 000", buf.Len())
	}
}
