// The ballot form shows only what the chosen method uses (fields marked data-methods), and
// swaps the options when they are still another method's own answers: no "Pour / Contre /
// Abstention" left in a ranked or consent ballot. Without JavaScript every field shows, each
// saying which methods it is for, and the server ignores what the method does not use.
(() => {
  function ready() {
    const form = document.getElementById("ballot-form");
    if (!form) return;
    const method = form.querySelector("#method");
    const options = form.querySelector("#options");
    const defaults = JSON.parse(options.dataset.defaults || "{}");
    const same = (a, b) => a.trim().replace(/\r/g, "") === b.trim();
    let previous = method.value;
    const apply = () => {
      const chosen = method.value;
      for (const part of form.querySelectorAll("[data-methods]")) {
        const used = part.dataset.methods.split(" ").includes(chosen);
        part.hidden = !used;
        for (const field of part.querySelectorAll("input, select, textarea")) field.disabled = !used;
      }
      const wasDefault = Object.values(defaults).some((text) => text && same(options.value, text));
      if (chosen !== previous && (wasDefault || !options.value.trim())) {
        options.value = defaults[chosen] || "";
      }
      previous = chosen;
    };
    method.addEventListener("change", apply);
    apply();
  }
  document.addEventListener("DOMContentLoaded", ready);
})();
