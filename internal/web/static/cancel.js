// The cost of cancelling follows the illness choice on the visit's cancel
// form: ticking "Perun sairauden vuoksi" shows 0 € at once. It only
// enhances: without it the confirmation step shows the cost the server
// computed for the chosen reason. The texts come from the element's
// data-fee and data-illness attributes, in the page's language.

for (const form of document.querySelectorAll("form[data-cancel-price]")) {
  const box = form.querySelector("input[name=illness]");
  const price = form.querySelector("[data-fee][data-illness]");
  if (!box || !price) {
    continue;
  }
  const shown = price.querySelector("strong") || price;
  const show = () => {
    const text = box.checked ? price.dataset.illness : price.dataset.fee;
    if (shown.textContent !== text) {
      shown.textContent = text;
    }
  };
  box.addEventListener("change", show);
  // A page restored from the back-forward cache keeps the box ticked.
  window.addEventListener("pageshow", show);
  show();
}
