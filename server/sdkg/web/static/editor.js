/* The query editor: YASQE (editor) + YASR (results), both vendored, talking to /sparql.
 * Nothing here reaches another origin: completion lists come from /editor/vocabulary.json,
 * the default LOV look-ups of YASQE are replaced. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var ENTITY_NS = "https://w3id.org/sdkg/id/";
  var ONTOLOGY_NS = "https://w3id.org/sdkg/ontology#";
  var vocabulary = { prefixes: data.prefixes, classes: [], properties: [] };
  var vocabularyLoaded = fetch("/editor/vocabulary.json", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : vocabulary; })
    .then(function (v) { vocabulary = v; return v; })
    .catch(function () { return vocabulary; });

  /* Completion: our prefixes, classes and properties instead of prefix.cc and LOV. */
  Yasqe.forkAutocompleter("prefixes", {
    name: "sdkgPrefixes",
    persistenceId: null,
    get: function () {
      return vocabularyLoaded.then(function (v) {
        return Object.keys(v.prefixes).sort().map(function (p) { return p + ": <" + v.prefixes[p] + ">"; });
      });
    }
  }, false);
  function termCompleter(base, name, key) {
    Yasqe.forkAutocompleter(base, {
      name: name,
      bulk: true,
      persistenceId: null,
      autoShow: false,
      get: function () { return vocabularyLoaded.then(function (v) { return v[key]; }); }
    }, false);
  }
  termCompleter("class", "sdkgClasses", "classes");
  termCompleter("property", "sdkgProperties", "properties");
  Yasqe.defaults.autocompleters = ["sdkgPrefixes", "variables", "sdkgClasses", "sdkgProperties"];

  /* Result cells: labels, plain numbers and dates (results.js); our IRIs link here. */
  window.sdkgPrefixes = data.prefixes;
  window.sdkgStatic = data.static;
  sdkgResults.install(Yasr);
  /* Map, timeline, chart and graph views beside the table (views.js). */
  sdkgViews.register(Yasr);
  sdkgViews.configure({ mapTiles: data.mapTiles, mapAttribution: data.mapAttribution });

  var yasqe = new Yasqe(document.getElementById("yasqe"), {
    value: data.query,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: function (y) { return shareUrl(y.getValue()); },
    resizeable: true,
    editorHeight: "18rem",
    requestConfig: {
      endpoint: "/sparql",
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle"
    }
  });
  var yasr = new Yasr(document.getElementById("yasr"), {
    prefixes: data.prefixes,
    persistenceId: null,
    pluginOrder: sdkgViews.names.slice(),
    defaultPlugin: "table",
    plugins: { table: { enabled: true, dynamicConfig: { isEllipsed: false, pageSize: 50 } } }
  });
  /* Accessibility of the vendored widgets: a name for the editor's text field and for
   * the table's page-size menu, and keyboard access to the editor's scrolling box. */
  yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
  var scroller = document.querySelector("#yasqe .CodeMirror-scroll");
  if (scroller) scroller.setAttribute("tabindex", "0");
  yasr.on("drawn", function () {
    Array.prototype.forEach.call(document.querySelectorAll("#yasr select.tableSizer"), function (select) {
      select.setAttribute("aria-label", "Rows per page");
    });
    // The response view shows the answer in a read-only CodeMirror.
    Array.prototype.forEach.call(document.querySelectorAll("#yasr textarea:not([aria-label])"), function (area) {
      area.setAttribute("aria-label", "The server's answer, as sent");
    });
  });

  /* The view: the URL's (#view=map) first, else the query's #defaultView comment. */
  function viewInUrl() {
    var m = /(?:^#|&)view=([a-z]+)/.exec(window.location.hash);
    return m && sdkgViews.names.indexOf(m[1]) >= 0 ? m[1] : null;
  }
  var lastRunQuery = viewInUrl() ? data.query : null;
  yasr.selectPlugin(viewInUrl() || sdkgViews.defaultViewOf(data.query) || "table");
  yasr.on("change", function () { updateLinks(); });
  window.addEventListener("hashchange", function () {
    var view = viewInUrl();
    if (view) yasr.selectPlugin(view);
  });

  var status = document.getElementById("run-status");
  var shareInput = document.getElementById("share-link");

  function shareUrl(query) {
    var view = yasr ? yasr.getSelectedPluginName() : "table";
    return window.location.origin + "/sparql?query=" + encodeURIComponent(query) +
      (view && view !== "table" ? "#view=" + view : "");
  }
  function updateLinks() {
    var query = yasqe.getValue();
    var url = shareUrl(query);
    shareInput.value = url;
    window.history.replaceState(null, "", url);
    ["csv", "tsv", "json", "xml"].forEach(function (format) {
      var link = document.getElementById("download-" + format);
      var isGraph = yasqe.getQueryType && /CONSTRUCT|DESCRIBE/.test(yasqe.getQueryType() || "");
      var graphFormat = { csv: "turtle", tsv: "nt", json: "jsonld", xml: "rdfxml" }[format];
      link.href = "/sparql?query=" + encodeURIComponent(query) + "&format=" + (isGraph ? graphFormat : format);
    });
  }

  yasqe.on("query", function () {
    // A new query with a #defaultView comment shows that view; the reader may switch.
    var query = yasqe.getValue();
    var wanted = sdkgViews.defaultViewOf(query);
    if (query !== lastRunQuery && wanted) yasr.selectPlugin(wanted);
    lastRunQuery = query;
    status.textContent = "Running…";
  });
  yasqe.on("queryResponse", function (_y, response, duration) {
    yasr.setResponse(response, duration);
    updateLinks();
    var results = yasr.results;
    var bindings = results && !results.getError() && results.getType() === "json" ? results.getBindings() : null;
    if (bindings && bindings.length) {
      // Drawn again once the labels (and points) of its IRIs are known.
      sdkgResults.load(bindings).then(function () {
        yasr.refresh();
        report(results, duration);
      });
    } else {
      report(results, duration);
    }
  });
  function report(results, duration) {
    if (!results || results.getError()) {
      status.textContent = "The query failed; the message is below.";
    } else if (results.getType() === "json" && results.getBindings()) {
      var n = results.getBindings().length;
      status.textContent = n + " row" + (n === 1 ? "" : "s") + " in " + duration + " ms.";
    } else {
      status.textContent = "Done in " + duration + " ms.";
    }
  }
  document.getElementById("raw-terms").addEventListener("change", function (event) {
    sdkgResults.state.raw = event.target.checked;
    if (yasr.results) yasr.refresh();
  });

  function run() { yasqe.query(); }
  document.getElementById("run-query").addEventListener("click", run);
  document.getElementById("copy-link").addEventListener("click", function () {
    updateLinks();
    shareInput.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(shareInput.value).then(
        function () { status.textContent = "Link copied."; },
        function () { status.textContent = "Select the link and copy it."; }
      );
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (link) {
    link.addEventListener("click", function (event) {
      var example = data.examples.filter(function (e) { return e.name === link.dataset.example; })[0];
      if (!example) return;
      event.preventDefault();
      yasqe.setValue(example.query);
      document.getElementById("query-heading").scrollIntoView();
      run();
    });
  });

  /* For share.js: the current query and view, and news of changes to either. */
  window.sdkgEditor = {
    query: function () { return yasqe.getValue(); },
    view: function () { return yasr.getSelectedPluginName(); },
    onChange: function (callback) { yasqe.on("change", callback); yasr.on("change", callback); }
  };

  updateLinks();
  if (data.run) run();
})();
