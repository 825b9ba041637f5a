/*
 * The query page: YASGUI (vendored in static/yasgui/) preloaded with the example catalogue.
 *
 * Offline by construction: the only endpoint is our own; no LOV class/property look-ups
 * (they call lov.linkeddata.es): YASQE's class and property completers are forked to ask
 * our /api/complete (classes, properties, and an entity completer for prefixed names), and
 * the prefix completer reads /api/prefixes; no endpoint catalogue beyond ours, no
 * persistence of other people's endpoints.
 *
 * Research tools below the editor: a bar/pie chart of aggregate results and a timeline of
 * results with dates (Chart.js, vendored in static/chartjs/, loaded when first needed), and
 * a share button that stores the query server-side (POST /api/share) and shows its short link.
 * Without JavaScript the page keeps its plain form and each example is a link.
 */
(function () {
  "use strict";

  var configEl = document.getElementById("sparql-ui-config");
  var host = document.getElementById("yasgui");
  if (!configEl || !host || !window.Yasgui) {
    return; // the plain form stays
  }
  var cfg = JSON.parse(configEl.textContent);
  var Yasgui = window.Yasgui;
  var status = document.getElementById("sparql-ui-status");

  var Yasqe = Yasgui.Yasqe;

  // Completions from our own ontology and data (GET /api/complete): the built-in class and
  // property completers ask LOV; the forks keep their positions and token handling and only
  // change where the suggestions come from.
  function fromServer(kind) {
    return function (yasqe, token) {
      var text = token && (token.autocompletionString || token.string);
      if (!text || !text.trim() || !cfg.completeUrl) {
        return Promise.resolve([]);
      }
      var url = cfg.completeUrl + "?kind=" + kind + "&limit=50&q=" + encodeURIComponent(text.trim());
      return fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.ok ? r.json() : [];
        })
        .then(function (items) {
          return items.map(function (item) {
            return item.iri;
          });
        })
        .catch(function () {
          return [];
        });
    };
  }
  var LOCAL_COMPLETERS = ["prefixes", "variables"];
  if (typeof Yasqe.forkAutocompleter === "function" && Yasqe.Autocompleters) {
    Yasqe.forkAutocompleter("class", { name: "sgkgClass", get: fromServer("class"), persistenceId: null }, false);
    Yasqe.forkAutocompleter("property", { name: "sgkgProperty", get: fromServer("property"), persistenceId: null }, false);
    Yasqe.forkAutocompleter(
      "property",
      {
        name: "sgkgEntity",
        get: fromServer("entity"),
        persistenceId: null,
        // a prefixed name or an IRI in subject/object position (not a predicate, not a class)
        isValidCompletionPosition: function (yasqe) {
          var token = yasqe.getCompleteToken();
          var text = token.string || "";
          if (text.length < 2 || text[0] === "?" || text[0] === "$") {
            return false;
          }
          if (token.state && token.state.possibleCurrent && token.state.possibleCurrent.indexOf("a") >= 0) {
            return false;
          }
          var previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
          if (previous && (previous.string === "a" || /type>?$/.test(previous.string))) {
            return false;
          }
          return /^[A-Za-z][\w.-]*:/.test(text) || text[0] === "<";
        },
      },
      false
    );
    LOCAL_COMPLETERS = ["prefixes", "variables", "sgkgClass", "sgkgProperty", "sgkgEntity"];
  }
  Yasqe.defaults.autocompleters = LOCAL_COMPLETERS.slice();
  // prefix completion reads our own list ({prefix: namespace}), never prefix.cc
  Yasqe.defaults.prefixCcApi = cfg.prefixesUrl || null;

  var yasgui = new Yasgui(host, {
    requestConfig: {
      endpoint: cfg.endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
    },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: cfg.endpoint }];
      },
      keys: [],
    },
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    corsProxy: undefined,
    yasqe: {
      autocompleters: LOCAL_COMPLETERS.slice(),
      prefixCcApi: cfg.prefixesUrl || null,
      editorHeight: "340px",
    },
    yasr: { prefixes: cfg.prefixes, defaultPlugin: "table" },
  });

  // With JavaScript the editor replaces the plain form.
  document.documentElement.classList.add("sparql-ui-enhanced");

  // YASGUI leaves its endpoint field and the editor's input without a name: give them one.
  function nameControls() {
    host.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "SPARQL endpoint");
    });
    host.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "SPARQL query editor");
    });
    host.querySelectorAll(".tabsList input[type=text]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Tab name");
    });
  }
  nameControls();
  yasgui.on("tabAdd", function () {
    window.setTimeout(nameControls, 0);
  });

  var tab = yasgui.getTab();
  tab.setEndpoint(cfg.endpoint);
  tab.setQuery(cfg.initialQuery);

  var bySlug = {};
  (cfg.examples || []).forEach(function (ex) {
    bySlug[ex.slug] = ex;
  });

  function loadExample(link) {
    var ex = bySlug[link.getAttribute("data-slug")];
    if (!ex) {
      return false;
    }
    var current = yasgui.getTab();
    current.setQuery(ex.query);
    document.querySelectorAll("a.example[aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    link.setAttribute("aria-current", "true");
    if (status) {
      status.textContent = "Loaded “" + ex.title + "” into the editor. Press Ctrl+Enter or the run button to run it.";
    }
    current.getYasqe().focus();
    return true;
  }

  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
        return; // let people open the plain link in a new tab
      }
      if (loadExample(link)) {
        event.preventDefault();
      }
    });
  });

  // Result IRIs keep their canonical form (https://w3id.org/sgkg/…); their links go to this
  // server's page for the same path, so browsing works offline and on any host.
  function localise(event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (link && cfg.baseIri && link.href.indexOf(cfg.baseIri) === 0) {
      link.href = cfg.siteRoot + link.href.slice(cfg.baseIri.length);
      link.removeAttribute("target");
    }
  }
  ["mouseover", "focusin", "click", "auxclick"].forEach(function (type) {
    host.addEventListener(type, localise, true);
  });

  window.sgkgQueryUI = yasgui; // for people poking around in the console, and for tests

  // --- research tools: chart, timeline, share link ------------------------------------------
  var tools = document.createElement("section");
  tools.className = "sgkg-tools";
  tools.setAttribute("aria-labelledby", "sgkg-tools-heading");
  tools.innerHTML =
    '<h2 id="sgkg-tools-heading">Chart and share</h2>' +
    '<div class="sgkg-tools-row">' +
    '<label for="sgkg-chart-type">Draw the results as</label> ' +
    '<select id="sgkg-chart-type">' +
    '<option value="">(run a query first)</option>' +
    "</select> " +
    '<button type="button" id="sgkg-share">Share link</button>' +
    "</div>" +
    '<p class="sgkg-share-out" id="sgkg-share-out" hidden>' +
    '<label for="sgkg-share-url">Short link to this query</label> ' +
    '<input id="sgkg-share-url" type="text" readonly size="40"> ' +
    '<button type="button" id="sgkg-share-copy">Copy</button>' +
    "</p>" +
    '<p class="sr-status" role="status" aria-live="polite" id="sgkg-tools-status"></p>' +
    '<figure class="sgkg-chart" id="sgkg-chart" hidden>' +
    '<div class="sgkg-chart-box"><canvas id="sgkg-chart-canvas" role="img" aria-label=""></canvas></div>' +
    '<figcaption id="sgkg-chart-caption"></figcaption>' +
    "</figure>";
  host.parentNode.insertBefore(tools, host.nextSibling);
  var chartSelect = tools.querySelector("#sgkg-chart-type");
  var chartFigure = tools.querySelector("#sgkg-chart");
  var chartCanvas = tools.querySelector("#sgkg-chart-canvas");
  var chartCaption = tools.querySelector("#sgkg-chart-caption");
  var toolsStatus = tools.querySelector("#sgkg-tools-status");
  var chart = null;
  var lastData = null;

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  var DATES = ["date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp"].map(function (t) { return XSD + t; });

  function shortName(term) {
    if (!term) {
      return "";
    }
    if (term.type !== "uri") {
      return term.value;
    }
    var prefixes = cfg.prefixes || {};
    for (var p in prefixes) {
      if (term.value.indexOf(prefixes[p]) === 0) {
        return p + ":" + term.value.slice(prefixes[p].length);
      }
    }
    return term.value.replace(/^.*[\/#]/, "");
  }

  function dateOf(term) {
    if (!term || DATES.indexOf(term.datatype) < 0) {
      return null;
    }
    var text = term.value;
    if (term.datatype === XSD + "gYear") {
      text += "-01-01";
    } else if (term.datatype === XSD + "gYearMonth") {
      text += "-01";
    }
    var time = Date.parse(text);
    return isNaN(time) ? null : time;
  }

  // What can be drawn: {label var, number var} for bar/pie; {date var, label var} for a timeline.
  function analyse(json) {
    var vars = (json && json.head && json.head.vars) || [];
    var rows = (json && json.results && json.results.bindings) || [];
    var out = { rows: rows, vars: vars, number: null, label: null, date: null };
    if (!rows.length) {
      return out;
    }
    vars.forEach(function (v) {
      var cells = rows.map(function (r) { return r[v]; }).filter(Boolean);
      if (!cells.length) {
        return;
      }
      var numeric = cells.every(function (c) { return c.type !== "uri" && NUMERIC.indexOf(c.datatype) >= 0; });
      var dated = cells.every(function (c) { return dateOf(c) !== null; });
      if (numeric && !out.number) {
        out.number = v;
      } else if (dated && !out.date) {
        out.date = v;
      } else if (!numeric && !dated && !out.label) {
        out.label = v;
      }
    });
    return out;
  }

  function offerCharts(data) {
    lastData = data;
    var options = [];
    if (data.number && data.label) {
      options.push(["bar", "Bar chart (" + data.number + " by " + data.label + ")"]);
      options.push(["pie", "Pie chart (" + data.number + " by " + data.label + ")"]);
    }
    if (data.date) {
      options.push(["timeline", "Timeline (" + data.date + ")"]);
    }
    chartSelect.innerHTML = "";
    var none = document.createElement("option");
    none.value = "";
    none.textContent = options.length ? "Table only" : "(no chart for these results)";
    chartSelect.appendChild(none);
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o[0];
      opt.textContent = o[1];
      chartSelect.appendChild(opt);
    });
    if (options.length) {
      chartSelect.value = options[0][0];
      draw(options[0][0]);
    } else {
      hideChart();
    }
  }

  function hideChart() {
    if (chart) {
      chart.destroy();
      chart = null;
    }
    chartFigure.hidden = true;
  }

  var chartJsLoading = null;
  function withChartJs() {
    if (window.Chart) {
      return Promise.resolve(window.Chart);
    }
    if (!chartJsLoading) {
      chartJsLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = cfg.chartJs;
        script.onload = function () { resolve(window.Chart); };
        script.onerror = function () { reject(new Error("Chart.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return chartJsLoading;
  }

  var PALETTE = ["#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9", "#0e7490", "#a21caf",
    "#4d7c0f", "#c2410c", "#334155"];

  function draw(type) {
    if (!type || !lastData) {
      hideChart();
      return;
    }
    var data = lastData;
    withChartJs().then(function (Chart) {
      if (chart) {
        chart.destroy();
      }
      var config;
      var summary;
      if (type === "timeline") {
        var points = data.rows
          .filter(function (r) { return r[data.date]; })
          .map(function (r, i) {
            return {
              x: dateOf(r[data.date]),
              y: data.number && r[data.number] ? Number(r[data.number].value) : (i % 6) + 1,
              label: data.label && r[data.label] ? shortName(r[data.label]) : r[data.date].value,
            };
          });
        points.sort(function (a, b) { return a.x - b.x; });
        if (!data.number) {
          // rows in date order, so that the names of neighbouring dates do not overlap
          points.forEach(function (pt, i) { pt.y = (i % 6) + 1; });
        }
        // each point's name beside it (Chart.js draws no labels on points by itself)
        var pointLabels = {
          id: "sgkgPointLabels",
          afterDatasetsDraw: function (c) {
            var meta = c.getDatasetMeta(0);
            var ctx = c.ctx;
            ctx.save();
            ctx.font = "12px sans-serif";
            ctx.fillStyle = "#1f2937";
            meta.data.forEach(function (element, i) {
              var text = points[i].label;
              var width = ctx.measureText(text).width;
              var x = element.x + 9;
              if (x + width > c.chartArea.right) {
                x = element.x - 9 - width;
              }
              ctx.fillText(text, x, element.y + 4);
            });
            ctx.restore();
          },
        };
        config = {
          type: "scatter",
          plugins: [pointLabels],
          data: { datasets: [{ label: data.date, data: points, backgroundColor: PALETTE[0], pointRadius: 6 }] },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: function (ctx) {
                return ctx.raw.label + " — " + new Date(ctx.raw.x).toISOString().slice(0, 10);
              } } },
            },
            scales: {
              x: { type: "linear", ticks: { callback: function (v) { return new Date(v).toISOString().slice(0, 10); } } },
              y: data.number
                ? { title: { display: true, text: data.number } }
                : { display: false, min: 0, max: 7 },
            },
          },
        };
        summary = "Timeline of " + points.length + " results by " + data.date + ": " +
          points.slice(0, 12).map(function (pt) {
            return pt.label + " " + new Date(pt.x).toISOString().slice(0, 10);
          }).join(", ") + (points.length > 12 ? ", …" : "") + ".";
      } else {
        var labels = data.rows.map(function (r) { return r[data.label] ? shortName(r[data.label]) : "(none)"; });
        var values = data.rows.map(function (r) { return r[data.number] ? Number(r[data.number].value) : 0; });
        config = {
          type: type,
          data: {
            labels: labels,
            datasets: [{
              label: data.number,
              data: values,
              backgroundColor: type === "pie" ? labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) : PALETTE[0],
            }],
          },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            plugins: { legend: { display: type === "pie", position: "right" } },
          },
        };
        summary = (type === "pie" ? "Pie" : "Bar") + " chart of " + data.number + " by " + data.label + ": " +
          labels.slice(0, 12).map(function (l, i) { return l + " " + values[i]; }).join(", ") +
          (labels.length > 12 ? ", …" : "") + ".";
      }
      chartFigure.hidden = false;
      chart = new Chart(chartCanvas, config);
      chartCanvas.setAttribute("aria-label", summary);
      chartCaption.textContent = summary;
      chartFigure.setAttribute("data-chart", type);
    }).catch(function (err) {
      toolsStatus.textContent = "The chart could not be drawn: " + err.message;
    });
  }

  chartSelect.addEventListener("change", function () {
    draw(chartSelect.value);
  });

  // YASGUI emits queryResponse before it hands the response to YASR: read the results on
  // the next turn of the event loop
  yasgui.on("queryResponse", function (instance, tab) {
    window.setTimeout(function () {
      try {
        var yasr = tab.getYasr();
        var json = yasr && yasr.results && yasr.results.getAsJson ? yasr.results.getAsJson() : null;
        offerCharts(analyse(json));
      } catch (e) {
        offerCharts(analyse(null));
      }
    }, 0);
  });

  // Short links: POST /api/share stores the query; the link opens it again (/s/<id>).
  var shareButton = tools.querySelector("#sgkg-share");
  var shareOut = tools.querySelector("#sgkg-share-out");
  var shareUrl = tools.querySelector("#sgkg-share-url");
  shareButton.addEventListener("click", function () {
    var text = yasgui.getTab().getQuery();
    fetch(cfg.shareUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: text }),
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) {
          throw new Error(res.body && res.body.message ? res.body.message : "the server refused");
        }
        shareUrl.value = new URL(res.body.url, window.location.href).href;
        shareOut.hidden = false;
        shareUrl.focus();
        shareUrl.select();
        toolsStatus.textContent = "Short link ready: " + shareUrl.value;
      })
      .catch(function (err) {
        toolsStatus.textContent = "No link was made: " + err.message;
      });
  });
  tools.querySelector("#sgkg-share-copy").addEventListener("click", function () {
    shareUrl.select();
    var done = function () { toolsStatus.textContent = "Copied the link."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(shareUrl.value).then(done, function () {
        toolsStatus.textContent = "Select the link and copy it with Ctrl+C.";
      });
    } else {
      toolsStatus.textContent = "Select the link and copy it with Ctrl+C.";
    }
  });
  if (cfg.shared) {
    if (status) {
      status.textContent = "Opened the shared query " + cfg.shared + ". Press Ctrl+Enter or the run button to run it.";
    }
  }
  window.sgkgCharts = { get: function () { return chart; }, draw: draw };
})();
