// Names each cell of the admin's wide tables (change lists, tabular inlines, merge previews)
// after its column, so that on a narrow screen theme.css can show every row as a card with
// labelled values instead of a table to scroll across. Loaded as a file: no inline script.
"use strict";
(function () {
  const TABLES = "#result_list, .inline-group .tabular table, table.admin-stack";

  function columnNames(table) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) return [];
    return Array.from(head.cells, (cell) => cell.textContent.replace(/\s+/g, " ").trim());
  }

  function label(table) {
    const names = columnNames(table);
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          const name = names[column];
          if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
          column += cell.colSpan || 1;
        }
      }
    }
  }

  function labelAll() {
    document.querySelectorAll(TABLES).forEach(label);
  }

  document.addEventListener("DOMContentLoaded", labelAll);
  // "Add another" copies the empty form row; name the copy's cells too.
  document.addEventListener("formset:added", (event) => {
    const table = event.target.closest("table");
    if (table) label(table);
  });
})();
