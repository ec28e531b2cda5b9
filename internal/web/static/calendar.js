// The calendar section: a copy button for the feed's https address. It
// only enhances: without this script the button stays hidden and the
// address is plain text to select and copy.
//
// A button names the element to copy (data-copy), the element that says
// how it went (data-status) and the texts to say (data-done, data-failed),
// in the page's language.

for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status);
  if (!source || !status) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = source.textContent.trim();
    try {
      if (!navigator.clipboard) {
        throw new Error("no clipboard");
      }
      await navigator.clipboard.writeText(text);
      status.textContent = button.dataset.done || "";
    } catch {
      // Select the address, so that the person can copy it themselves.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = button.dataset.failed || "";
    }
  });
}
