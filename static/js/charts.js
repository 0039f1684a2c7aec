// The server draws every chart as SVG; this script turns one into a plotly chart (values on
// hover or tap, zoom) when the person asks: "Explore this chart", or a click on the drawing.
// plotly.js (1.2 MB) is fetched then, once, from this site — a script element, allowed by
// the CSP's script-src 'self' — so a page of charts loads with nothing heavy to run. The
// figure comes from the page as JSON (json_script): no inline script.
(function () {
  "use strict";
  var NARROW = 576;  // Bootstrap's "sm": below it, a phone.
  var ROW = 22;      // pixels a legend row takes
  var script = document.currentScript;
  var loading = null;

  // One promise for plotly.js and its stylesheet. The stylesheet's id and class tell plotly
  // its styles are already here, so it adds no <style> of its own (the CSP would block it).
  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (loading) { return loading; }
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.id = "plotly.js-style-global";
      css.className = "no-inline-styles";
      css.href = script.dataset.plotlyCss;
      document.head.appendChild(css);
      var element = document.createElement("script");
      element.src = script.dataset.plotly;
      element.onload = function () { resolve(window.Plotly); };
      element.onerror = function () { loading = null; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(element);
    });
    return loading;
  }

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

  // Month names on plotly's axes in the page's language (the server's drawing and the
  // hover text already are); plotly ships English only.
  var LOCALES = {
    es: {
      months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"],
      shortMonths: ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct",
                    "Nov", "Dic"],
      days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
      shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"]
    }
  };

  function pageLocale(Plotly) {
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    if (!LOCALES[lang]) { return "en"; }
    if (!pageLocale.registered) {
      Plotly.register({ moduleType: "locale", name: lang, dictionary: {}, format: LOCALES[lang] });
      pageLocale.registered = true;
    }
    return lang;
  }

  function draw(element, Plotly) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) { return; }
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
    // The server's drawing and its legend give way to plotly's (which has its own legend).
    var svgs = element.querySelectorAll(".chart-svg, .chart-legend");
    var summary = element.querySelector("svg[aria-labelledby]");
    svgs.forEach(function (node) { node.remove(); });
    element.setAttribute("role", "img");
    if (summary) { element.setAttribute("aria-labelledby", summary.getAttribute("aria-labelledby")); }
    return Plotly.newPlot(element, figure.data, layout, {
      locale: pageLocale(Plotly),
      displaylogo: false,
      // No mode bar: it needs per-plot <style> rules the CSP blocks; the data table serves instead.
      displayModeBar: false,
      responsive: true,
    });
  }

  function explore(element, button) {
    if (element.dataset.explored) { return Promise.resolve(); }
    element.dataset.explored = "1";
    element.setAttribute("aria-busy", "true");
    return loadPlotly().then(function (Plotly) {
      return draw(element, Plotly);
    }).then(function () {
      element.removeAttribute("aria-busy");
      if (button) {
        var focused = document.activeElement === button;
        button.hidden = true;
        // The button is gone: keep the keyboard where it was, on the chart it opened.
        if (focused) { element.tabIndex = -1; element.focus(); }
      }
    }, function () {
      delete element.dataset.explored;
      element.removeAttribute("aria-busy");
    });
  }

  document.querySelectorAll("[data-explore]").forEach(function (button) {
    var element = document.querySelector("[data-figure='" + button.dataset.explore + "']");
    if (!element || !element.querySelector(".chart-svg")) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { explore(element, button); });
    // A click (not a scroll) on the drawing asks for the same.
    element.addEventListener("click", function () { explore(element, button); });
  });
  // For tests and for anyone who wants every chart interactive at once.
  window.bscExploreCharts = function () {
    var all = [];
    document.querySelectorAll("[data-explore]").forEach(function (button) {
      var element = document.querySelector("[data-figure='" + button.dataset.explore + "']");
      if (element) { all.push(explore(element, button)); }
    });
    return Promise.all(all);
  };
})();
