// Asiakassivu's service worker. The server fills this template at start-up
// (internal/web/pwa.go): every release has its own version and the hashed
// URLs of its files, so a new release makes the browser install it afresh.
//
// It keeps the offline page (the same for everyone) and the static files
// (their URLs change with their content). Pages come from the network; the
// one exception is the signed-in customer's offline copy (internal/web/
// offline.go): the server lists which pages it may keep, each is fetched
// for it and kept unless its answer says no-store, in a cache named per
// account, and shown only when the network fails. The copy is dropped on
// sign-out, when a page finds no one signed in or another person, and when
// it is older than 30 days.
"use strict";

const CACHE = "asiakassivu-{{.Version}}";
const OFFLINE_URL = "{{.Offline}}";
const PRECACHE = [OFFLINE_URL].concat({{.Assets}});
const COPY = "asiakassivu-copy-";
const COPY_LIST = "{{.CopyList}}";
const COPY_HEADER = "{{.CopyHeader}}";
const FETCHED = "Offline-Copy-Fetched";
const REFRESH_MS = 5 * 60 * 1000;
const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("asiakassivu-") && !name.startsWith(COPY) && name !== CACHE)
      .map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await currentCopy(); // drops a copy past its age
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && url.pathname === "/kirjaudu-ulos") {
    // Signing out drops the copy first, also when the network is gone.
    event.respondWith(forget().then(() => fetch(request)).catch(offlinePage));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  }
});

// A page tells its language after loading (app.js); the stored offline page
// follows it, so a person who changes the language gets it offline too.
// It also says whose page it is (app.js): "copy" with the copy's name for a
// signed-in customer, "forget" when no one (or someone else) is signed in.
let offlineLangTried = "";
self.addEventListener("message", (event) => {
  const data = event.data || {};
  const lang = data.type === "lang" ? String(data.lang) : "";
  if (/^[a-z]{2}$/.test(lang) && lang !== offlineLangTried) {
    event.waitUntil(offlineInLanguage(lang).catch(() => {}));
  }
  if (data.type === "copy" && /^[0-9a-f]{8,64}$/.test(String(data.copy))) {
    event.waitUntil(refreshCopy(String(data.copy), String(data.lang || "")).catch(() => {}));
  } else if (data.type === "forget") {
    event.waitUntil(forget());
  }
});

async function offlineInLanguage(lang) {
  const cache = await caches.open(CACHE);
  const stored = await cache.match(OFFLINE_URL);
  if (stored && (await stored.text()).includes(`<html lang="${lang}"`)) {
    return;
  }
  offlineLangTried = lang; // at most one fetch per language while this worker runs
  await cache.add(OFFLINE_URL);
}

// page answers a navigation from the network and never stores the answer;
// when the network fails, the offline copy answers if it has the page, else
// the offline page.
async function page(event) {
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    event.waitUntil(keepOfflinePage().catch(() => {}));
    return response;
  } catch (err) {
    return (await fromCopy(new URL(event.request.url))) || offlinePage();
  }
}

async function offlinePage() {
  return (await caches.match(OFFLINE_URL, { cacheName: CACHE })) || Response.error();
}

function age(response) {
  const at = Number(response && response.headers.get(FETCHED));
  return at > 0 ? Date.now() - at : Infinity;
}

// currentCopy opens the one copy on the device with its list, or returns
// null; a copy past its age, or one of several (never mixed), is dropped.
async function currentCopy() {
  const names = (await caches.keys()).filter((n) => n.startsWith(COPY));
  if (names.length !== 1) {
    await forget();
    return null;
  }
  const cache = await caches.open(names[0]);
  const list = await cache.match(COPY_LIST);
  if (!list || age(list) > MAX_AGE_MS) {
    await forget();
    return null;
  }
  return { name: names[0], cache, list };
}

// fromCopy answers a page from the copy: the front page is the page the
// list names for it; nothing else than the listed paths, without a query.
async function fromCopy(url) {
  const copy = await currentCopy();
  if (!copy || url.search) {
    return null;
  }
  let path = url.pathname;
  if (path === "/") {
    path = String((await copy.list.json()).home);
  }
  const hit = await copy.cache.match(path);
  return hit && age(hit) <= MAX_AGE_MS ? hit : null;
}

// forget drops every offline copy on the device.
// generation counts the drops: a refresh that a drop overtook (a sign-out
// while its pages were on their way) stores nothing more.
let generation = 0;
async function forget() {
  generation++;
  const names = (await caches.keys()).filter((n) => n.startsWith(COPY));
  await Promise.all(names.map((n) => caches.delete(n)));
}

// kept returns response stamped with the time it was fetched, or null when
// it must not be kept: not a plain 200 page of this site, or no-store.
async function kept(response, type) {
  const cc = (response.headers.get("Cache-Control") || "").toLowerCase();
  if (response.status !== 200 || response.redirected || response.type !== "basic" ||
      /no-store/.test(cc) || !(response.headers.get("Content-Type") || "").startsWith(type)) {
    return null;
  }
  const headers = new Headers(response.headers);
  headers.set(FETCHED, String(Date.now()));
  return new Response(await response.blob(), { status: 200, headers });
}

// refreshCopy brings the named copy up to date, at most every REFRESH_MS
// unless the person changed the language:
// other copies go first (another person signed in on this device); then the
// server's list, and each listed page the server lets keep. A list that
// names no copy or another one (signed out, staff, revoked) drops all.
let refreshing = null;
function refreshCopy(name, lang) {
  refreshing = refreshing || doRefresh(name, lang).finally(() => { refreshing = null; });
  return refreshing;
}

async function doRefresh(name, lang) {
  const gen = generation;
  const names = (await caches.keys()).filter((n) => n.startsWith(COPY));
  await Promise.all(names.filter((n) => n !== COPY + name).map((n) => caches.delete(n)));
  if (names.includes(COPY + name)) {
    const old = await (await caches.open(COPY + name)).match(COPY_LIST);
    if (old && age(old) < REFRESH_MS && (await old.json()).lang === lang) {
      return;
    }
  }
  const answer = await fetch(COPY_LIST, { cache: "no-store", credentials: "same-origin" });
  const json = answer.status === 200 && !answer.redirected && (answer.headers.get("Content-Type") || "").startsWith("application/json");
  const data = json ? await answer.json() : {};
  if (!data.copy || data.copy !== name || !Array.isArray(data.pages)) {
    await forget();
    return;
  }
  if (gen !== generation) {
    return;
  }
  const cache = await caches.open(COPY + name);
  const pages = data.pages.filter((p) => typeof p === "string" && /^\/kohteet(\/|$)/.test(p));
  for (const path of pages) {
    const response = await fetch(path, { cache: "no-store", credentials: "same-origin", headers: { [COPY_HEADER]: "1" } });
    const page = await kept(response, "text/html");
    if (gen !== generation) {
      return;
    }
    if (page) {
      await cache.put(path, page);
    } else {
      await cache.delete(path);
    }
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== COPY_LIST && !pages.includes(path)) {
      await cache.delete(request);
    }
  }
  if (gen !== generation) {
    return;
  }
  await cache.put(COPY_LIST, new Response(JSON.stringify({ home: data.home, lang }), {
    headers: { "Content-Type": "application/json", [FETCHED]: String(Date.now()) },
  }));
}

// keepOfflinePage stores the offline page again if the browser has dropped
// it (storage pressure, site data cleared).
async function keepOfflinePage() {
  const cache = await caches.open(CACHE);
  if (!(await cache.match(OFFLINE_URL))) {
    await cache.add(OFFLINE_URL);
  }
}

// staticFile answers from the cache first: a hashed URL never changes.
async function staticFile(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) {
    return hit;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

// Push notifications: the server sends {title, body, url, kind} (package
// push). The icon is the app's own, from the files kept above.
const ICON = PRECACHE.find((u) => /\/icon-192\.[0-9a-f]+\.png$/.test(u)) || "";

// sitePath returns url when it is a path on this site, else the front page:
// a notification may open nothing but the portal itself. "//host" and
// "/\host" name other hosts, and URL parsing drops tabs and line breaks, so
// the resolved URL's origin is checked too.
function sitePath(url) {
  if (typeof url !== "string" || !url.startsWith("/") || url.startsWith("//") || url.startsWith("/\\")) {
    return "/";
  }
  try {
    const resolved = new URL(url, self.location.origin);
    return resolved.origin === self.location.origin ? resolved.pathname + resolved.search + resolved.hash : "/";
  } catch (err) {
    return "/";
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = {};
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Asiakassivu";
  const url = sitePath(data.url);
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === "string" ? data.body : "",
    icon: ICON,
    badge: ICON,
    // One notification per page: a newer one about the same thread or
    // visit replaces the older, and still alerts.
    tag: url,
    renotify: true,
    data: { url },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(sitePath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((w) => w.url === target);
    if (open) {
      return open.focus();
    }
    for (const w of windows) {
      if (new URL(w.url).origin !== self.location.origin || !("navigate" in w)) {
        continue;
      }
      try {
        const navigated = await w.navigate(target);
        if (navigated) {
          return navigated.focus();
        }
      } catch (err) {
        // Not controlled by this worker: open a new window below.
      }
    }
    return self.clients.openWindow(target);
  })());
});
