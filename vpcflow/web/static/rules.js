/* The Rules page: /api/rules as one table per security group and network ACL, with usage bars. Every value is
   set with textContent, so nothing from the store or the configuration is read as HTML. */
(function () {
  "use strict";
  const el = window.VFPage.el;  // app.js: text set with textContent only
  const COLUMNS = ["rule", "direction", "protocol", "ports", "peer", "action", "flows", "peers", "status", "suggest"];

  function render(data) {
    const notes = document.getElementById("rules-notes");
    for (const n of data.notes) notes.appendChild(el("p", n.where + ": " + n.note + " (" + n.flows + " flows)", "muted"));
    const groups = new Map();
    for (const r of data.rows) {
      const key = r.kind + " " + r.id;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(r);
    }
    const out = document.getElementById("rules");
    for (const [key, rows] of groups) {
      const card = el("section", null, "card");
      card.appendChild(el("h2", key));
      const most = Math.max(1, ...rows.map((r) => r.flows));
      const table = el("table");
      const head = el("tr");
      for (const c of COLUMNS.slice(0, 7)) head.appendChild(el("th", c));
      head.appendChild(el("th", "usage"));
      for (const c of COLUMNS.slice(7)) head.appendChild(el("th", c));
      table.appendChild(head);
      for (const r of rows) {
        const tr = el("tr", null, "status-" + r.status);
        for (const c of COLUMNS.slice(0, 7)) tr.appendChild(el("td", r[c]));
        const bar = el("td");
        const fill = el("span", null, "bar");
        fill.style.width = Math.round(100 * r.flows / most) + "px";
        fill.setAttribute("title", r.flows + " flows");
        bar.appendChild(fill);
        tr.appendChild(bar);
        for (const c of COLUMNS.slice(7)) tr.appendChild(el("td", c === "status" ? r.status : r[c]));
        if (r.note) tr.setAttribute("title", r.note);
        table.appendChild(tr);
      }
      card.appendChild(table);
      out.appendChild(card);
    }
    document.body.dataset.loaded = "rules";
  }

  window.VFPage.load("/api/rules", ["since", "until"], render);
})();
