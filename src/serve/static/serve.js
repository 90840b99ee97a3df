// ttx serve: live updates for a page that the server has already rendered in full.
// Without this script the page still works (reload to see what is new; forms post).
"use strict";
(function () {
  var body = document.body;
  var seq = body.getAttribute("data-seq");
  if (seq === null) return;
  var truth = body.getAttribute("data-truth") === "true";
  var live = document.getElementById("live");
  var pending = null;

  function say(text, on) {
    if (!live) return;
    live.textContent = text;
    live.className = on ? "live on" : "live off";
  }

  // A panel update must not throw away what someone is typing: it waits until they
  // leave the form (or send it, which reloads the page anyway).
  function editing(panel) {
    var a = document.activeElement;
    if (a && panel.contains(a) && /^(TEXTAREA|INPUT|SELECT)$/.test(a.tagName) && a.type !== "submit") return true;
    var fields = panel.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value && fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  function swapPanel(html) {
    var old = document.getElementById("panel");
    if (!old) return;
    if (editing(old)) { pending = html; return; }
    var nonce = old.querySelector("input[name=nonce]");
    var t = document.createElement("template");
    t.innerHTML = html;
    var fresh = t.content.firstElementChild;
    if (!fresh) return;
    // The page's own nonce stays: a panel from the stream is the same for everyone.
    if (nonce) {
      var ns = fresh.querySelectorAll("input[name=nonce]");
      for (var i = 0; i < ns.length; i++) ns[i].value = nonce.value;
    }
    old.replaceWith(fresh);
    pending = null;
  }

  document.addEventListener("focusout", function () {
    setTimeout(function () { if (pending) swapPanel(pending); }, 0);
  });

  var url = "/api/events?after=" + encodeURIComponent(seq) + (truth ? "&truth=1" : "");
  var es = new EventSource(url);
  es.addEventListener("item", function (e) {
    if (e.lastEventId && document.getElementById("e" + e.lastEventId)) return;
    var feed = document.getElementById("feed");
    if (!feed) return;
    feed.insertAdjacentHTML("afterbegin", e.data);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.remove();
  });
  es.addEventListener("clock", function (e) {
    var c = document.getElementById("clock");
    if (c) c.outerHTML = e.data;
  });
  es.addEventListener("panel", function (e) { swapPanel(e.data); });
  es.addEventListener("ended", function () {
    es.close();
    say("the exercise has ended", false);
  });
  es.addEventListener("revoked", function () {
    es.close();
    ["feed", "panel"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.remove();
    });
    say("the facilitator revoked this link; ask them for a new one", false);
  });
  es.onopen = function () { say("live", true); };
  es.onerror = function () {
    if (es.readyState !== EventSource.CLOSED) say("reconnecting…", false);
  };
})();
