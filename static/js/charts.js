// Draws every chart on the page from its figure, which the server embeds as JSON
// (json_script), so no inline script is needed under the Content Security Policy.
(function () {
  "use strict";
  var NARROW = 576;  // Bootstrap's "sm": below it, a phone.
  var ROW = 22;      // pixels a legend row takes

  // On a phone the legend goes below the plot, one item a row, never in a scroll box (plotly
  // caps a legend at half the chart's height): the chart grows by the legend's height instead.
  function legendItems(data) {
    var groups = {};
    return data.filter(function (trace) {
      if (trace.showlegend === false) { return false; }
      if (trace.legendgroup) {
        if (groups[trace.legendgroup]) { return false; }
        groups[trace.legendgroup] = true;
      }
      return true;
    }).length;
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout;
    if (element.clientWidth < NARROW && layout.legend) {
      var rows = legendItems(figure.data);
      var legendHeight = rows * ROW + 8;
      var height = layout.height || 380;
      var margin = Object.assign({}, layout.margin || {});
      // The plot keeps its own height; the legend gets a band of its own underneath, below
      // the slanted month labels.
      margin.b = (margin.b || 40) + legendHeight + 40;
      layout = Object.assign({}, layout, {
        height: height + legendHeight + 40,
        margin: margin,
        legend: Object.assign({}, layout.legend, {
          orientation: "h", x: 0, xanchor: "left", xref: "container",
          y: 0, yanchor: "bottom", yref: "container", maxheight: 1,
          entrywidth: 1, entrywidthmode: "fraction"
        })
      });
    }
    window.Plotly.newPlot(element, figure.data, layout, {
      displaylogo: false,
      // No mode bar: it needs per-plot <style> rules the CSP blocks; the data table serves instead.
      displayModeBar: false,
      responsive: true,
    });
  }
  document.querySelectorAll("[data-figure]").forEach(draw);
})();
