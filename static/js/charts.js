// Draws every chart on the page from its figure, which the server embeds as JSON
// (json_script), so no inline script is needed under the Content Security Policy.
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displaylogo: false,
      // No mode bar: it needs per-plot <style> rules the CSP blocks; the data table serves instead.
      displayModeBar: false,
      responsive: true,
    });
  }
  document.querySelectorAll("[data-figure]").forEach(draw);
})();
