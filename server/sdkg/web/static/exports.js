// The editor's spreadsheet download links (CSV with labels, Excel) follow the query in the
// editor: the editor keeps it in the page's URL (?query=...), read when a link is used.
(function () {
  "use strict";
  document.querySelectorAll("a.spreadsheet-download").forEach(function (link) {
    function follow() {
      var query = new URLSearchParams(window.location.search).get("query") || "";
      link.href = link.dataset.path + "?query=" + encodeURIComponent(query);
    }
    link.addEventListener("mousedown", follow);
    link.addEventListener("focus", follow);
    link.addEventListener("click", follow);
  });
})();
