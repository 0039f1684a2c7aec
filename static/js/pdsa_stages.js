// PDSA pages: after a failed save, move to the first field with an error (opening a folded
// "More about the plan" first), so a person on a phone lands on what to fix rather than on a
// banner far above it; and the worksheet's print button. No inline script (CSP).
(function () {
  "use strict";
  document.querySelectorAll("form[data-focus-error]").forEach(function (form) {
    // The first error in reading order: a field's, or one about the form as a whole (an
    // earlier stage not finished, someone else's save), which sits above the fields.
    var target = form.querySelector('[aria-invalid="true"], .alert-danger');
    if (!target) { return; }
    if (!target.matches("input, select, textarea")) { target.setAttribute("tabindex", "-1"); }
    var folded = target.closest("details");
    if (folded) { folded.open = true; }
    var box = target.closest("fieldset, .mb-3") || target;
    box.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
