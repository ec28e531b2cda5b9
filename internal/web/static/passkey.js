// Passkeys (WebAuthn) for the sign-in page, the second-factor pages and
// the profile. Without this script, or in a browser without WebAuthn, the
// passkey sections stay hidden and the forms (password, authenticator
// code) do the work.
//
// [data-passkey-signin]: asks the browser for a passkey of this site and
//   signs in with it; then goes to data-next.
// [data-passkey-register]: makes a new passkey for the signed-in account;
//   shows the recovery codes the server returns (the first time), or goes
//   to data-next.

const supported = "PublicKeyCredential" in window && navigator.credentials;

function b64urlToBytes(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesToB64url(buf) {
  let s = "";
  for (const b of new Uint8Array(buf)) {
    s += String.fromCharCode(b);
  }
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The server's options carry bytes as base64url; the browser wants them as
// buffers.
function creationOptions(o) {
  const pk = structuredClone(o.publicKey);
  pk.challenge = b64urlToBytes(pk.challenge);
  pk.user.id = b64urlToBytes(pk.user.id);
  pk.excludeCredentials = (pk.excludeCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) }));
  return { publicKey: pk };
}

function requestOptions(o) {
  const pk = structuredClone(o.publicKey);
  pk.challenge = b64urlToBytes(pk.challenge);
  pk.allowCredentials = (pk.allowCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) }));
  return { publicKey: pk };
}

function credentialJSON(c) {
  const r = c.response;
  const response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bytesToB64url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = bytesToB64url(r.authenticatorData);
    response.signature = bytesToB64url(r.signature);
    response.userHandle = r.userHandle ? bytesToB64url(r.userHandle) : null;
  }
  return {
    id: c.id, rawId: bytesToB64url(c.rawId), type: c.type, response,
    clientExtensionResults: c.getClientExtensionResults(), authenticatorAttachment: c.authenticatorAttachment,
  };
}

async function post(url, body) {
  const r = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : "{}",
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error(data.error || "");
  }
  return data;
}

function withNext(url, next) {
  return next ? url + "?next=" + encodeURIComponent(next) : url;
}

async function signIn(button, status) {
  const begun = await post("/avainkoodi/aloita");
  const cred = await navigator.credentials.get(requestOptions(begun.options));
  const done = await post(withNext("/avainkoodi", button.dataset.next), { token: begun.token, credential: credentialJSON(cred) });
  status.textContent = "";
  window.location.assign(done.next);
}

async function register(button, status) {
  const begun = await post("/profiili/avainkoodit/aloita");
  const cred = await navigator.credentials.create(creationOptions(begun.options));
  const name = navigator.userAgentData ? navigator.userAgentData.platform : "";
  const done = await post(withNext("/profiili/avainkoodit", button.dataset.next),
    { token: begun.token, credential: credentialJSON(cred), name });
  const codes = document.querySelector("[data-recovery]");
  if (done.codes && done.codes.length && codes) {
    const list = codes.querySelector("[data-codes]");
    list.replaceChildren(...done.codes.map((c) => {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = c;
      li.append(code);
      return li;
    }));
    codes.querySelector("[data-continue]").href = done.next;
    button.closest("[data-passkey-section]").hidden = true;
    codes.hidden = false;
    codes.querySelector("h2").focus?.();
    return;
  }
  window.location.assign(done.next);
}

if (supported) {
  for (const section of document.querySelectorAll("[data-passkey-section]")) {
    section.hidden = false;
  }
  for (const [selector, action] of [["[data-passkey-signin]", signIn], ["[data-passkey-register]", register]]) {
    for (const button of document.querySelectorAll(selector)) {
      const status = button.parentElement.querySelector("[data-passkey-status]");
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await action(button, status);
        } catch (e) {
          // A cancelled prompt is NotAllowedError: nothing to say but that
          // it did not work.
          if (status) {
            status.textContent = e.message && e.name === "Error" ? e.message : button.dataset.failed;
          }
        } finally {
          button.disabled = false;
        }
      });
    }
  }
}
