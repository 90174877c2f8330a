// Live pages (#8): the server's event stream tells fragments when to re-fetch (hx-trigger
// "sse:…"). The stream itself catches a page up after a reconnection; this file covers what
// the server cannot see: a phone that slept, a tab restored from the back-forward cache, a
// network that came back. Each asks the page's fragments to re-fetch once ("votes:resync").
(function () {
  "use strict";
  var ASLEEP_MS = 5000; // a glance away is not a sleep
  var hiddenSince = null;

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
