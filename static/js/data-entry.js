// The monthly data-entry page. After a failed save it moves to the first field with an error
// (the summary at the top lists every problem, each link focusing its field), and it keeps a
// stratified measure's "Groups add up to …" current while people type. No inline script (CSP);
// without this file the page still works: the summary's links jump to their fields.
(function () {
  "use strict";
  var form = document.querySelector("form.data-entry");
  if (!form) { return; }

  function openFolds(element) {
    for (var fold = element.closest("details"); fold; fold = fold.parentElement.closest("details")) {
      fold.open = true;
    }
  }

  function focusField(field) {
    openFolds(field);
    field.focus({ preventScroll: true });
    // Centred, so the field's label (above it, or its table's header) is in view too.
    field.scrollIntoView({ block: "center" });
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      focusField(field);
    });
    var first = form.querySelector("[aria-invalid='true']");
    if (first) { focusField(first); } else { summary.focus(); }
  }

  function sumOf(table, column) {
    var total = 0;
    table.querySelectorAll("input[data-column='" + column + "']").forEach(function (input) {
      var text = input.value.trim();
      var number = Number(text);
      if (text !== "" && isFinite(number)) { total += number; }
    });
    return Math.round(total * 100) / 100;
  }

  document.querySelectorAll("[data-entry-table]").forEach(function (table) {
    table.addEventListener("input", function () {
      table.querySelectorAll("[data-sum]").forEach(function (sum) {
        sum.textContent = sum.dataset.template.replace("__SUM__", String(sumOf(table, sum.dataset.sum)));
      });
    });
  });
})();
