// Drag and drop for the agenda: an enhancement only. The ↑ ↓ buttons do the same without
// JavaScript. After a drop the new order is posted; if the server refuses it (someone changed
// the agenda meanwhile), the page reloads to show the agenda as it really is.
(function () {
  "use strict";
  function setUp() {
    var list = document.getElementById("agenda");
    if (!list || !list.dataset.reorderUrl) { return; }
    document.querySelectorAll(".js-only").forEach(function (el) { el.classList.add("js-only--on"); });
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-item-id]");
      if (!dragged) { return; }
      dragged.classList.add("agenda-item--dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.itemId);
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-item-id]");
      if (!dragged || !over || over === dragged) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (!dragged) { return; }
      dragged.classList.remove("agenda-item--dragging");
      dragged = null;
      save(list);
    });
  }
  function save(list) {
    var token = document.querySelector("input[name=_csrf_token]");
    var body = new URLSearchParams();
    list.querySelectorAll("li[data-item-id]").forEach(function (item) {
      body.append("item", item.dataset.itemId);
    });
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "x-csrftoken": token ? token.value : "", "hx-request": "true" }
    }).then(function (response) {
      // the ↑ ↓ buttons' disabled state and any refusal are easiest shown by a fresh page
      window.location.reload();
      return response;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
