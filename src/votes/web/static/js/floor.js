// The floor (#19). Ticks the speaker's countdown between server refreshes ([data-floor-timer]:
// the server's elapsed seconds at render time and the budget, 0 for none), flashes and buzzes
// the phone when its member's turn comes ([data-my-turn="1"]), and redraws the mood bars from
// the counts carried by the live "mood-answers" event (no phone re-fetches anything for them).
(function () {
  "use strict";
  var SOON = 30;
  var rendered = new WeakMap(); // timer -> the moment it was rendered
  var myTurn = false;

  function clock(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var left = Math.abs(seconds);
    var rest = left % 60;
    return sign + Math.floor(left / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-floor-timer]").forEach(function (el) {
      if (!rendered.has(el)) { rendered.set(el, now); }
      var elapsed = Number(el.getAttribute("data-elapsed")) + Math.floor((now - rendered.get(el)) / 1000);
      var budget = Number(el.getAttribute("data-budget"));
      if (!budget) { el.textContent = clock(elapsed); return; }
      var left = budget - elapsed;
      el.textContent = clock(left);
      el.classList.toggle("floor-timer--over", left <= 0);
      el.classList.toggle("floor-timer--soon", left > 0 && left <= Math.min(SOON, Math.floor(budget / 5)));
      el.classList.toggle("floor-timer--none", left > Math.min(SOON, Math.floor(budget / 5)));
    });
  }

  function checkTurn() {
    var phone = document.getElementById("floor-phone");
    var now = Boolean(phone && phone.getAttribute("data-my-turn") === "1");
    if (now && !myTurn) {
      document.body.classList.add("floor-flash");
      window.setTimeout(function () { document.body.classList.remove("floor-flash"); }, 3000);
      if (navigator.vibrate) { navigator.vibrate([300, 150, 300]); }
    }
    myTurn = now;
  }

  document.body.addEventListener("sse:mood-answers", function (event) {
    var data;
    try { data = JSON.parse(event.detail.data); } catch (e) { return; }
    var bars = document.querySelector('[data-mood-bars="' + data.mood_id + '"]');
    if (!bars || !data.counts) { return; }
    var counts = String(data.counts).split(",").map(Number);
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    counts.forEach(function (count, index) {
      var meter = bars.querySelector('[data-mood-index="' + index + '"]');
      var label = bars.querySelector('[data-mood-count="' + index + '"]');
      if (meter) { meter.value = total ? Math.round(count * 100 / total) : 0; }
      if (label) { label.textContent = String(count); }
    });
    var sum = document.querySelector('[data-mood-total="' + data.mood_id + '"]');
    if (sum) { sum.textContent = String(total); }
  });

  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", function () { tick(); checkTurn(); });
  document.addEventListener("htmx:afterSwap", function () { tick(); checkTurn(); });
})();
