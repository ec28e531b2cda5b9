// Asiakassivu's script. It only enhances: every page works without it.
//
// 1. Registers the service worker (/sw.js), which shows an offline page when
//    the network fails and makes the portal installable, and tells it the
//    page's language and whose page it is: a signed-in customer's pages are
//    kept as the device's offline copy, any other page drops the copy.
// 2. On a page shown from the offline copy (it has the banner), disables the
//    forms with a note and loads the page afresh when the network is back.
// 3. On the install page (/asenna), offers the browser's own install prompt
//    where the browser has one (Chrome and Edge on Android and computers).
//    The button stays hidden until the browser says it can install.

const banner = document.getElementById("offline-banner");

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js")
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const worker = registration.active;
      // The offline page the worker keeps follows the page's language.
      worker?.postMessage({ type: "lang", lang: document.documentElement.lang });
      // data-copy: the signed-in customer's copy, or "none" when no one
      // is signed in (also after a sign-out or a revoked session); the
      // offline and error pages say nothing.
      const copy = document.documentElement.dataset.copy;
      if (copy === "none") {
        worker?.postMessage({ type: "forget" });
      } else if (copy && !banner) {
        worker?.postMessage({ type: "copy", copy, lang: document.documentElement.lang });
      }
    })
    .catch(() => {
      // Without a service worker the portal is a plain web page, which is fine.
    });
}

if (banner) {
  const noted = new Set(); // one note per section (a rating's stars are five forms)
  for (const form of document.forms) {
    if (form.classList.contains("signout")) {
      continue; // the worker drops the copy even without a network
    }
    for (const field of form.elements) {
      field.disabled = true;
    }
    const section = form.closest("main section, main article") || form;
    if (form.closest("main") && !noted.has(section)) {
      noted.add(section);
      const note = document.createElement("p");
      note.className = "offline-note";
      note.textContent = banner.dataset.formsOff || "";
      form.before(note);
    }
  }
  const again = () => location.reload();
  addEventListener("online", again);
  // The network may be back without an "online" event (the server was
  // down): ask now and then.
  setInterval(() => {
    fetch(location.pathname, { method: "HEAD", cache: "no-store" }).then((r) => r.ok && again(), () => {});
  }, 30000);
}

const offer = document.getElementById("install-offer");
const status = document.getElementById("install-status");

if (offer && status) {
  const button = offer.querySelector("button");
  let deferred = null;

  // The texts come from the page, in the page's language.
  const say = (key) => {
    status.textContent = status.dataset[key] || "";
  };

  if (window.matchMedia("(display-mode: standalone)").matches) {
    say("standalone");
  }

  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // our button instead of the browser's own banner
    deferred = event;
    offer.hidden = false;
  });

  button.addEventListener("click", async () => {
    if (!deferred) {
      return;
    }
    const prompt = deferred;
    deferred = null;
    offer.hidden = true;
    await prompt.prompt();
    const choice = await prompt.userChoice;
    if (choice.outcome !== "accepted") {
      say("dismissed");
    }
  });

  window.addEventListener("appinstalled", () => {
    offer.hidden = true;
    say("installed");
  });
}
