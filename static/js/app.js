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
      return true;
    }
    return false;
  }

  // After a change the page says what happened: focus goes there, never left on <body>.
  function focusFlashIfLost() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) return;
    var flash = document.querySelector("[data-flash]");
    if (flash) flash.focus();
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
    ventana: function (ms) { return "Quedan " + duration(ms) + " del bloque"; },
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

  // Ask the server for fresh state every minute, only while the tab is visible, and never over
  // work in progress: not while focus is in the region (a swap would move it), nor while it
  // holds an open inline edit ([data-editing]: it keeps what was typed). A refresh skipped for that runs
  // as soon as the region is free again.
  var skipped = false;
  var refocus = null; // the control a refresh gives the focus back to
  function refresh() {
    if (document.visibilityState !== "visible" || typeof htmx === "undefined") return;
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      // A refresh already on its way was read before this change: ask again once it has
      // landed (a request queued behind it would target the element it replaces, and be lost).
      // So too for a region just swapped in that htmx has not processed yet.
      if (el.classList.contains("htmx-request") || !el.hasAttribute("data-htmx-powered") || busyWithWork(el)) {
        skipped = true;
        return;
      }
      // Checked again when the answer arrives: work begun meanwhile keeps the page as it is
      // (and the refresh is asked again later); a focused link or bed keeps the focus on the
      // same control of the new content (htmx:after:swap below: the replaced element is gone
      // from the page by then, so its events reach the document).
      el.addEventListener("htmx:before:swap", function (e) {
        if (busyWithWork(el)) {
          e.preventDefault();
          skipped = true;
          return;
        }
        var active = document.activeElement;
        refocus = active && active !== document.body && el.contains(active) ? sameControl(active) : null;
      }, { once: true });
      htmx.trigger(el, "th:refresh");
    });
  }

  // busyWithWork: the region holds an open inline edit, or the focus is on a field in it, or
  // on a control that a refresh could not find again.
  function busyWithWork(el) {
    var active = document.activeElement;
    var focused = active && active !== document.body && el.contains(active);
    return !!el.querySelector("[data-editing]") || (focused && !sameControl(active));
  }

  // sameControl is a selector for the focused control in a refreshed board: a ticket's link or
  // bed, a chip, a page link. Fields being typed in have none: their region waits.
  function sameControl(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    if (el.matches("input, select, textarea")) return null;
    var row = el.closest("[data-ticket]");
    if (row && el.matches(".row-link, .edit")) {
      return '[data-ticket="' + row.getAttribute("data-ticket") + '"] ' + (el.matches(".edit") ? ".edit" : ".row-link");
    }
    if (el.matches("a[href]")) return 'a[href="' + CSS.escape(el.getAttribute("href")) + '"]';
    return null;
  }
  function refreshIfSkipped() {
    if (!skipped) return;
    skipped = false;
    refresh();
  }

  // --- Requests in flight and requests that fail -------------------------------------------
  //
  // A request in flight marks its form busy: its submit buttons say so and do not submit again.
  // A preview box ([data-preview]) being recalculated says "Calculando…" and its form's main
  // submit ([data-main-submit]) waits, so nobody saves an FPA the screen is not showing. A
  // request that fails (no connection, or the server answered 5xx) says so next to what failed,
  // keeps everything typed, and offers to try again.

  function busy(el, delta) {
    var n = (Number(el.getAttribute("data-busy")) || 0) + delta;
    if (n > 0) {
      el.setAttribute("data-busy", String(n));
      el.setAttribute("aria-busy", "true");
    } else {
      el.removeAttribute("data-busy");
      el.removeAttribute("aria-busy");
    }
    return n > 0;
  }

  function previewOf(ctx) {
    var target = ctx && ctx.target;
    return target && target.closest ? target.closest("[data-preview]") : null;
  }

  function setPreviewBusy(box, on) {
    var form = box.closest("form");
    var still = busy(box, on ? 1 : -1);
    var note = box.querySelector(".preview-busy");
    if (note) note.hidden = !still;
    if (form) {
      form.querySelectorAll("[data-main-submit]").forEach(function (b) {
        if (still) b.setAttribute("aria-disabled", "true");
        else b.removeAttribute("aria-disabled");
      });
    }
  }

  // The element a request's outcome is reported next to, and how to try it again.
  function origin(ctx) {
    var elt = ctx.sourceElement;
    var form = elt && (elt.matches("form") ? elt : elt.closest("form"));
    var submitter = ctx.request && ctx.request.submitter;
    var eventType = ctx.sourceEvent && ctx.sourceEvent.type;
    return {
      elt: elt,
      form: form,
      retry: function () {
        if (!elt || !elt.isConnected) return;
        if (elt.matches("form")) {
          if (submitter && submitter.isConnected) elt.requestSubmit(submitter);
          else elt.requestSubmit();
        } else {
          htmx.trigger(elt, eventType || "change");
        }
      }
    };
  }

  // Where a failure message goes: the board's refresh at the top of the results; a form's
  // submit above its buttons; a field's request under the field.
  function failureSlot(o, ctx) {
    if (o.elt && o.elt.matches("[data-refresh]")) return { parent: o.elt, before: o.elt.firstChild };
    var submitter = ctx.request && ctx.request.submitter;
    var anchor = submitter || (o.elt && !o.elt.matches("form") ? o.elt : null);
    if (anchor) {
      var row = anchor.closest("div, p") || anchor;
      return { parent: row.parentNode, before: row.nextSibling, after: !submitter };
    }
    if (o.form) return { parent: o.form, before: o.form.firstChild };
    return null;
  }

  function clock(d) {
    return d.toLocaleTimeString("es-CL", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "America/Santiago" });
  }

  function showFailure(ctx, status) {
    var o = origin(ctx);
    if (!o.elt || !o.elt.isConnected) return;
    clearFailure(o.elt);
    var slot = failureSlot(o, ctx);
    if (!slot) return;
    var box = document.createElement("div");
    box.className = "request-failure";
    box.setAttribute("role", "alert");
    box.setAttribute("data-failure-for", "");
    var msg = document.createElement("p");
    if (o.elt.matches("[data-refresh]")) {
      var at = o.elt.getAttribute("data-as-of");
      msg.textContent = (status ? "El servidor no respondió" : "Sin conexión") + " — datos de las " + (at || clock(new Date())) + ".";
    } else if (status) {
      msg.textContent = "El servidor no pudo responder (error " + status + "). No se perdió nada de lo que escribió.";
    } else {
      msg.textContent = "Sin conexión: no se pudo enviar. No se perdió nada de lo que escribió.";
    }
    var again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn-secondary";
    again.textContent = "Reintentar";
    again.addEventListener("click", function () {
      box.remove();
      o.retry();
    });
    box.appendChild(msg);
    box.appendChild(again);
    slot.parent.insertBefore(box, slot.before);
    failures.set(o.elt, box);
  }

  var failures = new WeakMap();
  function clearFailure(elt) {
    var box = failures.get(elt);
    if (box) {
      box.remove();
      failures.delete(elt);
    }
  }

  // Submits wait while their form is busy (aria-disabled, not disabled: a disabled button
  // would drop the keyboard focus).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[aria-disabled=true]");
    if (b) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var main = form.querySelector("[data-main-submit][aria-disabled=true]");
    var sub = e.submitter;
    var sending = form.classList.contains("htmx-request") && !form.matches("[role=search]");
    if (sending || (sub && sub.getAttribute("aria-disabled") === "true") || (main && (!sub || sub.hasAttribute("data-main-submit")))) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    if (navigator.onLine === false) {
      // Offline, a page submit would only show the browser's error page: say it here instead.
      e.preventDefault();
      e.stopImmediatePropagation();
      showFailure({ sourceElement: form, request: { submitter: sub } }, 0);
      return;
    }
    if (!form.hasAttribute("hx-post") && sub) {
      sub.setAttribute("data-sending", "");
    }
  }, true);

  document.addEventListener("htmx:before:request", function (e) {
    var ctx = e.detail.ctx;
    var box = previewOf(ctx);
    if (box) setPreviewBusy(box, true);
    ctx.thPreview = box;
    var sub = ctx.request && ctx.request.submitter;
    if (sub) {
      sub.setAttribute("data-sending", "");
      sub.setAttribute("aria-disabled", "true");
      ctx.thSubmitter = sub;
    }
  });
  document.addEventListener("htmx:after:request", function (e) {
    var ctx = e.detail.ctx;
    if (ctx.response && ctx.response.status < 500) clearFailure(ctx.sourceElement);
  });
  document.addEventListener("htmx:response:error", function (e) {
    var ctx = e.detail.ctx;
    if (ctx.response.status >= 500) showFailure(ctx, ctx.response.status);
  });
  document.addEventListener("htmx:error", function (e) {
    var ctx = e.detail.ctx;
    if (ctx && !ctx.response) showFailure(ctx, 0);
  });
  document.addEventListener("htmx:finally:request", function (e) {
    var ctx = e.detail.ctx;
    if (ctx.thSubmitter) {
      ctx.thSubmitter.removeAttribute("data-sending");
      ctx.thSubmitter.removeAttribute("aria-disabled");
    }
    if (ctx.thPreview) {
      var failed = !ctx.response || ctx.response.status >= 500;
      if (failed && ctx.thPreview.isConnected) {
        // The box still shows an older FPA: the server will ask to confirm the new one.
        ctx.thPreview.querySelectorAll("input[name=vista]").forEach(function (i) { i.value = ""; });
      }
      setPreviewBusy(ctx.thPreview, false);
    }
  });
  // Back to a page kept in the browser's cache: its buttons are no longer sending.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-sending]").forEach(function (b) {
      b.removeAttribute("data-sending");
      b.removeAttribute("aria-disabled");
    });
  });
  window.addEventListener("online", function () {
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      if (failures.has(el)) {
        clearFailure(el);
        htmx.trigger(el, "th:refresh");
      }
    });
  });

  // Another nurse changed this clinic's board (server-sent event): refresh now, with the same
  // care as the minute's refresh.
  document.addEventListener("tablero", function () { refresh(); });

  document.addEventListener("DOMContentLoaded", function () {
    if (!focusErrorSummary(document)) focusFlashIfLost();
    setInterval(tick, 15000);
    setInterval(refresh, 60000);
    // A refresh held back by work in progress runs soon after that work ends (the element
    // that ended it, a replaced "Cancelar", may be gone before its events reach the document).
    setInterval(refreshIfSkipped, 1000);
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
    if (refocus) {
      var next = document.querySelector(refocus);
      refocus = null;
      if (next) next.focus();
    }
    // A page loaded by htmx (HX-Location after a change) lands on its message; a swap whose
    // control was replaced hands the focus back from <body>.
    setTimeout(focusFlashIfLost, 0);
  });
  // A refresh held back runs once the new content is in place and processed (htmx processes it
  // right after this event).
  document.addEventListener("htmx:after:settle", function () {
    setTimeout(refreshIfSkipped, 0);
  });
})();
