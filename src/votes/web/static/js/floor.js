// The floor. Ticks the speaker's countdown between server refreshes ([data-floor-timer]:
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

  // a floor signal: the speaker and the queue's order travel in it. This phone updates the
  // speaker and the count in place, and re-fetches its fragment only when its own state moved
  // (its turn came or ended, its place changed, the list opened or closed, the rules or the
  // subject under discussion changed)
  document.body.addEventListener("sse:floor", function (event) {
    var phone = document.getElementById("floor-phone");
    var data;
    try { data = JSON.parse(event.detail.data); } catch (e) { return; }
    if (!phone) { return; }
    var me = phone.getAttribute("data-me");
    var order = data.order ? String(data.order).split(",") : [];
    var parts = String(data.change || "queue").split(":");
    var state;
    if (me && String(data.speaker_id) === me) {
      state = "speaking";
    } else if (me && order.indexOf(me) >= 0) {
      state = "waiting:" + (order.indexOf(me) + 1);
    } else {
      state = "none";
    }
    state += ":" + (parts[1] || "none");
    if (parts[0] === "rules" || parts[0] === "subject" || data.order === undefined || state !== phone.getAttribute("data-state")) {
      htmx.trigger(phone, "floor:refetch");
      return;
    }
    var line = phone.querySelector("[data-floor-speaker-line]");
    var name = phone.querySelector("[data-floor-speaker]");
    if (line && name) {
      name.textContent = data.speaker || "";
      line.hidden = !data.speaker;
    }
    var reply = phone.querySelector("[data-floor-reply]");
    if (reply) { reply.hidden = !data.speaker; }
    var waiting = phone.querySelector("[data-floor-waiting]");
    if (waiting) { waiting.textContent = String(order.length); }
  });

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

  // the pushed mood panel's forms carry an empty CSRF field: this page's own token fills it
  function fillTokens() {
    var source = document.querySelector('input[name="_csrf_token"]:not([value=""])');
    if (!source) { return; }
    document.querySelectorAll('#floor-mood input[name="_csrf_token"]').forEach(function (input) {
      if (!input.value) { input.value = source.value; }
    });
  }
  document.addEventListener("htmx:sseMessage", fillTokens);
  document.addEventListener("htmx:afterSettle", fillTokens);

  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", function () { tick(); checkTurn(); });
  document.addEventListener("htmx:afterSwap", function () { tick(); checkTurn(); });
})();
