/* The Incidents page: /api/incidents as one card per incident and a table of background summaries. Every value
   is set with textContent, so nothing from the store is read as HTML. */
(function () {
  "use strict";
  const el = window.VFPage.el;  // app.js: text set with textContent only
  function table(rows, columns) {
    const t = el("table");
    const head = el("tr");
    for (const c of columns) head.appendChild(el("th", c));
    t.appendChild(head);
    for (const r of rows) {
      const tr = el("tr", null, "severity-" + r.severity);
      for (const c of columns) tr.appendChild(el("td", r[c]));
      t.appendChild(tr);
    }
    return t;
  }
  const COLUMNS = ["severity", "detector", "src", "dst", "dst_port", "first_seen", "summary"];

  function render(data) {
    const note = document.getElementById("incidents-note");
    note.textContent = (data.message || (data.incidents.length + " incidents")) +
      (data.suppressed ? "; " + data.suppressed + " suppressed findings hidden" : "");
    note.dataset.suppressed = String(data.suppressed || 0);
    const out = document.getElementById("incidents");
    for (const inc of data.incidents) {
      const card = el("section", null, "card incident severity-" + inc.severity);
      card.appendChild(el("h2", inc.subject + " — " + inc.severity + " — " + inc.stages));
      card.appendChild(table(inc.findings, COLUMNS));
      out.appendChild(card);
    }
    document.getElementById("background").appendChild(
      table(data.background, ["dst_port", "first_seen", "summary"]));
    document.body.dataset.loaded = "incidents";
  }
  window.VFPage.load("/api/incidents", ["since", "until", "min_severity"], render);
})();
