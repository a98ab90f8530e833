// Datenlabor app page: tell the visitor (in German) when the connection to the
// server is lost or the app's kernel stopped. Wraps window.WebSocket before
// Voilà's bundle opens the kernel connection; nothing is sent anywhere.
(function () {
  "use strict";
  var Native = window.WebSocket;
  if (!Native) { return; }
  var LOST = "Die Verbindung zum Server ist unterbrochen. Ihre Einstellungen wirken gerade nicht. " +
    "Bitte laden Sie die Seite neu (Taste F5) oder versuchen Sie es in einer Minute noch einmal.";
  var STOPPED = "Die App wurde auf dem Server beendet. Bitte laden Sie die Seite neu (Taste F5).";
  var DEAD = /"execution_state":\s*"(dead|restarting|autorestarting)"/;
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });

  function show(text) {
    var el = document.getElementById("dl-connection");
    if (!el || leaving) { return; }
    el.textContent = text;
    el.hidden = false;
  }

  function inspect(data) {
    if (typeof data === "string") { return data.length < 8192 && DEAD.test(data); }
    if (data instanceof ArrayBuffer && data.byteLength < 8192 && window.TextDecoder) {
      return DEAD.test(new TextDecoder().decode(data));
    }
    return false;
  }

  function Wrapped(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (String(url).indexOf("/channels") !== -1) {
      ws.addEventListener("close", function () { show(LOST); });
      ws.addEventListener("message", function (ev) { if (inspect(ev.data)) { show(STOPPED); } });
    }
    return ws;
  }
  Wrapped.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Wrapped[k] = Native[k]; });
  window.WebSocket = Wrapped;
  window.datenlaborShowConnectionLost = function () { show(LOST); };

  // Accessibility of what Voilà's frontend renders after the page loaded:
  // * the notebook shell becomes the page's main landmark (our placeholder
  //   with the loading message gives the role up);
  // * slider handles (role=slider) get the widget's visible label as name.
  var counter = 0;
  function labelId(label) {
    if (!label.id) { counter += 1; label.id = "dl-label-" + counter; }
    return label.id;
  }
  function improve() {
    var shell = document.querySelector(".jp-LabShell");
    if (shell && shell.getAttribute("role") !== "main") {
      var holder = document.getElementById("inhalt");
      if (holder) { holder.removeAttribute("role"); holder.removeAttribute("id"); }
      shell.setAttribute("role", "main");
      shell.setAttribute("tabindex", "-1");
      var skip = document.querySelector(".dl-skip");
      if (skip && shell.id) { skip.setAttribute("href", "#" + shell.id); }
    }
    var widgets = document.querySelectorAll(".jupyter-widgets.widget-slider, .jupyter-widgets.widget-hslider, .jupyter-widgets.widget-vslider");
    Array.prototype.forEach.call(widgets, function (w) {
      var label = w.querySelector(".widget-label");
      if (!label || !label.textContent.trim()) { return; }
      Array.prototype.forEach.call(w.querySelectorAll("[role=slider]"), function (h) {
        if (!h.hasAttribute("aria-labelledby") && !h.hasAttribute("aria-label")) {
          h.setAttribute("aria-labelledby", labelId(label));
        }
      });
      var readout = w.querySelector(".widget-readout");
      if (readout && !readout.hasAttribute("aria-label")) {
        readout.setAttribute("aria-label", label.textContent.trim() + " (Wert)");
      }
    });
    // pandas tables: the index column has an empty header cell
    Array.prototype.forEach.call(document.querySelectorAll(".jp-OutputArea th"), function (th) {
      if (!th.textContent.trim() && !th.hasAttribute("aria-label")) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = th.cellIndex === 0 ? "Zeile" : "(ohne Titel)";
        th.appendChild(hidden);
      }
    });
    // wide outputs scroll sideways: make them reachable by keyboard
    Array.prototype.forEach.call(document.querySelectorAll(".jp-OutputArea-output"), function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", "Ausgabe, waagerecht verschiebbar");
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".widget-label[title='null']"), function (l) {
      l.removeAttribute("title");
    });
  }
  var scheduled = false;
  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () { scheduled = false; improve(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    improve();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  });
})();
