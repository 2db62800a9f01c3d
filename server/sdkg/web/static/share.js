/* Sharing the current query: a short link (POST /q) and "copy as code" (curl, Python with
 * requests or SPARQLWrapper, JavaScript fetch), written for this server's endpoint.
 * Needs editor.js (window.sdkgEditor). */
(function () {
  "use strict";
  var editor = window.sdkgEditor;
  var status = document.getElementById("run-status");
  var endpoint = window.location.origin + "/sparql";

  /* A Python string literal for ``text``: triple-quoted when that stays exact. */
  function pythonString(text) {
    if (text.indexOf('"""') < 0 && text.indexOf("\\") < 0 && !/"$/.test(text)) {
      return '"""' + text + '"""';
    }
    return JSON.stringify(text);
  }

  var WRITERS = {
    curl: function (query) {
      var delimiter = "SPARQL";
      while (query.split("\n").indexOf(delimiter) >= 0) delimiter += "_END";
      return "curl -s " + endpoint + " \\\n" +
        "  -H 'Accept: application/sparql-results+json' \\\n" +
        "  --data-urlencode query@- <<'" + delimiter + "'\n" + query + "\n" + delimiter + "\n";
    },
    requests: function (query) {
      return "import requests\n\n" +
        "query = " + pythonString(query) + "\n\n" +
        "response = requests.post(\n" +
        "    " + JSON.stringify(endpoint) + ",\n" +
        "    data={\"query\": query},\n" +
        "    headers={\"Accept\": \"application/sparql-results+json\"},\n" +
        "    timeout=60,\n)\n" +
        "response.raise_for_status()\n" +
        "for row in response.json()[\"results\"][\"bindings\"]:\n" +
        "    print({name: term[\"value\"] for name, term in row.items()})\n";
    },
    sparqlwrapper: function (query) {
      return "from SPARQLWrapper import JSON, SPARQLWrapper\n\n" +
        "query = " + pythonString(query) + "\n\n" +
        "sparql = SPARQLWrapper(" + JSON.stringify(endpoint) + ")\n" +
        "sparql.setQuery(query)\n" +
        "sparql.setReturnFormat(JSON)\n" +
        "sparql.setMethod(\"POST\")\n" +
        "for row in sparql.queryAndConvert()[\"results\"][\"bindings\"]:\n" +
        "    print({name: term[\"value\"] for name, term in row.items()})\n";
    },
    fetch: function (query) {
      return "const query = " + JSON.stringify(query) + ";\n\n" +
        "const response = await fetch(" + JSON.stringify(endpoint) + ", {\n" +
        "  method: \"POST\",\n" +
        "  headers: { Accept: \"application/sparql-results+json\" },\n" +
        "  body: new URLSearchParams({ query }),\n});\n" +
        "if (!response.ok) throw new Error(await response.text());\n" +
        "const result = await response.json();\n" +
        "for (const row of result.results.bindings) {\n" +
        "  console.log(JSON.stringify(Object.fromEntries(Object.entries(row).map(([name, term]) => [name, term.value]))));\n}\n";
    }
  };

  var language = document.getElementById("code-language");
  var code = document.getElementById("code-text");
  function showCode() { code.textContent = WRITERS[language.value](editor.query()); }
  language.addEventListener("change", showCode);
  document.getElementById("code-section").addEventListener("toggle", showCode);
  document.getElementById("copy-code").addEventListener("click", function () {
    showCode();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(code.textContent).then(
        function () { status.textContent = "Code copied."; },
        function () { status.textContent = "Select the code and copy it."; }
      );
    }
  });
  editor.onChange(function () { if (document.getElementById("code-section").open) showCode(); });

  document.getElementById("short-link").addEventListener("click", function () {
    fetch("/q", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: editor.query(), view: editor.view() })
    }).then(function (r) {
      return r.ok ? r.json() : r.text().then(function (t) { throw new Error(t); });
    }).then(function (link) {
      var input = document.getElementById("share-link");
      input.value = link.url;
      input.select();
      status.textContent = "Short link made: " + link.url;
    }).catch(function (error) {
      status.textContent = "No short link: " + error.message;
    });
  });
})();
