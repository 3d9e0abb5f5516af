/* The Cost page: /api/cost as charts and tables. Every value is set with textContent, so nothing from the store
   is read as HTML. */
(function () {
  "use strict";
  const C = window.VFCharts;
  const el = window.VFPage.el;  // app.js: text set with textContent only
  function usd(v) { return "$" + Number(v).toFixed(Number(v) < 1 ? 4 : 2); }
  function table(id, columns, rows) {
    const t = el("table");
    const head = el("tr");
    for (const c of columns) head.appendChild(el("th", c.label || c.key));
    t.appendChild(head);
    for (const r of rows) {
      const tr = el("tr");
      for (const c of columns) tr.appendChild(el("td", c.fmt ? c.fmt(r) : r[c.key], c.num ? "num" : ""));
      t.appendChild(tr);
    }
    document.getElementById(id).appendChild(t);
  }

  function render(d) {
    const notes = document.getElementById("cost-notes");
    for (const n of d.notes) notes.appendChild(el("p", n, "muted"));
    const totals = document.getElementById("cost-totals");
    const billed = d.paths.reduce((a, r) => a + r.bytes, 0);
    for (const [label, value] of [["USD (" + d.region + ")", usd(d.usd)], ["bytes billed", C.bytes(billed)],
      ["bytes unknown", C.bytes(d.unknown_bytes)]]) {
      const box = el("div", null, "stat");
      box.appendChild(el("b", value));
      box.appendChild(el("span", label));
      totals.appendChild(box);
    }
    const seen = d.paths.map((r) => r.path);
    const bucket = 3600;
    C.timeBars(document.getElementById("chart-cost-paths"), d.series, { bucket: bucket, format: C.bytes,
      stack: seen.map((p) => ({ key: p, cls: "p-" + p, label: p })) });
    C.hbar(document.getElementById("chart-cost-usd"), d.paths, { label: (r) => r.path, value: (r) => r.usd,
      format: usd, cls: (r) => "p-" + r.path });
    table("table-cost-paths", [{ key: "path" }, { key: "bytes", num: true, fmt: (r) => C.bytes(r.bytes) },
      { key: "usd", num: true, fmt: (r) => usd(r.usd) }, { key: "records", num: true }], d.paths);
    table("table-cost-interfaces", [{ key: "interface" }, { key: "paths" },
      { key: "bytes", num: true, fmt: (r) => C.bytes(r.bytes) }, { key: "usd", num: true, fmt: (r) => usd(r.usd) }],
    d.interfaces);
    table("table-cost-pairs", [{ key: "pair" }, { key: "paths" },
      { key: "bytes", num: true, fmt: (r) => C.bytes(r.bytes) }, { key: "usd", num: true, fmt: (r) => usd(r.usd) }],
    d.pairs);
    table("table-cost-what-ifs", [{ key: "what_if", label: "what if" },
      { key: "bytes", num: true, fmt: (r) => C.bytes(r.bytes) },
      { key: "usd_saved", label: "saved", num: true, fmt: (r) => usd(r.usd_saved) },
      { key: "monthly_usd_saved", label: "a month", num: true, fmt: (r) => usd(r.monthly_usd_saved) },
      { key: "adds_monthly_usd", label: "adds a month", num: true, fmt: (r) => usd(r.adds_monthly_usd) },
      { key: "detail" }], d.what_ifs);
    document.body.dataset.loaded = "cost";
  }

  window.VFPage.load("/api/cost", ["since", "until"], render);
})();
