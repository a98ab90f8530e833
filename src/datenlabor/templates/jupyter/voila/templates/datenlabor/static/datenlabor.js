// Datenlabor app page, in the browser only (nothing is sent anywhere):
// * a lost connection or a stopped app is announced in a fixed place at the top
//   of the viewport (role=alert), the controls are disabled and no "updated"
//   message stays behind, until the visitor reloads;
// * the notebook shell that Voilà's front end builds becomes part of the
//   document: it is moved into the page's main landmark, the footer follows it;
// * a "Zum Ausprobieren springen" link appears when the controls are not on the first screen;
// * slider values are shown the German way (0,25 instead of 0.25), the upload
//   button loses its "(0)", slider handles get their label as accessible name;
// * the options of a radio-button widget form one group (one Tab stop, arrow keys);
// * a file larger than the upload limit is refused here, before it is sent
//   (German message in a live region next to the button); should a too large
//   message still reach the server, it closes the connection with code 1009 and
//   the visitor reads why instead of "Verbindung unterbrochen".
(function () {
  "use strict";
  var Native = window.WebSocket;
  var LOST = "Die Verbindung zum Server ist unterbrochen. Ihre Einstellungen wirken gerade nicht. " +
    "Bitte laden Sie die Seite neu oder versuchen Sie es in einer Minute noch einmal.";
  var STOPPED = "Die App wurde auf dem Server beendet. Bitte laden Sie die Seite neu.";
  var TOO_BIG = "Die gesendete Datei war für den Server zu groß, die Verbindung wurde deshalb beendet. " +
    "Bitte laden Sie die Seite neu und wählen Sie eine kleinere Datei.";
  var DEAD = /"execution_state":\s*"(dead|restarting|autorestarting)"/;
  var leaving = false;
  var offline = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pagehide", function () { leaving = true; });

  function disableControls() {
    var app = document.querySelectorAll(".datenlabor-app, .datenlabor-upload");
    Array.prototype.forEach.call(app, function (box) {
      Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea, button"), function (c) {
        c.disabled = true;
      });
      Array.prototype.forEach.call(box.querySelectorAll("[role=slider]"), function (h) {
        h.setAttribute("aria-disabled", "true");
        h.setAttribute("tabindex", "-1");
      });
      box.setAttribute("inert", "");
    });
    // Nothing is computed any more: no "Ergebnis aktualisiert." may stay behind.
    Array.prototype.forEach.call(document.querySelectorAll(".datenlabor-status"), function (s) {
      var content = s.querySelector(".widget-html-content") || s;
      if (content.textContent) { content.textContent = ""; }
    });
  }

  function show(text) {
    if (leaving) { return; }
    var el = document.getElementById("dl-connection");
    offline = true;
    document.body.classList.add("dl-offline");
    disableControls();
    if (!el) { return; }
    el.textContent = text + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Seite neu laden";
    button.addEventListener("click", function () { window.location.reload(); });
    el.appendChild(button);
    el.hidden = false;
  }

  function inspect(data) {
    if (typeof data === "string") { return data.length < 8192 && DEAD.test(data); }
    if (data instanceof ArrayBuffer && data.byteLength < 8192 && window.TextDecoder) {
      return DEAD.test(new TextDecoder().decode(data));
    }
    return false;
  }

  if (Native) {
    var Wrapped = function (url, protocols) {
      var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
      if (String(url).indexOf("/channels") !== -1) {
        ws.addEventListener("close", function (ev) {
          // closing because the page is left or reloaded is no lost connection
          var text = ev && ev.code === 1009 ? TOO_BIG : LOST;  // 1009: message too big
          window.setTimeout(function () { show(text); }, 50);
        });
        ws.addEventListener("message", function (ev) { if (inspect(ev.data)) { show(STOPPED); } });
      }
      return ws;
    };
    Wrapped.prototype = Native.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Wrapped[k] = Native[k]; });
    window.WebSocket = Wrapped;
  }
  window.datenlaborShowConnectionLost = function () { show(LOST); };

  // German number text of a readout ("0.25" -> "0,25", "12000" -> "12.000").
  function germanNumber(text) {
    var t = String(text).trim();
    if (!/^-?\d+(\.\d+)?$/.test(t)) { return t; }
    var parts = t.split(".");
    var whole = parts[0];
    var sign = whole.charAt(0) === "-" ? "-" : "";
    var digits = sign ? whole.slice(1) : whole;
    if (digits.length >= 5) { digits = digits.replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
    return sign + digits + (parts.length > 1 ? "," + parts[1] : "");
  }

  // Megabytes the German way, as the kernel writes them: 38.2 -> "38,2 MB", 2.0 -> "2 MB".
  function megabytes(bytes) {
    // decimal megabytes, as file managers show sizes (and as the server's message says)
    return (Math.round(bytes / 1000000 * 10) / 10).toFixed(1).replace(/\.0$/, "").replace(".", ",") + " MB";
  }

  // Files over the limit of their upload box (class datenlabor-upload-max-<bytes>) never
  // leave the browser: the widget's own listener on the file input is not reached.
  // ipywidgets' FileUpload keeps its <input type=file> outside the document and opens it
  // with input.click() from its button: the box is the one whose button was clicked.
  var uploadBox = null;
  document.addEventListener("click", function (ev) {
    var box = ev.target && ev.target.closest && ev.target.closest(".datenlabor-upload");
    if (box) { uploadBox = box; }
  }, true);
  if (window.HTMLInputElement) {
    var nativeClick = HTMLInputElement.prototype.click;
    HTMLInputElement.prototype.click = function () {
      if (this.type === "file" && !this.dlChecked) {
        this.dlChecked = true;
        // at the target, capturing listeners run before the widget's own one
        this.addEventListener("change", checkUpload, true);
      }
      return nativeClick.apply(this, arguments);
    };
  }
  function checkUpload(ev) {
    var input = ev.target;
    if (!input || input.type !== "file") { return; }
    var box = (input.isConnected && input.closest(".datenlabor-upload")) || uploadBox;
    var match = box && /(?:^|\s)datenlabor-upload-max-(\d+)(?:\s|$)/.exec(box.className);
    if (!match) { return; }
    var limit = Number(match[1]);
    var note = box.querySelector(".dl-upload-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "dl-upload-note datenlabor-fehler";
      note.setAttribute("role", "alert");
      var button = box.querySelector(".widget-upload, .datenlabor-upload-button");
      if (button && button.parentNode) {
        button.parentNode.insertBefore(note, button.nextSibling);
      } else {
        box.appendChild(note);
      }
    }
    var big = Array.prototype.filter.call(input.files || [], function (f) { return f.size > limit; });
    if (!big.length) { note.textContent = ""; return; }
    ev.stopImmediatePropagation();
    ev.stopPropagation();
    note.textContent = "Die Datei „" + big[0].name + "“ ist zu groß (" + megabytes(big[0].size) +
      "). Erlaubt sind höchstens " + megabytes(limit) + ". Bitte wählen Sie eine kleinere Datei.";
    input.value = "";
  }
  document.addEventListener("change", checkUpload, true);

  var counter = 0;
  var wide = 0;
  function labelId(label) {
    if (!label.id) { counter += 1; label.id = "dl-label-" + counter; }
    return label.id;
  }

  function placeShell() {
    var shell = document.querySelector(".jp-LabShell");
    var holder = document.getElementById("inhalt");
    if (shell && holder && shell.parentNode !== holder) {
      holder.appendChild(shell);
      shell.removeAttribute("role");  // the page's <div role=main> is the landmark
    }
    var footer = document.getElementById("dl-footer");
    if (footer && footer !== document.body.lastElementChild && holder && footer.previousElementSibling !== holder) {
      holder.parentNode.insertBefore(footer, holder.nextSibling);
    }
  }

  function jumpLink() {
    var app = document.querySelector(".datenlabor-app");
    var jump = document.getElementById("dl-jump");
    if (!app || !jump || app.id === "dl-ausprobieren") { return; }
    app.id = "dl-ausprobieren";
    app.setAttribute("tabindex", "-1");
    app.setAttribute("role", "group");
    app.setAttribute("aria-label", "Ausprobieren");
    var top = app.getBoundingClientRect().top + window.scrollY;
    if (top > window.innerHeight * 0.75) { jump.hidden = false; }
  }

  function sliders() {
    var widgets = document.querySelectorAll(".jupyter-widgets.widget-slider, .jupyter-widgets.widget-hslider");
    Array.prototype.forEach.call(widgets, function (w) {
      var label = w.querySelector(".widget-label");
      var name = label && label.textContent.trim();
      var handles = w.querySelectorAll("[role=slider]");
      Array.prototype.forEach.call(handles, function (h) {
        if (name && !h.hasAttribute("aria-labelledby") && !h.hasAttribute("aria-label")) {
          h.setAttribute("aria-labelledby", labelId(label));
        }
      });
      var native = w.querySelector(".widget-readout:not(.dl-readout)");
      if (!native) { return; }
      var shown = w.querySelector(".dl-readout");
      if (!shown) {
        shown = document.createElement("div");
        shown.className = "widget-readout dl-readout";
        shown.setAttribute("aria-hidden", "true");  // the handle carries the value (aria-valuetext)
        native.classList.add("dl-readout-native");
        native.parentNode.insertBefore(shown, native.nextSibling);
      }
      var text = germanNumber(native.textContent);
      if (shown.textContent !== text) { shown.textContent = text; }
      Array.prototype.forEach.call(handles, function (h) {
        if (h.getAttribute("aria-valuetext") !== text) { h.setAttribute("aria-valuetext", text); }
      });
    });
  }

  // ipywidgets' RadioButtons write <input type=radio> without a name: every option is its own
  // Tab stop and the group has no name. One name per group makes it one Tab stop with arrow
  // keys (WAI-ARIA radio group pattern, native), the label names the group.
  var groups = 0;
  function radioGroups() {
    Array.prototype.forEach.call(document.querySelectorAll(".widget-radio-box"), function (box) {
      if (!box.dataset.dlGroup) {
        groups += 1;
        box.dataset.dlGroup = "dl-radio-" + groups;
        box.setAttribute("role", "radiogroup");
        var label = box.parentNode && box.parentNode.querySelector(".widget-label");
        if (label && label.textContent.trim()) { box.setAttribute("aria-labelledby", labelId(label)); }
      }
      Array.prototype.forEach.call(box.querySelectorAll("input[type=radio]"), function (r) {
        if (r.name !== box.dataset.dlGroup) { r.name = box.dataset.dlGroup; }
      });
    });
  }

  function uploadButtons() {
    Array.prototype.forEach.call(document.querySelectorAll(".datenlabor-upload-button, .datenlabor-upload .widget-upload"), function (b) {
      Array.prototype.forEach.call(b.childNodes, function (n) {
        if (n.nodeType === 3 && / \(\d+\)\s*$/.test(n.nodeValue)) {
          n.nodeValue = n.nodeValue.replace(/ \(\d+\)\s*$/, "");
        }
      });
    });
  }

  function improve() {
    placeShell();
    jumpLink();
    sliders();
    radioGroups();
    uploadButtons();
    // pandas tables: the index column has an empty header cell
    Array.prototype.forEach.call(document.querySelectorAll(".jp-OutputArea th"), function (th) {
      if (!th.textContent.trim() && !th.hasAttribute("aria-label")) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = th.cellIndex === 0 ? "Zeile" : "(ohne Titel)";
        th.appendChild(hidden);
      }
    });
    // wide outputs scroll sideways: make them reachable by keyboard (each region its own name)
    Array.prototype.forEach.call(document.querySelectorAll(".jp-OutputArea-output, .jp-RenderedHTMLCommon"), function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex") &&
          getComputedStyle(el).overflowX !== "visible") {
        wide += 1;
        var caption = el.querySelector("caption");
        var what = caption && caption.textContent.trim() ? "„" + caption.textContent.trim().slice(0, 60) + "“" : "Ausgabe " + wide;
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", what + ", waagerecht verschiebbar");
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".widget-label[title='null']"), function (l) {
      l.removeAttribute("title");
    });
    if (offline) { disableControls(); }
    repairBroken();
  }
  // On a busy server jupyter-widgets now and then renders a view before its model has
  // arrived and leaves the English text "Error displaying widget: model not found" in
  // the page (upstream race, rare). The page is loaded once more (a new kernel); if it
  // happens again, the visitor gets a German message with a reload button instead.
  var BROKEN = /^Error displaying widget/;
  var RETRIED = "dl-neu-geladen:" + window.location.pathname;
  function brokenWidgets() {
    return Array.prototype.filter.call(document.querySelectorAll(".jupyter-widgets"), function (el) {
      return el.childElementCount === 0 && BROKEN.test(el.textContent.trim());
    });
  }
  function repairBroken() {
    var broken = brokenWidgets();
    if (!broken.length || leaving) { return; }
    var retried = true;
    try {
      retried = window.sessionStorage.getItem(RETRIED) === "1";
      if (!retried) { window.sessionStorage.setItem(RETRIED, "1"); }
    } catch (e) { retried = true; }
    if (!retried) { leaving = true; window.location.reload(); return; }
    broken.forEach(function (el) {
      el.textContent = "Dieser Teil der App ließ sich nicht laden. ";
      el.setAttribute("role", "alert");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Seite neu laden";
      button.addEventListener("click", function () { window.location.reload(); });
      el.appendChild(button);
    });
  }
  window.addEventListener("load", function () {
    // a page that stayed whole for a while may try the reload again next time
    window.setTimeout(function () {
      if (!brokenWidgets().length) {
        try { window.sessionStorage.removeItem(RETRIED); } catch (e) { /* no storage */ }
      }
    }, 30000);
  });

  var scheduled = false;
  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    window.requestAnimationFrame(function () { scheduled = false; improve(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    improve();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
})();
