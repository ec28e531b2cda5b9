// Live visit status: an open dashboard or visit page shows where today's
// visit is ("on the way", "arrived", "done") without a reload. One stream
// per page covers every home of the person; each event is a visit's
// status line (p#live-ID), ready made by the server, whose content goes
// into that visit's line when the page shows it. The browser resends the
// last event id it saw when it reconnects (Last-Event-ID). Without
// JavaScript the page shows the status it was loaded with.

const first = document.querySelector("p.live[data-stream]");

if (first && "EventSource" in window) {
  const events = new EventSource(first.dataset.stream);
  events.addEventListener("visit", (event) => {
    const template = document.createElement("template");
    template.innerHTML = event.data;
    const incoming = template.content.firstElementChild;
    if (!incoming || !incoming.id.startsWith("live-")) {
      return;
    }
    // The page's own line keeps its place (and its aria-live), so a
    // screen reader reads the new status out.
    document.getElementById(incoming.id)?.replaceChildren(...incoming.childNodes);
  });
  // Closing the page closes the stream at once, freeing the server.
  window.addEventListener("pagehide", () => events.close());
}
