// Ticket Home: small enhancements on top of server-rendered pages. Everything works without it.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // After a failed submit, move focus to the error summary so screen readers announce it and
  // keyboard users land on the links to each field.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Spans as the server writes them (components.Duration).
  function duration(ms) {
    var mins = Math.floor(Math.abs(ms) / 60000);
    if (mins < 1) return "menos de 1 min";
    if (mins < 60) return mins + " min";
    if (mins < 1440) return Math.floor(mins / 60) + " h " + (mins % 60) + " min";
    return Math.floor(mins / 1440) + " d " + Math.floor((mins % 1440) / 60) + " h";
  }

  var texts = {
    programado: function (ms) { return "Activo en " + duration(ms); },
    antes: function (ms) { return "Faltan " + duration(ms) + " para la FPA"; },
    ventana: function (ms) { return "En ventana de alta: quedan " + duration(ms); },
    vencido: function (ms) { return "Vencido hace " + duration(ms); }
  };

  // Tick the server-rendered countdowns between server refreshes. When a deadline passes the
  // state changes, which only the server decides: the next refresh brings it.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var mode = el.getAttribute("data-countdown");
      var deadline = Number(el.getAttribute("data-deadline"));
      var f = texts[mode];
      if (!f || !deadline) return;
      var ms = mode === "vencido" ? now - deadline : deadline - now;
      if (ms < 0) return;
      el.textContent = f(ms);
    });
  }

  // Ask the server for fresh state every minute, only while the tab is visible, and not in a
  // region the user is working in (a swap would move their focus).
  function refresh() {
    if (document.visibilityState !== "visible" || typeof htmx === "undefined") return;
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      if (el.contains(document.activeElement) && document.activeElement !== document.body) return;
      htmx.trigger(el, "th:refresh");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    setInterval(tick, 15000);
    setInterval(refresh, 60000);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      tick();
      refresh();
    }
  });
  document.addEventListener("htmx:after:swap", function (e) {
    var target = e.target;
    if (target && target.querySelector && target.querySelector("[data-error-summary]")) {
      focusErrorSummary(target);
    }
  });
})();
