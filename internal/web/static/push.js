// Notifications on this device, for the profile's notifications section.
// Without this script (or without Push API support) the section says that
// notifications need a browser that can show them; the list of devices and
// the choice of kinds are plain forms and work without it.
//
// 1. Shows the "turn on" button where the browser can subscribe, and marks
//    in the list the device this page runs on.
// 2. On the button: asks for permission, subscribes with the server's VAPID
//    key (the section's data-key) and posts the subscription to the server.
// 3. Removing this device also unsubscribes it in the browser.

const section = document.getElementById("push");

// The VAPID key is base64url; PushManager wants its bytes.
function keyBytes(b64url) {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(b64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function sameBytes(a, b) {
  if (!a || a.byteLength !== b.byteLength) {
    return false;
  }
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function within(ms, promise) {
  return Promise.race([promise, new Promise((_, reject) => {
    setTimeout(() => reject(new Error("timed out")), ms);
  })]);
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.getRegistration();
  return registration ? registration.pushManager.getSubscription() : null;
}

// markThisDevice shows "this device" beside the list entry whose endpoint
// is this browser's; the page holds only the endpoints' hashes.
async function markThisDevice() {
  const subscription = await currentSubscription();
  if (!subscription) {
    return;
  }
  const hash = await sha256Hex(subscription.endpoint);
  for (const item of section.querySelectorAll("li[data-endpoint]")) {
    if (item.dataset.endpoint === hash) {
      item.dataset.thisDevice = "yes";
      const label = item.querySelector(".push-this");
      if (label) {
        label.hidden = false;
      }
    }
  }
}

async function subscribe(form, say) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    say("denied");
    return;
  }
  // app.js registers the worker; registering again returns the same one,
  // and fails here, rather than waiting for ever, when it cannot be had.
  await navigator.serviceWorker.register("/sw.js");
  const registration = await within(20000, navigator.serviceWorker.ready);
  const key = keyBytes(section.dataset.key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
    // Made with another server key: push services would refuse our tokens.
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const response = await fetch(form.action, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (response.ok) {
    window.location.assign("/profiili/ilmoitukset?ok=ilmoitukset-kaytossa");
    return;
  }
  const answer = await response.json().catch(() => ({}));
  if (typeof answer.error === "string" && answer.error) {
    say("", answer.error);
  } else {
    say("failed");
  }
}

if (section) {
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    window.isSecureContext && section.dataset.key;
  const form = document.getElementById("push-form");
  const status = document.getElementById("push-status");
  const say = (key, text) => {
    status.textContent = text || status.dataset[key] || "";
  };

  if (supported && form && status) {
    document.getElementById("push-unsupported").hidden = true;
    form.hidden = false;
    markThisDevice().catch(() => {});

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      say("working");
      try {
        await subscribe(form, say);
      } catch (err) {
        say(Notification.permission === "denied" ? "denied" : "failed");
      } finally {
        button.disabled = false;
      }
    });

    for (const remove of section.querySelectorAll("form.push-remove")) {
      remove.addEventListener("submit", async (event) => {
        const item = remove.closest("li");
        if (!item || item.dataset.thisDevice !== "yes" || remove.dataset.unsubscribed) {
          return;
        }
        event.preventDefault();
        try {
          const subscription = await currentSubscription();
          await subscription?.unsubscribe();
        } catch (err) {
          // The server forgets the device either way.
        }
        remove.dataset.unsubscribed = "yes";
        remove.submit();
      });
    }
  }
}
