// Copy buttons of a bill's payment details. Without JavaScript the
// buttons stay hidden and the values are plain text to select; with it
// each button copies its value (data-copy: the account and reference
// without spaces, the amount without the currency) and says so in the
// page's status line, in the page's language (data-done, data-fail).

const status = document.getElementById("pay-status");

function say(text) {
  if (status) {
    status.textContent = "";
    // A fresh text is announced even when the same button is pressed twice.
    setTimeout(() => { status.textContent = text; }, 50);
  }
}

async function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Refused (no permission, the page not focused): the older way.
    }
  }
  // Plain http (a LAN address) or a refused clipboard: the older way.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) {
    throw new Error("copy refused");
  }
}

for (const button of document.querySelectorAll("button.copy[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await copy(button.dataset.copy);
      button.classList.add("copied");
      setTimeout(() => button.classList.remove("copied"), 2000);
      say(button.dataset.done);
    } catch {
      say(button.dataset.fail);
    }
  });
}
