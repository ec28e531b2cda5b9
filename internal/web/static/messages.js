// Live messages: an open thread shows new messages without a reload. The
// server sends each message as a ready list item, with its id; the
// browser resends the last id it saw when it reconnects (Last-Event-ID),
// and an item already on the page is never added twice. Without
// JavaScript the page works as before: reload to see new messages.

const list = document.querySelector("ol.messages[data-events]");
const status = document.querySelector(".live-status");

if (list && "EventSource" in window) {
  const events = new EventSource(list.dataset.events);
  events.addEventListener("message", (event) => {
    if (document.getElementById("m" + event.lastEventId)) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = event.data;
    const item = template.content.firstElementChild;
    if (!item || item.tagName !== "LI") {
      return;
    }
    list.append(item);
    document.querySelector(".messages + .card, ol.messages ~ p.card")?.remove();
    if (!item.classList.contains("mine") && status) {
      // Read out by screen readers; the text comes from the page.
      status.textContent = status.dataset.new;
    }
    item.scrollIntoView({ block: "nearest" });
  });
  // Closing the page closes the stream at once, freeing the server.
  window.addEventListener("pagehide", () => events.close());
}

// The newest message is at the bottom, beside the form: start there,
// unless the page opens on a notice or an error summary (forms.js).
if (list && list.lastElementChild && !location.hash && !document.querySelector("#ilmoitus, .error-summary")) {
  list.lastElementChild.scrollIntoView({ block: "end" });
}
