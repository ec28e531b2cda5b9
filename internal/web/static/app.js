// Asiakassivu's script. It only enhances: every page works without it.
//
// 1. Registers the service worker (/sw.js), which shows an offline page when
//    the network fails and makes the portal installable, and tells it the
//    page's language.
// 2. On the install page (/asenna), offers the browser's own install prompt
//    where the browser has one (Chrome and Edge on Android and computers).
//    The button stays hidden until the browser says it can install.

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js")
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      // The offline page the worker keeps follows the page's language.
      registration.active?.postMessage({ type: "lang", lang: document.documentElement.lang });
    })
    .catch(() => {
      // Without a service worker the portal is a plain web page, which is fine.
    });
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
