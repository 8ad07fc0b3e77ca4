// The commitments tracker's filters: a row stays visible when it has the chosen pillar, status and
// country (each "" = any). Rows carry their values as space-separated data attributes; the timeline's
// entries follow the rows they belong to. Nothing here fetches, writes HTML or evaluates text.
"use strict";
(function () {
  const filters = [["filter-pillar", "pillar"], ["filter-status", "status"], ["filter-country", "country"]];
  const rows = Array.from(document.querySelectorAll("#tracker tbody tr"));
  const shown = document.getElementById("shown");

  function apply() {
    const chosen = filters.map(([id, key]) => [key, document.getElementById(id).value]);
    const visible = new Set();
    for (const row of rows) {
      const keep = chosen.every(([key, value]) => value === "" || row.dataset[key].split(" ").includes(value));
      row.hidden = !keep;
      if (keep) visible.add(row.dataset.item);
    }
    for (const entry of document.querySelectorAll("#timeline li[data-item]")) {
      entry.hidden = !visible.has(entry.dataset.item);
    }
    shown.textContent = `${visible.size} of ${rows.length} shown`;
  }

  for (const [id] of filters) document.getElementById(id).addEventListener("change", apply);
  apply();
})();
