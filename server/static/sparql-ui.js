/*
 * The query page: YASGUI (vendored in static/yasgui/) preloaded with the example catalogue.
 *
 * Offline by construction: the only endpoint is our own; no LOV class/property look-ups
 * (they call lov.linkeddata.es), no prefix.cc (prefixCcApi null: YASQE's bundled list),
 * no endpoint catalogue beyond ours, no persistence of other people's endpoints.
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

  var LOCAL_COMPLETERS = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.autocompleters = LOCAL_COMPLETERS.slice();
  Yasgui.Yasqe.defaults.prefixCcApi = null;

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
      prefixCcApi: null,
      editorHeight: "340px",
    },
    yasr: { prefixes: cfg.prefixes, defaultPlugin: "table" },
  });

  // With JavaScript the editor replaces the plain form.
  document.documentElement.classList.add("sparql-ui-enhanced");

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
})();
