/* Entity pages: the neighbourhood as a network (Cytoscape.js) and the place on a map
 * (Leaflet), drawn from the JSON the page carries; both come with a text list. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("entity-data").textContent);
  window.sdkgStatic = data.static;
  sdkgViews.configure({ mapTiles: data.mapTiles, mapAttribution: data.mapAttribution });
  var graphBox = document.getElementById("entity-graph");
  if (graphBox && data.network.edges.length) {
    var drawn = sdkgViews.drawNetwork(graphBox, data.network, { center: data.network.center });
    graphBox.parentNode.insertBefore(drawn.legend, graphBox.nextSibling);
  }
  var mapBox = document.getElementById("entity-map");
  if (mapBox && data.points.length) sdkgViews.drawMap(mapBox, data.points);
})();
