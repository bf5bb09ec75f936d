// Ticket Home: small enhancements on top of server-rendered pages. Everything works without it.
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary so screen readers announce it and
  // keyboard users land on the links to each field.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
  });
  document.addEventListener("htmx:after:swap", function (e) {
    focusErrorSummary(e.target);
  });
})();
