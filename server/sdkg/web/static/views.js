/* Result views beside YASR's table: map, timeline, chart and graph, each a YASR plugin
 * offered only when the result's columns suit it (canHandleResults). All drawing is done
 * here with vendored libraries (Leaflet + Natural Earth outlines, Chart.js, Cytoscape.js);
 * nothing is loaded from another origin unless the operator configured map tiles.
 * Needs results.js (window.sdkgResults) for labels, numbers, dates and points. */
(function () {
  "use strict";
  var R = window.sdkgResults;
  var WKT_POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+(?:e-?\d+)?)\s+(-?[\d.]+(?:e-?\d+)?)\s*\)\s*$/i;
  var PALETTE = ["#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a", "#a4262c", "#00838f", "#8a5a00",
    "#ad1457", "#37474f", "#558b2f", "#4527a0", "#00695c"];
  var config = { mapTiles: "", mapAttribution: "" };

  function variables(yasr) { return (yasr.results && yasr.results.getVariables()) || []; }
  function bindings(yasr) {
    var results = yasr.results;
    if (!results || results.getError() || results.getType() !== "json") return [];
    return results.getBindings() || [];
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function link(binding) {
    var href = R.safeHref(R.localUrl(binding.value));
    return href ? el("a", { href: href }, R.text(binding)) : el("span", {}, R.text(binding));
  }
  /* A readable name for a row: its first IRI's label, else its first text value. */
  function rowTitle(row, vars, skip) {
    var chosen = null;
    vars.forEach(function (v) {
      var b = row[v];
      if (!b || (skip && skip.indexOf(v) >= 0) || chosen) return;
      if (b.type === "uri") chosen = b;
    });
    if (!chosen) {
      vars.forEach(function (v) {
        var b = row[v];
        if (!b || (skip && skip.indexOf(v) >= 0) || chosen || R.isNumber(b)) return;
        chosen = b;
      });
    }
    return chosen;
  }
  function humanVar(name) {
    return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  }
  function figure(yasr, caption) {
    var fig = el("figure", { "class": "result-view" });
    yasr.resultsEl.appendChild(fig);
    var cap = el("figcaption", { "class": "small muted" }, caption);
    return { fig: fig, caption: cap };
  }

  /* ------------------------------------------------------------------ map */

  var LAT = /^(lat|latitude)$/i, LON = /^(lon|lng|long|longitude)$/i;

  /* Points of the result: WKT literals, latitude/longitude columns, or placed IRIs. */
  function pointsOf(yasr) {
    var vars = variables(yasr);
    var latVar = vars.filter(function (v) { return LAT.test(v); })[0];
    var lonVar = vars.filter(function (v) { return LON.test(v); })[0];
    var found = [];
    bindings(yasr).forEach(function (row) {
      var title = rowTitle(row, vars);
      var added = false;
      vars.forEach(function (v) {
        var b = row[v];
        if (!b || b.type === "uri") return;
        var m = WKT_POINT.exec(b.value);
        if (m) {
          found.push({ lat: Number(m[2]), lon: Number(m[1]), title: title, row: row });
          added = true;
        }
      });
      if (!added && latVar && lonVar && row[latVar] && row[lonVar]) {
        var lat = Number(row[latVar].value), lon = Number(row[lonVar].value);
        if (isFinite(lat) && isFinite(lon)) {
          found.push({ lat: lat, lon: lon, title: title, row: row });
          added = true;
        }
      }
      if (!added) {
        vars.forEach(function (v) {
          var b = row[v];
          var known = b && b.type === "uri" && R.info[b.value];
          if (known && known.point && !added) {
            found.push({ lat: known.point[0], lon: known.point[1], title: b, row: row });
            added = true;
          }
        });
      }
    });
    return found;
  }

  function MapView(yasr) { this.yasr = yasr; this.map = null; }
  MapView.prototype.priority = 4;
  MapView.prototype.label = "Map";
  MapView.prototype.getIcon = function () { return null; };
  MapView.prototype.canHandleResults = function () { return pointsOf(this.yasr).length > 0; };
  MapView.prototype.destroy = function () { if (this.map) { this.map.remove(); this.map = null; } };
  MapView.prototype.draw = function () {
    var points = pointsOf(this.yasr).map(function (p) {
      return { lat: p.lat, lon: p.lon, label: p.title ? R.text(p.title) : "",
        url: p.title && p.title.type === "uri" ? R.safeHref(R.localUrl(p.title.value)) : null };
    });
    var parts = figure(this.yasr, points.length + " place" + (points.length === 1 ? "" : "s") +
      " on a map of Natural Earth country outlines; select a point for its page.");
    var box = el("div", { "class": "view-map", role: "region", "aria-label": "Map of the results" });
    parts.fig.appendChild(box);
    parts.fig.appendChild(parts.caption);
    this.map = drawMap(box, points);
    var details = el("details", { "class": "view-text" });
    details.appendChild(el("summary", {}, "The places as a list"));
    details.appendChild(pointList(points));
    parts.fig.appendChild(details);
  };

  /* A Leaflet map in ``box`` with ``points`` ({lat, lon, label, url, main}): Natural Earth
   * outlines from this server, or the operator's tiles. Also used by the entity pages. */
  function drawMap(box, points) {
    var map = L.map(box, { worldCopyJump: true, attributionControl: true, keyboard: false });
    map.attributionControl.setPrefix(false);
    if (config.mapTiles) {
      L.tileLayer(config.mapTiles, { attribution: config.mapAttribution || "" }).addTo(map);
    } else {
      fetch(window.sdkgStatic + "vendor/world-atlas/countries-110m.json")
        .then(function (r) { return r.json(); })
        .then(function (topo) {
          L.geoJSON(topojson.feature(topo, topo.objects.countries), {
            style: { color: "#8a94a8", weight: 0.6, fillColor: "#e8ecf3", fillOpacity: 1 },
            interactive: false
          }).addTo(map).bringToBack();
        });
      map.attributionControl.addAttribution("Natural Earth");
    }
    var layer = L.featureGroup().addTo(map);
    points.forEach(function (p) {
      var popup = el("div");
      popup.appendChild(p.url ? el("a", { href: p.url }, p.label) : el("span", {}, p.label));
      L.circleMarker([p.lat, p.lon], { radius: p.main === false ? 5 : 7, color: "#ffffff", weight: 2,
        fillColor: p.main === false ? "#b3541e" : "#1f5fa8", fillOpacity: 0.9 })
        .bindPopup(popup).addTo(layer);
    });
    map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 5 });
    return map;
  }

  function pointList(points) {
    var list = el("ul", { "class": "view-list small" });
    points.forEach(function (p) {
      var item = el("li");
      item.appendChild(p.url ? el("a", { href: p.url }, p.label) : el("span", {}, p.label));
      item.appendChild(document.createTextNode(" (" + p.lat.toFixed(2) + ", " + p.lon.toFixed(2) + ")"));
      list.appendChild(item);
    });
    return list;
  }

  /* ------------------------------------------------------------------ timeline */

  function datedRows(yasr) {
    var vars = variables(yasr);
    var yearVars = vars.filter(function (v) { return /year/i.test(v); });
    var found = [];
    bindings(yasr).forEach(function (row) {
      var when = null, whenVar = null;
      vars.forEach(function (v) {
        if (when !== null || !row[v]) return;
        var y = R.yearOf(row[v]);
        if (y === null && yearVars.indexOf(v) >= 0 && /^-?\d{3,4}$/.test(row[v].value)) y = Number(row[v].value);
        if (y !== null) { when = y; whenVar = v; }
      });
      if (when !== null) found.push({ year: when, date: row[whenVar], dateVar: whenVar, row: row });
    });
    return found;
  }

  function TimelineView(yasr) { this.yasr = yasr; }
  TimelineView.prototype.priority = 3;
  TimelineView.prototype.label = "Timeline";
  TimelineView.prototype.getIcon = function () { return null; };
  TimelineView.prototype.canHandleResults = function () { return datedRows(this.yasr).length > 0; };
  TimelineView.prototype.draw = function () {
    var vars = variables(this.yasr);
    var rows = datedRows(this.yasr).sort(function (a, b) { return a.year - b.year; });
    var parts = figure(this.yasr, rows.length + " dated row" + (rows.length === 1 ? "" : "s") + ", oldest first.");
    var first = rows[0].year, last = rows[rows.length - 1].year, span = Math.max(last - first, 1);
    var axis = el("div", { "class": "timeline-axis", "aria-hidden": "true" });
    rows.forEach(function (r) {
      var tick = el("span", { "class": "tick" });
      tick.style.left = (100 * (r.year - first) / span) + "%";
      axis.appendChild(tick);
    });
    axis.appendChild(el("span", { "class": "from" }, String(first)));
    if (last !== first) axis.appendChild(el("span", { "class": "to" }, String(last)));
    parts.fig.appendChild(axis);
    var list = el("ol", { "class": "timeline" });
    rows.forEach(function (r) {
      var item = el("li");
      item.appendChild(el("time", { datetime: r.date.value }, R.text(r.date)));
      var what = el("span", { "class": "what" });
      vars.forEach(function (v) {
        var b = r.row[v];
        if (!b || v === r.dateVar) return;
        var part = el("span", { "class": "part" });
        part.appendChild(el("span", { "class": "muted small" }, humanVar(v) + ": "));
        part.appendChild(b.type === "uri" ? link(b) : el("span", {}, R.text(b)));
        what.appendChild(part);
      });
      item.appendChild(what);
      list.appendChild(item);
    });
    parts.fig.appendChild(list);
    parts.fig.appendChild(parts.caption);
  };

  /* ------------------------------------------------------------------ chart */

  function chartColumns(yasr) {
    var vars = variables(yasr), rows = bindings(yasr);
    if (!rows.length || rows.length > 500) return null;
    var numeric = vars.filter(function (v) {
      return rows.every(function (row) { return !row[v] || R.isNumber(row[v]); }) &&
        rows.some(function (row) { return row[v]; });
    });
    var candidates = vars.filter(function (v) {
      return numeric.indexOf(v) < 0 && rows.some(function (row) { return row[v]; });
    });
    // Dates or years make a line over time; otherwise the first label makes bars.
    var timeVar = candidates.filter(function (v) {
      return rows.every(function (row) { return row[v] && R.yearOf(row[v]) !== null; });
    })[0];
    var labelVar = timeVar || candidates[0];
    if (!numeric.length || !labelVar) return null;
    return { label: labelVar, value: numeric[0], line: Boolean(timeVar) };
  }

  function ChartView(yasr) { this.yasr = yasr; this.chart = null; }
  ChartView.prototype.priority = 2;
  ChartView.prototype.label = "Chart";
  ChartView.prototype.getIcon = function () { return null; };
  ChartView.prototype.canHandleResults = function () { return chartColumns(this.yasr) !== null; };
  ChartView.prototype.destroy = function () { if (this.chart) { this.chart.destroy(); this.chart = null; } };
  ChartView.prototype.draw = function () {
    var cols = chartColumns(this.yasr);
    var rows = bindings(this.yasr).filter(function (row) { return row[cols.label] && row[cols.value]; });
    if (cols.line) rows.sort(function (a, b) { return R.yearOf(a[cols.label]) - R.yearOf(b[cols.label]); });
    var what = (cols.line ? "Line" : "Bar") + " chart of " + humanVar(cols.value) + " by " + humanVar(cols.label);
    var parts = figure(this.yasr, what + ".");
    var box = el("div", { "class": "view-chart" });
    var canvas = el("canvas", { role: "img", "aria-label": what });
    box.appendChild(canvas);
    parts.fig.appendChild(box);
    parts.fig.appendChild(parts.caption);
    var labels = rows.map(function (row) { return R.text(row[cols.label]); });
    var values = rows.map(function (row) { return Number(row[cols.value].value); });
    this.chart = new Chart(canvas, {
      type: cols.line ? "line" : "bar",
      data: { labels: labels, datasets: [{ label: humanVar(cols.value), data: values, backgroundColor: "#1f5fa8", borderColor: "#1f5fa8" }] },
      options: {
        indexAxis: !cols.line && rows.length > 6 ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { color: "#1d2433" } }, y: { ticks: { color: "#1d2433" } } },
        onClick: function (_event, elements) {
          if (!elements.length) return;
          var b = rows[elements[0].index][cols.label];
          var href = b.type === "uri" ? R.safeHref(R.localUrl(b.value)) : null;
          if (href) window.location.href = href;
        }
      }
    });
    box.style.height = Math.max(260, (!cols.line && rows.length > 6 ? rows.length * 28 : 0)) + "px";
    var table = el("table", { "class": "data small" });
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, humanVar(cols.label)));
    head.appendChild(el("th", { scope: "col" }, humanVar(cols.value)));
    table.appendChild(head);
    rows.forEach(function (row) {
      var tr = el("tr"), name = el("td");
      name.appendChild(row[cols.label].type === "uri" ? link(row[cols.label]) : el("span", {}, R.text(row[cols.label])));
      tr.appendChild(name);
      tr.appendChild(el("td", {}, R.text(row[cols.value])));
      table.appendChild(tr);
    });
    var details = el("details", { "class": "view-text" });
    details.appendChild(el("summary", {}, "The figures as a table"));
    details.appendChild(table);
    parts.fig.appendChild(details);
  };

  /* ------------------------------------------------------------------ graph */

  var PREDICATE_VAR = /^(p|pred|predicate|property|relation|rel)$/i;

  /* Nodes and edges: each row links its IRI columns in order (a ?s ?p ?o row links s to o
   * through the label of p). */
  function network(yasr) {
    var vars = variables(yasr), nodes = {}, edges = {};
    bindings(yasr).forEach(function (row) {
      var iriVars = vars.filter(function (v) { return row[v] && row[v].type === "uri"; });
      var predVar = iriVars.filter(function (v) { return PREDICATE_VAR.test(v); })[0];
      var ends = iriVars.filter(function (v) { return v !== predVar; });
      for (var i = 0; i + 1 < ends.length; i++) {
        var source = row[ends[i]], target = row[ends[i + 1]];
        if (source.value === target.value) continue;
        var relation = predVar ? R.text(row[predVar]) : humanVar(ends[i + 1]);
        [source, target].forEach(function (b) {
          nodes[b.value] = { id: b.value, label: R.text(b), url: R.safeHref(R.localUrl(b.value)) };
        });
        var key = source.value + " " + relation + " " + target.value;
        edges[key] = { id: key, source: source.value, target: target.value, relation: relation };
      }
    });
    return { nodes: Object.keys(nodes).map(function (k) { return nodes[k]; }),
      edges: Object.keys(edges).map(function (k) { return edges[k]; }) };
  }

  /* Box sizes that hold a node's label, wrapped at 150 px (13 px text, about 7 px a letter). */
  function labelLines(node) {
    var words = String(node.data("label")).split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length * 7.8 > 160) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    lines.push(line);
    return lines;
  }
  function nodeWidth(node) {
    var longest = Math.max.apply(null, labelLines(node).map(function (l) { return l.length; }));
    return Math.min(170, longest * 7.8) + 18;
  }
  function nodeHeight(node) { return labelLines(node).length * 16 + 12; }

  /* The force layout may leave boxes touching: push overlapping pairs apart along the
   * axis where they overlap least, until none overlap (a few rounds for these sizes). */
  function separate(cy) {
    var nodes = cy.nodes().toArray(), gap = 6;
    for (var round = 0; round < 100; round++) {
      var moved = false;
      for (var i = 0; i < nodes.length; i++) {
        for (var j = i + 1; j < nodes.length; j++) {
          var a = nodes[i].boundingBox(), b = nodes[j].boundingBox();
          var dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + gap;
          var dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + gap;
          if (dx <= 0 || dy <= 0) continue;
          var pa = nodes[i].position(), pb = nodes[j].position();
          if (dx < dy) {
            var sx = pa.x <= pb.x ? -1 : 1;
            nodes[i].position({ x: pa.x + sx * dx / 2, y: pa.y });
            nodes[j].position({ x: pb.x - sx * dx / 2, y: pb.y });
          } else {
            var sy = pa.y <= pb.y ? -1 : 1;
            nodes[i].position({ x: pa.x, y: pa.y + sy * dy / 2 });
            nodes[j].position({ x: pb.x, y: pb.y - sy * dy / 2 });
          }
          moved = true;
        }
      }
      if (!moved) return;
    }
  }

  /* Positions on rings around ``center``: up to ten nodes a ring, each ring wide enough
   * for its boxes and turned half a step from the one inside it. */
  function rings(net, center) {
    var positions = {}, others = net.nodes.filter(function (n) { return n.id !== center; });
    positions[center] = { x: 0, y: 0 };
    var perRing = 10, radius = 0, count = Math.ceil(others.length / perRing);
    for (var k = 0; k < count; k++) {
      var ring = others.filter(function (_n, i) { return i % count === k; });
      var sizes = ring.map(function (n) { var fake = { data: function () { return n.label; } };
        return { w: nodeWidth(fake), h: nodeHeight(fake) }; });
      var around = sizes.reduce(function (sum, b) { return sum + Math.max(b.w, b.h * 2) + 24; }, 0);
      var tallest = Math.max.apply(null, sizes.map(function (b) { return b.h; }));
      radius = Math.max(radius + tallest + 70, around / (2 * Math.PI), 140);
      ring.forEach(function (n, i) {
        var angle = -Math.PI / 2 + (2 * Math.PI * (i + k / count)) / Math.ceil(others.length / count);
        positions[n.id] = { x: radius * 1.6 * Math.cos(angle), y: radius * Math.sin(angle) };
      });
    }
    return positions;
  }

  /* Draw a network with Cytoscape.js in ``box``: labels inside the nodes (so none overlap),
   * a force-directed layout that keeps nodes apart, zoom and pan, one tap opens a page.
   * Returns {cy, legend}; also used by the entity pages. */
  function drawNetwork(box, net, options) {
    options = options || {};
    var relations = [];
    net.edges.forEach(function (e) { if (relations.indexOf(e.relation) < 0) relations.push(e.relation); });
    var elements = net.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, url: n.url }, classes: n.id === options.center ? "center" : "" };
    }).concat(net.edges.map(function (e) {
      var kind = relations.indexOf(e.relation);
      return { data: { id: e.id, source: e.source, target: e.target, relation: e.relation,
        color: PALETTE[kind % PALETTE.length], dash: kind < PALETTE.length ? "solid" : "dashed" } };
    }));
    var ringPosition = options.center ? rings(net, options.center) : {};
    var cy = cytoscape({
      container: box,
      elements: elements,
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        { selector: "node", style: {
          shape: "round-rectangle", "background-color": "#ffffff", "border-color": "#1f5fa8", "border-width": 2,
          label: "data(label)", "text-wrap": "wrap", "text-max-width": function (node) { return (nodeWidth(node) - 12) + "px"; }, "text-valign": "center",
          "text-halign": "center", "font-size": 13, color: "#1d2433", width: nodeWidth, height: nodeHeight } },
        { selector: "node.center", style: { "background-color": "#1f5fa8", color: "#ffffff", "font-weight": "bold" } },
        { selector: "edge", style: {
          width: 2, "line-color": "data(color)", "line-style": "data(dash)", "target-arrow-color": "data(color)",
          "target-arrow-shape": "triangle", "curve-style": "bezier" } }
      ],
      // A star (an entity and its neighbours) reads best as rings around the centre;
      // anything else gets a force-directed layout.
      // A star (an entity and its neighbours) reads best as rings around the centre,
      // each ring turned by half a step so no edge runs through a node of an inner ring;
      // anything else gets a force-directed layout.
      layout: options.center ? { name: "preset", positions: function (node) { return ringPosition[node.id()]; },
        padding: 20, fit: true } :
        { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, nodeOverlap: 40,
          idealEdgeLength: function () { return 70; }, nodeRepulsion: function () { return 20000; },
          padding: 20, randomize: false, componentSpacing: 60 }
    });
    separate(cy);
    cy.fit(undefined, 20);
    // Readable labels first: never zoomed out below 70 %; the rest is reached by panning.
    if (cy.zoom() < 0.7) {
      cy.zoom(0.7);
      cy.center(options.center ? cy.getElementById(options.center) : undefined);
    }
    box.cy = cy;  // for the browser tests and the console
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) window.location.href = url;
    });
    var controls = el("div", { "class": "graph-controls" });
    var whole = el("button", { type: "button", "class": "secondary small" }, "Show the whole network");
    whole.addEventListener("click", function () { cy.fit(undefined, 20); });
    var readable = el("button", { type: "button", "class": "secondary small" }, "Readable size");
    readable.addEventListener("click", function () { cy.zoom(1); cy.center(options.center ? cy.getElementById(options.center) : undefined); });
    controls.appendChild(whole);
    controls.appendChild(readable);
    var legend = el("ul", { "class": "legend small", "aria-label": "Kinds of relation" });
    relations.forEach(function (relation, i) {
      var item = el("li");
      var swatch = el("span", { "class": "swatch", "aria-hidden": "true" });
      swatch.style.borderTop = "3px " + (i < PALETTE.length ? "solid " : "dashed ") + PALETTE[i % PALETTE.length];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(relation));
      legend.appendChild(item);
    });
    var below = el("div", { "class": "graph-below" });
    below.appendChild(controls);
    below.appendChild(legend);
    return { cy: cy, legend: below };
  }

  /* The network as text: one line per edge, with links (for keyboards and screen readers). */
  function networkList(net) {
    var byId = {};
    net.nodes.forEach(function (n) { byId[n.id] = n; });
    var list = el("ul", { "class": "view-list small" });
    net.edges.forEach(function (e) {
      var item = el("li");
      [e.source, null, e.target].forEach(function (id) {
        if (id === null) { item.appendChild(document.createTextNode(" — " + e.relation + " → ")); return; }
        var node = byId[id];
        item.appendChild(node.url ? el("a", { href: node.url }, node.label) : el("span", {}, node.label));
      });
      list.appendChild(item);
    });
    return list;
  }

  function GraphView(yasr) { this.yasr = yasr; this.cy = null; }
  GraphView.prototype.priority = 1;
  GraphView.prototype.label = "Graph";
  GraphView.prototype.getIcon = function () { return null; };
  GraphView.prototype.canHandleResults = function () { return network(this.yasr).edges.length > 0; };
  GraphView.prototype.destroy = function () { if (this.cy) { this.cy.destroy(); this.cy = null; } };
  GraphView.prototype.draw = function () {
    var net = network(this.yasr);
    var parts = figure(this.yasr, net.nodes.length + " things and " + net.edges.length +
      " links; drag to pan, pinch or scroll to zoom, select a box to open its page.");
    var box = el("div", { "class": "view-graph", role: "img", "aria-label": "Network of the results; the same links are listed below" });
    parts.fig.appendChild(box);
    var drawn = drawNetwork(box, net);
    this.cy = drawn.cy;
    parts.fig.appendChild(drawn.legend);
    parts.fig.appendChild(parts.caption);
    var details = el("details", { "class": "view-text" });
    details.appendChild(el("summary", {}, "The links as a list"));
    details.appendChild(networkList(net));
    parts.fig.appendChild(details);
  };

  /* ------------------------------------------------------------------ wiring */

  /* Names of the views for ``#defaultView:`` comments, as the Wikidata Query Service. */
  var DEFAULT_VIEW_NAMES = { table: "table", map: "map", timeline: "timeline", barchart: "chart",
    linechart: "chart", chart: "chart", graph: "graph", response: "response" };

  function defaultViewOf(query) {
    var m = /^\s*#\s*defaultView\s*:\s*([A-Za-z]+)/im.exec(query || "");
    return m ? DEFAULT_VIEW_NAMES[m[1].toLowerCase()] || null : null;
  }

  function register(Yasr) {
    Yasr.registerPlugin("map", MapView);
    Yasr.registerPlugin("timeline", TimelineView);
    Yasr.registerPlugin("chart", ChartView);
    Yasr.registerPlugin("graph", GraphView);
  }

  window.sdkgViews = {
    register: register,
    configure: function (settings) { Object.keys(settings || {}).forEach(function (k) { config[k] = settings[k]; }); },
    defaultViewOf: defaultViewOf,
    names: ["table", "map", "timeline", "chart", "graph", "response"],
    drawNetwork: drawNetwork,
    drawMap: drawMap,
    pointList: pointList,
    networkList: networkList
  };
})();
