// Receipt codes of votes are kept on the voter's own device only. The server stores just a
// hash of each code and nothing that links a voter to a paper, so it cannot show a member
// their secret receipts: this script remembers each code the confirmation screen shows (in
// localStorage, never sent anywhere) and lists them back on the "My votes" page.
// The codes belong to the person, not to the phone: each is kept under an opaque tag of the
// signed-in member (data-receipt-owner), a page of another member forgets them at once, and
// signing out forgets them all (the server also sends Clear-Site-Data: "storage").
(function () {
  "use strict";
  var KEY = "votes.receipts";
  var KEPT = 200;

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function save(list) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(list.slice(-KEPT)));
    } catch (error) {
      // private browsing or a full storage: the code is still on screen to note down
    }
  }

  function owner(root) {
    var tagged = root.querySelector("[data-receipt-owner]");
    return tagged ? tagged.dataset.receiptOwner : "";
  }

  function forgetOthers(who) {
    // a phone passed to someone else keeps nothing of the previous person's receipts
    if (!who) return;
    var list = load();
    var mine = list.filter(function (entry) { return entry.owner === who; });
    if (mine.length !== list.length) save(mine);
  }

  function forgetAll() {
    try {
      window.localStorage.removeItem(KEY);
    } catch (error) {
      // nothing kept
    }
  }

  function remember(root) {
    var shown = root.querySelectorAll("[data-receipt-code]");
    if (!shown.length) return;
    var list = load();
    shown.forEach(function (element) {
      forgetOthers(element.dataset.receiptOwner);
      list = load();
      var entry = {
        owner: element.dataset.receiptOwner,
        org: element.dataset.receiptOrg,
        ballot: element.dataset.receiptBallot,
        question: element.dataset.receiptQuestion,
        code: element.dataset.receiptCode,
      };
      list = list.filter(function (kept) {
        return !(kept.org === entry.org && kept.ballot === entry.ballot);
      });
      list.push(entry);
    });
    save(list);
  }

  function show() {
    var target = document.getElementById("local-receipts");
    var template = document.getElementById("local-receipt-template");
    var section = document.getElementById("local-receipts-section");
    if (!target || !template || !section) return;
    var mine = load().filter(function (entry) {
      return entry.org === target.dataset.org && entry.owner === target.dataset.receiptOwner;
    });
    mine.reverse().forEach(function (entry) {
      var item = template.content.cloneNode(true);
      item.querySelector("[data-slot=question]").textContent = entry.question || "";
      item.querySelector("[data-slot=code]").textContent = entry.code || "";
      item.querySelector("input[name=receipt]").value = entry.code || "";
      target.appendChild(item);
    });
    if (window.htmx) window.htmx.process(target);
    section.hidden = mine.length === 0;
    var forget = document.getElementById("forget-receipts");
    if (forget) {
      forget.addEventListener("click", function () {
        save(load().filter(function (entry) {
          return !(entry.org === target.dataset.org && entry.owner === target.dataset.receiptOwner);
        }));
        target.textContent = "";
        section.hidden = true;
      });
    }
  }

  function start() {
    forgetOthers(owner(document));
    document.querySelectorAll("form[action='/logout']").forEach(function (form) {
      form.addEventListener("submit", forgetAll);
    });
    remember(document);
    show();
    document.body.addEventListener("htmx:afterSettle", function (event) {
      remember(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
