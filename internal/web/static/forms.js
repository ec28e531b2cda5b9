// Form helpers. They only enhance: every form works without them.
//
// A "show password" button after each password field, so a person can
// check what they typed (paste is always allowed). The button's words come
// from the field's data-show and data-hide attributes, in the page's
// language.

for (const input of document.querySelectorAll("input[type=password][data-show]")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "toggle";
  button.setAttribute("aria-controls", input.id);
  button.setAttribute("aria-pressed", "false");
  button.textContent = input.dataset.show;
  button.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", String(show));
    button.textContent = show ? input.dataset.hide : input.dataset.show;
    input.focus();
  });
  input.insertAdjacentElement("afterend", button);
}

// A form sends once: a second click while the first is on its way is
// ignored, so a slow connection does not make a double submit.
for (const form of document.querySelectorAll("form[method=post]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    setTimeout(() => { delete form.dataset.sent; }, 5000);
  });
}

// The answer to a form takes the focus, so that the page opens where it
// is: the error summary of a refused form (or the warning of one refused
// because the page was out of date), or the notice after a redirect
// (the server marks them autofocus; this is for a browser that autofocuses
// form fields only). A fragment in the address leads elsewhere on purpose.
const answer = document.querySelector("[role=alert][autofocus], #ilmoitus");
if (answer && !location.hash && (!document.activeElement || document.activeElement === document.body)) {
  answer.focus();
}
