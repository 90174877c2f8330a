// Receipt codes of votes are kept on the voter's own device only. The server stores just a
// hash of each code and nothing that links a voter to a paper, so it cannot show a member
// their secret receipts: this script remembers each code the confirmation screen shows (in
// localStorage, never sent anywhere) and lists them back on the "My votes" page.
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

  function remember(root) {
    var shown = root.querySelectorAll("[data-receipt-code]");
    if (!shown.length) return;
    var list = load();
    shown.forEach(function (element) {
      var entry = {
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
    var mine = load().filter(function (entry) { return entry.org === target.dataset.org; });
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
        save(load().filter(function (entry) { return entry.org !== target.dataset.org; }));
        target.textContent = "";
        section.hidden = true;
      });
    }
  }

  function start() {
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
