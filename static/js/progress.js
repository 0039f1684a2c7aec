// A build's progress bar: polls the status URL on the <progress> element and updates the
// bar and its live text until every report is built. No inline script (CSP).
(function () {
  "use strict";
  var bar = document.querySelector("progress[data-status-url]");
  if (!bar) { return; }
  var text = document.getElementById(bar.dataset.textId);
  var done = document.getElementById(bar.dataset.doneId);
  var attempts = 0;
  function poll() {
    attempts += 1;
    fetch(bar.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        if (text) { text.textContent = status.text; }
        if (status.finished) {
          if (done) { done.hidden = false; }
          return;
        }
        // Every second for a minute, then every 5 s: a big month on a busy worker takes a while.
        if (attempts < 900) { window.setTimeout(poll, attempts < 60 ? 1000 : 5000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
