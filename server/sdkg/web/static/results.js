/* Readable query results: labels instead of IRIs, plain numbers and dates, language as a
 * small tag; the raw RDF terms on request. Labels, kinds and points come from
 * POST /api/labels (this server), fetched once per result before it is drawn.
 * Exposes window.sdkgResults for editor.js and views.js. */
(function () {
  "use strict";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "byte", "unsignedByte"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var info = {};  // iri -> {label, url, kind, point}
  var state = { raw: false };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Where an IRI of ours is shown on this server; other IRIs stay as they are. */
  function localUrl(iri) {
    if (info[iri] && info[iri].url) return info[iri].url;
    if (iri.indexOf("https://w3id.org/sdkg/id/") === 0) return "/id/" + iri.slice(25);
    if (iri.indexOf("https://w3id.org/sdkg/ontology#") === 0) return "/ontology#" + iri.slice(31);
    return iri;
  }

  /* Only web and local addresses become links (never javascript: or data: IRIs). */
  function safeHref(url) {
    return /^(https?:\/\/|\/(?!\/))/i.test(url || "") ? url : null;
  }

  function label(iri) {
    return info[iri] && info[iri].label ? info[iri].label : null;
  }

  function isNumber(binding) {
    if (!binding || binding.type === "uri" || binding.type === "bnode") return false;
    var dt = binding.datatype || "";
    return dt.indexOf(XSD) === 0 && NUMERIC.indexOf(dt.slice(XSD.length)) >= 0 && isFinite(Number(binding.value));
  }

  /* A year (number) if the binding is a date, a year or a date-time; else null. */
  function yearOf(binding) {
    if (!binding || binding.type === "uri" || binding.type === "bnode") return null;
    var dt = (binding.datatype || "").slice(XSD.length);
    var match = /^(-?\d{4})/.exec(binding.value);
    if (match && ["date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp"].indexOf(dt) >= 0) {
      return Number(match[1]);
    }
    return null;
  }

  function plainDate(binding) {
    var dt = (binding.datatype || "").slice(XSD.length);
    var m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(binding.value);
    if (!m) return binding.value;
    if (dt === "gYear") return m[1];
    if (dt === "gYearMonth" && m[2]) return MONTHS[Number(m[2]) - 1] + " " + m[1];
    if ((dt === "date" || dt === "dateTime" || dt === "dateTimeStamp") && m[3]) {
      var text = Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1];
      var time = /T(\d{2}:\d{2})/.exec(binding.value);
      return time && time[1] !== "00:00" ? text + ", " + time[1] : text;
    }
    return binding.value;
  }

  /* The readable text of a binding (no HTML), for views, sorting and labels. */
  function text(binding) {
    if (!binding) return "";
    if (binding.type === "uri") return label(binding.value) || compactIri(binding.value);
    if (binding.type === "bnode") return "(an unnamed node)";
    if (isNumber(binding)) return Number(binding.value).toLocaleString("en");
    if (yearOf(binding) !== null) return plainDate(binding);
    if ((binding.datatype || "") === XSD + "boolean") return binding.value === "true" ? "yes" : "no";
    return binding.value;
  }

  function compactIri(iri) {
    var prefixes = window.sdkgPrefixes || {};
    var best = "";
    Object.keys(prefixes).forEach(function (p) {
      if (iri.indexOf(prefixes[p]) === 0 && prefixes[p].length > (prefixes[best] || "").length) best = p;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : iri;
  }

  /* The HTML of one readable cell. */
  function cellHtml(binding) {
    if (binding.type === "uri") {
      var shown = label(binding.value);
      var href = safeHref(localUrl(binding.value));
      var external = href === binding.value;
      if (!href) return "<span class='iri'>" + escapeHtml(shown || compactIri(binding.value)) + "</span>";
      return "<a class='iri" + (external ? " external" : "") + "' href='" + escapeHtml(href) + "'" +
        (shown ? " title='" + escapeHtml(binding.value) + "'" : "") + ">" +
        escapeHtml(shown || compactIri(binding.value)) + "</a>";
    }
    var lang = binding["xml:lang"];
    var body = escapeHtml(text(binding));
    if (lang) {
      return "<span lang='" + escapeHtml(lang) + "'>" + body + "</span> <span class='lang'>" + escapeHtml(lang) + "</span>";
    }
    if (isNumber(binding)) return "<span class='number'>" + body + "</span>";
    return body;
  }

  /* Every IRI of a SPARQL JSON result, to ask the server about. */
  function irisOf(bindings) {
    var seen = {};
    (bindings || []).forEach(function (row) {
      Object.keys(row).forEach(function (v) {
        if (row[v].type === "uri" && !(row[v].value in info)) seen[row[v].value] = true;
      });
    });
    return Object.keys(seen);
  }

  /* Fetch what the server knows of the rows' IRIs; resolves when done (or failed). */
  function load(bindings) {
    var iris = irisOf(bindings).slice(0, 5000);
    if (!iris.length) return Promise.resolve();
    return fetch("/api/labels", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ iris: iris })
    }).then(function (r) { return r.ok ? r.json() : { labels: {} }; })
      .then(function (answer) {
        iris.forEach(function (iri) { info[iri] = answer.labels[iri] || null; });
      })
      .catch(function () { /* no labels: the raw terms are shown */ });
  }

  /* Make YASR's table readable unless the raw terms are asked for. */
  function install(Yasr) {
    var Table = Yasr.plugins.table;
    Table.defaults.openIriInNewWindow = false;
    var rawCell = Table.prototype.getCellContent;
    Table.prototype.getCellContent = function (binding, prefixes) {
      if (state.raw) {
        // YASR sanitizes the cell (DOMPurify), which may normalize the quotes.
        return rawCell.call(this, binding, prefixes)
          .replace(/href=(["'])https:\/\/w3id\.org\/sdkg\/id\//g, "href=$1/id/")
          .replace(/href=(["'])https:\/\/w3id\.org\/sdkg\/ontology#/g, "href=$1/ontology#");
      }
      return "<div>" + cellHtml(binding) + "</div>";
    };
  }

  window.sdkgResults = {
    info: info,
    state: state,
    load: load,
    install: install,
    text: text,
    label: label,
    localUrl: localUrl,
    safeHref: safeHref,
    isNumber: isNumber,
    yearOf: yearOf,
    escapeHtml: escapeHtml
  };
})();
