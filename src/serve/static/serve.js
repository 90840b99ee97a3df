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

  // The conversation's channels: a filter bar over the feed, each channel with what
  // arrived unread in it, and the page title counting what arrived while the page was
  // not looked at. Without this script every item shows, newest first.
  var feedEl = document.getElementById("feed");
  var role = body.getAttribute("data-role");
  var filter = null;
  var unread = {};
  var away = 0;
  var title = document.title;
  var bar = null;

  function channelName(c) {
    if (c === "inject") return "injects";
    if (c === "war") return "war room";
    var m;
    if ((m = /^team:(.*)$/.exec(c))) return "team " + m[1];
    if ((m = /^dm:(.*)\+(.*)$/.exec(c))) return role ? "with " + (m[1] === role ? m[2] : m[1]) : m[1] + " · " + m[2];
    if ((m = /^private:(.*)$/.exec(c))) return role ? "facilitator" : "private " + m[1];
    if ((m = /^char:(.*)\+(.*)$/.exec(c))) return role ? m[1] : m[1] + " · " + m[2];
    return c;
  }

  function applyFilter() {
    if (!feedEl) return;
    var items = feedEl.children;
    for (var i = 0; i < items.length; i++) {
      var c = items[i].getAttribute("data-channel");
      items[i].hidden = filter !== null && c !== filter;
    }
  }

  function drawBar() {
    if (!feedEl) return;
    var seen = {}, order = [];
    var items = feedEl.querySelectorAll("li[data-channel]");
    for (var i = items.length - 1; i >= 0; i--) {
      var c = items[i].getAttribute("data-channel");
      if (!seen[c]) { seen[c] = true; order.push(c); }
    }
    if (order.length < 2) { if (bar) { bar.remove(); bar = null; } return; }
    if (!bar) {
      bar = document.createElement("nav");
      bar.className = "channels";
      bar.setAttribute("aria-label", "channels");
      feedEl.parentNode.insertBefore(bar, feedEl);
    }
    bar.textContent = "";
    [null].concat(order).forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "channel" + (c === filter ? " on" : "");
      b.setAttribute("aria-pressed", c === filter ? "true" : "false");
      if (c !== null) b.setAttribute("data-channel", c);
      b.textContent = c === null ? "everything" : channelName(c);
      var n = c === null ? 0 : (unread[c] || 0);
      if (n > 0) {
        var u = document.createElement("span");
        u.className = "unread";
        u.textContent = String(n);
        u.setAttribute("aria-label", n + " unread");
        b.appendChild(u);
      }
      b.addEventListener("click", function () {
        filter = c;
        if (c !== null) unread[c] = 0;
        applyFilter();
        drawBar();
      });
      bar.appendChild(b);
    });
  }

  function badge() {
    document.title = away > 0 ? "(" + away + ") " + title : title;
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { away = 0; badge(); }
  });

  // An optional chime on a new inject or something said to this role alone: off
  // unless the player turns it on, remembered in this browser.
  var chime = null;
  var header = document.querySelector("header .bar");
  if (role && header) {
    var l = document.createElement("label");
    l.className = "check sound";
    var box = document.createElement("input");
    box.type = "checkbox";
    try { box.checked = localStorage.getItem("ttx-sound") === "on"; } catch (e) { /* private mode */ }
    box.addEventListener("change", function () {
      try { localStorage.setItem("ttx-sound", box.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
    l.appendChild(box);
    l.appendChild(document.createTextNode(" sound"));
    header.appendChild(l);
    chime = function () {
      if (!box.checked || !window.AudioContext) return;
      try {
        var a = new AudioContext(), o = a.createOscillator(), g = a.createGain();
        o.frequency.value = 880; g.gain.value = 0.08;
        o.connect(g); g.connect(a.destination);
        o.start(); o.stop(a.currentTime + 0.15);
      } catch (e) { /* no audio */ }
    };
  }

  function arrived(li) {
    var c = li.getAttribute("data-channel");
    if (!c) return;
    if (filter !== null && c !== filter) unread[c] = (unread[c] || 0) + 1;
    if (document.hidden) { away += 1; badge(); }
    if (chime && (c === "inject" || /^(dm:|private:|char:)/.test(c))) chime();
    if (filter !== null) li.hidden = c !== filter;
    drawBar();
  }

  // Forward, talk about an inject, answer a message: the Talk card, filled in.
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.move") : null;
    if (!a) return;
    var fwd = a.getAttribute("data-forward");
    if (fwd) {
      var d = document.getElementById("forward");
      var sel = document.getElementById("forward-re");
      if (d && sel) {
        e.preventDefault();
        d.open = true;
        sel.value = fwd;
        var to = document.getElementById("forward-to");
        if (to) to.focus();
      }
      return;
    }
    var re = a.getAttribute("data-re");
    var about = document.getElementById("say-re");
    var text = document.getElementById("say-text");
    if (!re || !about || !text) return;
    e.preventDefault();
    if (!about.querySelector('option[value="' + re + '"]')) {
      var o = document.createElement("option");
      o.value = re;
      o.textContent = "the message " + re;
      about.appendChild(o);
    }
    about.value = re;
    var where = a.getAttribute("data-to");
    var sayTo = document.getElementById("say-to");
    if (where && sayTo && sayTo.querySelector('option[value="' + where + '"]')) sayTo.value = where;
    text.focus();
  });
  drawBar();

  var url = "/api/events?after=" + encodeURIComponent(seq) + (truth ? "&truth=1" : "");
  var es = new EventSource(url);
  es.addEventListener("item", function (e) {
    if (e.lastEventId && document.getElementById("e" + e.lastEventId)) return;
    var feed = document.getElementById("feed");
    if (!feed) return;
    feed.insertAdjacentHTML("afterbegin", e.data);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.remove();
    if (feed.firstElementChild) arrived(feed.firstElementChild);
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
