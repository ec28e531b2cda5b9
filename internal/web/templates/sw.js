// Asiakassivu's service worker. The server fills this template at start-up
// (internal/web/pwa.go): every release has its own version and the hashed
// URLs of its files, so a new release makes the browser install it afresh.
//
// It keeps only the offline page (the same for everyone, no personal data)
// and the static files (their URLs change with their content). Pages of the
// portal are never stored: they come from the network, and only when the
// network fails does the offline page answer in their place.
"use strict";

const CACHE = "asiakassivu-{{.Version}}";
const OFFLINE_URL = "{{.Offline}}";
const PRECACHE = [OFFLINE_URL].concat({{.Assets}});

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
      .filter((name) => name.startsWith("asiakassivu-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
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
let offlineLangTried = "";
self.addEventListener("message", (event) => {
  const lang = event.data && event.data.type === "lang" ? String(event.data.lang) : "";
  if (/^[a-z]{2}$/.test(lang) && lang !== offlineLangTried) {
    event.waitUntil(offlineInLanguage(lang).catch(() => {}));
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
// when the network fails, the offline page answers instead.
async function page(event) {
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    event.waitUntil(keepOfflinePage().catch(() => {}));
    return response;
  } catch (err) {
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
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
