// Ticks every countdown ([data-deadline]) once a second between server refreshes. At the
// deadline it says so in the page's language ([data-over]) instead of showing 0:00; the server
// closes the ballot then, and the live stream reloads the page. Without JavaScript the
// server-rendered time left is still shown and refreshed by each poll.
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
      var over = el.getAttribute("data-over");
      slot.textContent = left === 0 && over ? over : "⏱ " + text;
      el.classList.toggle("countdown--over", left === 0);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
