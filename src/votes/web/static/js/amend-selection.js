// Amend what you read: selecting words of a proposal's rendered text shows a button that takes
// them to the amendment form as its passage. On the proposal's page the button opens the form
// (…/amendments/new?selected=…); on the form's page it fills the passage (and the new text, when
// still empty). The server finds the passage in the Markdown source, so people never have to
// copy "**" or "##". Without JavaScript the form is the same, filled by hand.
(() => {
  const MAX = 4000;
  const text = document.querySelector("[data-amend-label]");
  if (!text) return;
  const button = document.createElement(text.dataset.amendHref ? "a" : "button");
  button.className = "button button--primary amend-selection";
  button.textContent = text.dataset.amendLabel;
  button.hidden = true;
  if (!text.dataset.amendHref) button.type = "button";
  document.body.append(button);
  for (const hint of document.querySelectorAll("[data-amend-hint]")) hint.hidden = false;

  let chosen = "";
  const selected = () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return "";
    const range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return "";
    return selection.toString().replace(/\s+/g, " ").trim().slice(0, MAX);
  };
  document.addEventListener("selectionchange", () => {
    chosen = selected();
    if (text.dataset.amendHref && chosen) {
      button.href = `${text.dataset.amendHref}?selected=${encodeURIComponent(chosen)}`;
    }
    // keep the button while it is being pressed (a tap may collapse the selection first)
    if (chosen) button.hidden = false;
  });
  text.addEventListener("pointerdown", () => { button.hidden = true; });
  if (!text.dataset.amendHref) {
    button.addEventListener("click", () => {
      const passage = document.querySelector(text.dataset.amendPassage);
      const replacement = document.querySelector(text.dataset.amendText);
      if (!chosen || !passage) return;
      passage.value = chosen;
      if (replacement && !replacement.value.trim()) replacement.value = chosen;
      button.hidden = true;
      (replacement || passage).focus();
    });
  }
})();
