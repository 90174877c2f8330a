// Enter in a picker's search field searches (htmx listens to "search"), and never sends the
// form around it (a proxy or a proposal half filled in).
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement)) return;
  if (!field.matches(".picker input[type=search]")) return;
  event.preventDefault();
  field.dispatchEvent(new Event("search", { bubbles: true }));
});
