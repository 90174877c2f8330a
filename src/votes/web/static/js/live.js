// Live pages: the server's event stream tells fragments when to re-fetch (hx-trigger
// "sse:…"). The stream itself catches a page up after a reconnection; this file covers what
// the server cannot see: a phone that slept, a tab restored from the back-forward cache, a
// network that came back. Each asks the page's fragments to re-fetch once ("votes:resync").
//
// It also spreads the re-fetches that can wait. A signal reaches every phone in the room at
// the same moment; for a new contribution nobody needs the thread that very second, so each
// phone waits a random moment of up to SPREAD_MS and the server sees the fetches spread
// out instead of all at once. A fragment lists those signals in data-live-spread (e.g.
// "sse:thread"); a ballot opening or closing is never listed there: it stays immediate.
(function () {
  "use strict";
  var ASLEEP_MS = 5000; // a glance away is not a sleep
  var SPREAD_MS = 2500;
  var hiddenSince = null;
  var planned = new WeakSet(); // fragments with a spread fetch already waiting
  var due = new WeakSet(); // fragments whose spread fetch goes now

  function spreads(element, trigger) {
    var listed = element.getAttribute && element.getAttribute("data-live-spread");
    return Boolean(trigger && listed && listed.split(/[\s,]+/).indexOf(trigger.type) >= 0);
  }

  // htmx asks before every request; a spread signal's request is issued a little later
  document.addEventListener("htmx:confirm", function (event) {
    var detail = event.detail;
    var element = detail.elt;
    if (!element || !spreads(element, detail.triggeringEvent)) {
      return;
    }
    if (due.has(element)) {
      due.delete(element);
      return;
    }
    event.preventDefault();
    if (planned.has(element)) {
      return; // the fetch already planned will bring this change too
    }
    planned.add(element);
    window.setTimeout(function () {
      planned.delete(element);
      if (document.body.contains(element)) {
        detail.issueRequest(true);
        return;
      }
      // swapped meanwhile (another signal's fetch): ask the fragment that replaced it
      var current = element.id ? document.getElementById(element.id) : null;
      if (current) {
        due.add(current);
        htmx.trigger(current, detail.triggeringEvent.type);
      }
    }, Math.random() * SPREAD_MS);
  });

  function resync() {
    document.body.dispatchEvent(new CustomEvent("votes:resync"));
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      hiddenSince = Date.now();
      return;
    }
    if (hiddenSince !== null && Date.now() - hiddenSince > ASLEEP_MS) {
      resync();
    }
    hiddenSince = null;
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      resync();
    }
  });
  window.addEventListener("online", resync);
})();
