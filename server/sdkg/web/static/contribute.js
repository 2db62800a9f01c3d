/* The contribution form: POST /validate (report as JSON) and POST /contributions (token).
 * The report is built with DOM calls (textContent), never from HTML strings. */
(function () {
  "use strict";
  var ENTITY_NS = "https://w3id.org/sdkg/id/";
  var form = document.getElementById("contribution-form");
  var data = document.getElementById("data");
  var format = document.getElementById("format");
  var report = document.getElementById("report");
  var PREFIXES = JSON.parse(document.getElementById("prefixes").textContent);

  /* "https://schema.org/foundingDate" -> "schema:foundingDate"; paths like ^<iri> too. */
  function compact(iri) {
    var best = "";
    Object.keys(PREFIXES).forEach(function (p) {
      if (iri.indexOf(PREFIXES[p]) === 0 && PREFIXES[p].length > (PREFIXES[best] || "").length) best = p;
    });
    return best ? best + ":" + iri.slice(PREFIXES[best].length) : iri;
  }
  function compactPath(path) {
    if (path.indexOf("<") < 0) return compact(path);
    return path.replace(/<([^>]+)>/g, function (_m, iri) { return compact(iri); });
  }
  var FORMAT_BY_EXTENSION = {
    ttl: "text/turtle", nt: "application/n-triples", jsonld: "application/ld+json",
    json: "application/ld+json", rdf: "application/rdf+xml", xml: "application/rdf+xml", owl: "application/rdf+xml",
    csv: "text/csv"
  };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function clear() { while (report.firstChild) report.removeChild(report.firstChild); }
  function say(text, role) {
    clear();
    var p = el("p", text);
    if (role) p.setAttribute("role", role);
    report.appendChild(p);
    return p;
  }

  document.getElementById("file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) return;
    var extension = file.name.split(".").pop().toLowerCase();
    if (FORMAT_BY_EXTENSION[extension]) format.value = FORMAT_BY_EXTENSION[extension];
    file.text().then(function (text) { data.value = text; say("Loaded " + file.name + "; now validate it."); });
  });

  /* Select the node's first mention in the text, so the person sees where to fix it. */
  function showInText(result) {
    var text = data.value;
    var start = -1, length = 0;
    var line = result.line || result.row; /* a spreadsheet's report names rows */
    if (line) {
      var lines = text.split("\n");
      start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
      length = (lines[line - 1] || "").length;
    } else if (result.focus_node) {
      var needles = ["<" + result.focus_node + ">", result.focus_node];
      var local = result.focus_node.split(/[\/#]/).pop();
      if (local) needles.push(":" + local);
      for (var i = 0; i < needles.length && start < 0; i++) {
        start = text.indexOf(needles[i]);
        length = needles[i].length;
      }
    }
    data.focus();
    if (start >= 0) data.setSelectionRange(start, start + length);
  }

  function nodeLink(iri) {
    if (iri && iri.indexOf(ENTITY_NS) === 0) {
      var a = el("a", compact(iri));
      a.title = iri;
      a.href = "/id/" + iri.slice(ENTITY_NS.length);
      return a;
    }
    var code = el("code", iri ? compact(iri) : "(no node)");
    if (iri) code.title = iri;
    return code;
  }

  function renderReport(body, heading) {
    clear();
    var summary = body.summary || {};
    var counts = [];
    ["violations", "warnings", "infos"].forEach(function (k) {
      if (summary[k]) counts.push(summary[k] + " " + (summary[k] === 1 ? k.slice(0, -1) : k));
    });
    var verdict = body.conforms ? "Conforms" : "Does not conform";
    report.appendChild(el("p", (heading ? heading + " " : "") + verdict + (counts.length ? ": " + counts.join(", ") : "") + ".",
      "summary " + (body.conforms ? "conforms" : "fails")));
    var results = body.results || [];
    if (!results.length) return;
    var list = el("ol", null, "results");
    results.forEach(function (r) {
      var item = el("li");
      item.appendChild(el("span", r.severity, "badge " + r.severity));
      item.appendChild(document.createTextNode(" "));
      if (r.row) item.appendChild(el("strong", "row " + r.row + (r.column ? ", column “" + r.column + "”" : "")));
      else item.appendChild(nodeLink(r.focus_node));
      if (r.path && !r.row) item.appendChild(el("code", " " + compactPath(r.path)));
      if (r.value !== null && r.value !== undefined && r.value !== "") {
        item.appendChild(document.createTextNode(" = "));
        item.appendChild(el("code", r.value));
      }
      item.appendChild(el("p", r.message, "message"));
      var details = el("p", null, "small muted");
      details.textContent = [r.line ? "line " + r.line : "", r.constraint, r.shape ? compactPath(r.shape) : ""]
        .filter(Boolean).join(" · ");
      item.appendChild(details);
      var show = el("button", "Show in the text", "secondary");
      show.type = "button";
      show.addEventListener("click", function () { showInText(r); });
      item.appendChild(show);
      list.appendChild(item);
    });
    report.appendChild(list);
  }

  function explain(response, body, text) {
    var message = (body && (body.message || body.error || body.detail)) || text || response.statusText;
    say("HTTP " + response.status + ": " + message, "alert");
  }

  function send(url, headers) {
    if (!data.value.trim()) { say("Paste or upload some RDF first.", "alert"); return null; }
    headers["Content-Type"] = format.value + "; charset=utf-8";
    headers.Accept = "application/json";
    say("Checking…");
    return fetch(url, { method: "POST", headers: headers, body: data.value }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        return { response: response, body: body, text: text };
      });
    }).catch(function (error) { say("The server could not be reached: " + error, "alert"); return null; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var sent = send("/validate", {});
    if (!sent) return;
    sent.then(function (answer) {
      if (!answer) return;
      if (answer.response.ok && answer.body && "conforms" in answer.body) renderReport(answer.body);
      else explain(answer.response, answer.body, answer.text);
    });
  });

  document.getElementById("submit").addEventListener("click", function () {
    var token = document.getElementById("token").value.trim();
    if (!token) { say("Enter your token to submit.", "alert"); return; }
    var sent = send("/contributions", { Authorization: "Bearer " + token });
    if (!sent) return;
    sent.then(function (answer) {
      if (!answer) return;
      var response = answer.response, body = answer.body;
      if (response.status === 201) {
        var location = response.headers.get("Location") || (body && body.location) || "";
        var p = say("Accepted. Your contribution is stored as ");
        var a = el("a", location || "a new contribution");
        a.href = location || "/contributions";
        p.appendChild(a);
      } else if (response.status === 422 && body) {
        renderReport(body.report || body, "Not stored:");
      } else if (response.status === 401) {
        explain(response, body, "the token is missing or wrong; nothing was stored");
      } else if (response.status === 403) {
        explain(response, body, "contributions are closed on this server; nothing was stored");
      } else {
        explain(response, body, answer.text);
      }
    });
  });
})();
