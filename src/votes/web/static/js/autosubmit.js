// Submits forms marked data-autosubmit once the page has loaded: a one-time sign-in link then
// takes one step on a phone, while a link scanner that does not run scripts uses nothing.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    form.requestSubmit();
  }
});
