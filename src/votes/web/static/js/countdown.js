// Ticks every countdown ([data-deadline]) once a second between server refreshes. Without
// JavaScript the server-rendered time left is still shown and refreshed by each poll.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.getAttribute("data-deadline")) - now) / 1000));
      var text = Math.floor(left / 60) + ":" + pad(left % 60);
      var slot = el.querySelector(".countdown__time");
      if (!slot) {
        slot = document.createElement("span");
        slot.className = "countdown__time";
        el.textContent = "";
        el.appendChild(slot);
      }
      slot.textContent = "⏱ " + text;
      el.classList.toggle("countdown--over", left === 0);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
