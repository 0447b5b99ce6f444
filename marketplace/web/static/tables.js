// Each table cell gets its column's name (data-label), which the phone layout shows before the
// value when a table becomes a stack of cards; cells that name themselves keep theirs.
(function () {
  function label(root) {
    (root || document).querySelectorAll("table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && heads[i]) cell.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  window.labelTables = label;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { label(); });
  else label();
})();
