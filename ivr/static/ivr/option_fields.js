// Each option row shows only the fields its action uses; without this script, all of them.
"use strict";
{
  const USED = {
    say: ["text"],
    menu: ["target_menu"],
    dial: ["number"],
    back: [],
    "": ["text", "target_menu", "number"],
  };
  const OPTIONAL = ["text", "target_menu", "number"];

  function showFieldsOf(row) {
    const action = row.querySelector("select[name$='-action']");
    if (!action) return;
    const used = USED[action.value] || OPTIONAL;
    for (const name of OPTIONAL) {
      const cell = row.querySelector(`td.field-${name}`);
      if (!cell) continue;
      // Not `hidden`: the admin's related-widget wrapper is display: flex, which wins over it.
      for (const child of cell.children) child.style.display = used.includes(name) ? "" : "none";
    }
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name$='-action']")) {
      showFieldsOf(event.target.closest("tr"));
    }
  });
  document.addEventListener("formset:added", (event) => showFieldsOf(event.target));
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("tr.form-row").forEach(showFieldsOf);
  });
}
