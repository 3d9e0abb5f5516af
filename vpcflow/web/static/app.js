/* vpcflow dashboard pages: each page fetches its /api/ data and builds the DOM with textContent only, so
   every value from the store shows as text. The time range (since, until) rides along in the URL. */
(function () {
  "use strict";
  const C = window.VFCharts;
  const params = new URLSearchParams(location.search);
  const range = { since: params.get("since") || "", until: params.get("until") || "" };

  function h(tag, attrs) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === "class") e.className = attrs[k];
      else if (k === "dataset") Object.assign(e.dataset, attrs[k]);
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    }
    for (let i = 2; i < arguments.length; i++) {
      const kid = arguments[i];
      if (kid === null || kid === undefined) continue;
      e.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }
  function $(id) { return document.getElementById(id); }
  /* The element helpers the pages' own scripts (cost.js, rules.js, incidents.js) build with; they load after
     this one. el sets text with textContent only. */
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fail(message) {
    showError(message);
    document.body.dataset.loaded = "error";
  }
  /* GET path with the page URL's own `keys` (since, until, ...), then render(body), or fail with its error. */
  function load(path, keys, render) {
    const q = new URLSearchParams();
    for (const k of keys) if (params.get(k)) q.set(k, params.get(k));
    return fetch(path + (q.toString() ? "?" + q.toString() : ""), { credentials: "same-origin" })
      .then((res) => res.json().then((body) => (res.ok ? render(body) : fail(body.error || body.message || res.statusText))))
      .catch((e) => fail(e.message));
  }
  window.VFPage = { el: el, load: load };
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = false;
  }
  function withRange(path, extra) {
    const q = new URLSearchParams();
    if (range.since) q.set("since", range.since);
    if (range.until) q.set("until", range.until);
    for (const k in extra || {}) if (extra[k] !== "" && extra[k] !== null && extra[k] !== undefined) q.set(k, extra[k]);
    const s = q.toString();
    return s ? path + "?" + s : path;
  }
  async function api(path, extra, init) {
    const res = await fetch(withRange(path, extra), Object.assign({ credentials: "same-origin" }, init || {}));
    const body = await res.json().catch(() => ({ error: res.status + " " + res.statusText }));
    if (!res.ok) throw new Error(body.error || (body.detail && JSON.stringify(body.detail)) || res.statusText);
    return body;
  }
  function post(path, data) {
    return api(path, {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  }
  function when(v) {
    if (v === null || v === undefined || v === "") return "";
    return typeof v === "number" ? new Date(v * 1000).toISOString().replace(".000Z", "Z") : String(v);
  }
  function num(v) { return v === null || v === undefined ? "" : Number(v).toLocaleString("en-US"); }
  /* columns: [{key, label, num, fmt(row) -> string|Node}] */
  function table(columns, rows, rowClass) {
    const head = h("tr", {});
    for (const c of columns) head.appendChild(h("th", { class: c.num ? "num" : null }, c.label || c.key));
    const body = h("tbody", {});
    for (const r of rows) {
      const tr = h("tr", { class: rowClass ? rowClass(r) : null });
      for (const c of columns) {
        const v = c.fmt ? c.fmt(r) : r[c.key];
        tr.appendChild(h("td", { class: c.cls || (c.num ? "num" : null) }, v === null || v === undefined ? "" : v));
      }
      body.appendChild(tr);
    }
    return h("table", {}, h("thead", {}, head), body);
  }
  function note(el, text, warn) {
    clear(el);
    if (text) el.appendChild(h("div", { class: "note" + (warn ? " warn" : "") }, text));
  }
  function showWindow(w) {
    if (!w) return;
    $("range-note").textContent = "Showing " + (w.since || "the first record") + " to " + (w.until || "the last record") + " (UTC)";
  }

  function setupRange() {
    for (const a of document.querySelectorAll("a[data-nav]")) a.setAttribute("href", withRange(a.getAttribute("href")));
    const form = $("range");
    function go() {
      const q = new URLSearchParams(location.search);
      for (const k of ["since", "until"]) { const v = $(k).value.trim(); if (v) q.set(k, v); else q.delete(k); }
      q.delete("offset");
      location.search = q.toString();
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); go(); });
    for (const b of form.querySelectorAll("button.preset")) {
      b.addEventListener("click", function () { $("since").value = b.dataset.since; $("until").value = ""; go(); });
    }
  }

  const pages = {};

  pages.overview = async function () {
    const d = await api("/api/overview");
    showWindow(d.window);
    const t = d.traffic.totals, box = clear($("totals"));
    for (const [label, value] of [["records", C.human(t.records)], ["bytes", C.bytes(t.bytes)],
      ["accepted", C.human(t.accepted)], ["rejected", C.human(t.rejected)]]) {
      box.appendChild(h("div", { class: "stat", id: "stat-" + label }, h("b", {}, value), h("span", {}, label)));
    }
    const bucket = d.traffic.bucket_seconds;
    C.timeBars($("chart-records"), d.traffic.series, { bucket: bucket,
      stack: [{ key: "accepted", cls: "accept", label: "accepted" }, { key: "rejected", cls: "reject", label: "rejected" }] });
    C.timeArea($("chart-bytes"), d.traffic.series, { key: "bytes", bucket: bucket, format: C.bytes });
    C.hbar($("chart-talkers"), d.top_talkers, { label: r => r.srcaddr + " → " + r.dstaddr, value: r => r.bytes, format: C.bytes, labelWidth: 260 });
    clear($("table-talkers")).appendChild(table([{ key: "srcaddr", label: "source" }, { key: "dstaddr", label: "destination" },
      { key: "bytes", num: true, fmt: r => C.bytes(r.bytes) }, { key: "packets", num: true, fmt: r => num(r.packets) },
      { key: "flows", label: "records", num: true, fmt: r => num(r.flows) }], d.top_talkers));
    C.hbar($("chart-rejected"), d.top_rejected_sources, { label: r => r.srcaddr, value: r => r.flows, cls: () => "reject" });
    clear($("table-rejected")).appendChild(table([{ key: "srcaddr", label: "source" },
      { key: "flows", label: "rejected records", num: true, fmt: r => num(r.flows) }, { key: "packets", num: true, fmt: r => num(r.packets) }],
    d.top_rejected_sources));
    C.hbar($("chart-protocols"), d.protocols, { label: r => r.name, value: r => r.flows });
    C.hbar($("chart-ports"), d.ports, { label: r => String(r.dstport), value: r => r.flows });
  };

  pages.interfaces = async function () {
    const list = await api("/api/interfaces");
    showWindow(list.window);
    const select = clear($("interface"));
    let chosen = params.get("interface") || (list.interfaces[0] && list.interfaces[0].interface_id) || "";
    if (chosen && !list.interfaces.some(i => i.interface_id === chosen)) list.interfaces.unshift({ interface_id: chosen, records: 0 });
    for (const i of list.interfaces) {
      const o = h("option", { value: i.interface_id }, i.interface_id + (i.interface_tag ? " (" + i.interface_tag + ")" : ""));
      if (i.interface_id === chosen) o.selected = true;
      select.appendChild(o);
    }
    clear($("interfaces-table")).appendChild(table([
      { key: "interface_id", label: "interface", fmt: r => h("a", { href: withRange("/interfaces", { interface: r.interface_id }) }, r.interface_id) },
      { key: "interface_tag", label: "tag" }, { key: "vpc_id", label: "vpc" }, { key: "subnet_id", label: "subnet" },
      { key: "records", num: true, fmt: r => num(r.records) }, { key: "bytes", num: true, fmt: r => C.bytes(r.bytes || 0) },
      { key: "accepted", num: true, fmt: r => num(r.accepted) }, { key: "rejected", num: true, fmt: r => num(r.rejected) },
      { key: "first_start", label: "first", fmt: r => when(r.first_start) }, { key: "last_end", label: "last", fmt: r => when(r.last_end) }],
    list.interfaces));
    let offset = 0, rowsBox = null;
    async function load(append) {
      if (!chosen) { note($("filter-note"), "no interfaces in this range"); return; }
      const filter = $("filter").value;
      const d = await api("/api/stream", { interface_id: chosen, filter: filter, offset: offset });
      if (d.filter_mode === "text") note($("filter-note"), "Not a filter pattern (" + d.filter_error + "): searched as plain text.", true);
      else if (d.filter_mode === "pattern") note($("filter-note"), "Filter pattern applied to the format " + d.format);
      else note($("filter-note"), "");
      const t = table([{ key: "time", label: "timestamp", fmt: r => when(r.time) }, { key: "message", label: "message", cls: "msg" }],
        d.records, r => r.action || "");
      if (!append || !rowsBox) { rowsBox = clear($("stream")); rowsBox.appendChild(t); }
      else rowsBox.querySelector("tbody").append(...t.querySelectorAll("tbody tr"));
      if (!d.records.length && !append) rowsBox.appendChild(h("p", { class: "muted" }, "no records match"));
      offset += d.records.length;
      $("more").hidden = !d.more;
    }
    select.addEventListener("change", function () { chosen = select.value; offset = 0; sync(); load(false).catch(e => showError(e.message)); });
    $("stream-form").addEventListener("submit", function (ev) { ev.preventDefault(); offset = 0; sync(); load(false).catch(e => showError(e.message)); });
    $("more").addEventListener("click", function () { load(true).catch(e => showError(e.message)); });
    function sync() {
      const q = new URLSearchParams(location.search);
      q.set("interface", chosen);
      if ($("filter").value) q.set("filter", $("filter").value); else q.delete("filter");
      history.replaceState(null, "", "?" + q.toString());
    }
    await load(false);
  };

  function statusButtons(f, onChange) {
    const box = h("span", { class: "actions" });
    for (const [status, label] of [["reviewed", "Mark reviewed"], ["dismissed", "Dismiss"], ["new", "Reopen"]]) {
      if (f.status === status) continue;
      box.appendChild(h("button", { type: "button", "data-status": status, onclick: async function () {
        try { const r = await post("/api/findings/" + encodeURIComponent(f.id) + "/status", { status: status }); f.status = r.status; onChange(f); }
        catch (e) { showError(e.message); }
      } }, label));
    }
    return box;
  }
  function severity(s) { return h("span", { class: "sev sev-" + String(s).toLowerCase() }, s); }

  pages.findings = async function () {
    const d = await api("/api/findings");
    showWindow(d.window);
    note($("findings-note"), d.message, !d.available);
    const order = ["critical", "high", "medium", "low", "info"];
    const counts = Object.keys(d.by_severity).sort((a, b) => order.indexOf(a) - order.indexOf(b)).map(k => ({ severity: k, n: d.by_severity[k] }));
    C.hbar($("chart-severity"), counts, { label: r => r.severity, value: r => r.n, cls: r => (r.severity === "low" || r.severity === "info") ? "bytes" : "reject" });
    const box = clear($("findings"));
    for (const c of counts) {
      const rows = d.findings.filter(f => String(f.severity).toLowerCase() === c.severity);
      const section = h("section", { class: "card" }, h("h2", {}, severity(c.severity), " " + rows.length + " finding" + (rows.length === 1 ? "" : "s")));
      const render = function () {
        const t = table([
          { key: "summary", fmt: f => h("a", { href: withRange("/findings/" + encodeURIComponent(f.id)), class: "finding-link" }, f.summary || f.detector) },
          { key: "detector" }, { key: "src", label: "source" }, { key: "dst", label: "destination" },
          { key: "dst_port", label: "port", fmt: f => (f.dst_port === null || f.dst_port === undefined ? "" : f.dst_port + "/") + (f.protocol_name || "") },
          { key: "records", num: true, fmt: f => num(f.records) }, { key: "first_seen", label: "first seen", fmt: f => when(f.first_seen) },
          { key: "last_seen", label: "last seen", fmt: f => when(f.last_seen) }, { key: "status" },
          { key: "actions", label: "", fmt: f => statusButtons(f, render) }], rows, f => "status-" + f.status);
        const old = section.querySelector("table");
        if (old) section.replaceChild(t, old); else section.appendChild(t);
      };
      render();
      box.appendChild(section);
    }
  };

  pages.finding = async function () {
    const id = $("finding").dataset.findingId;
    const d = await api("/api/findings/" + encodeURIComponent(id), {});
    const f = d.finding, box = $("finding");
    const render = function () {
      clear(box);
      box.appendChild(h("h2", {}, severity(f.severity), " " + (f.summary || f.detector)));
      const dl = h("table", { class: "details" });
      for (const k of ["id", "detector", "src", "dst", "dst_port", "protocol", "records", "first_seen", "last_seen", "run_at", "status"]) {
        if (f[k] === undefined) continue;
        dl.appendChild(h("tr", {}, h("th", {}, k), h("td", {}, k.endsWith("_seen") || k === "run_at" ? when(f[k]) : f[k])));
      }
      box.appendChild(dl);
      box.appendChild(statusButtons(f, render));
      box.appendChild(h("p", {}, h("a", { href: withRange("/findings") }, "← all findings")));
    };
    render();
    $("evidence-note").textContent = d.evidence_total > d.evidence.length
      ? "showing the first " + d.evidence.length + " of " + d.evidence_total + " records" : d.evidence_total + " records";
    clear($("evidence")).appendChild(table(d.evidence_columns.map(c => ({ key: c, fmt: r => (c === "start" || c === "end") ? when(r[c]) : r[c] })),
      d.evidence, r => r.action || ""));
  };

  pages.diagnose = async function () {
    const d = await api("/api/diagnoses");
    showWindow(d.window);
    note($("diagnose-note"), d.message, !d.available);
    C.hbar($("chart-services"), d.groups, { label: g => g.service, value: g => g.records, cls: () => "reject", labelWidth: 240 });
    const box = clear($("diagnoses"));
    for (const g of d.groups) {
      const more = g.verdict_count > g.verdicts.length ? " (the " + g.verdicts.length + " largest of " + num(g.verdict_count) + " shown)" : "";
      box.appendChild(h("section", { class: "card" }, h("h2", {}, g.service + " · " + num(g.records) + " rejected records" + more),
        table([{ key: "src", label: "source" }, { key: "dst", label: "destination" },
          { key: "dst_port", label: "port", fmt: r => r.dst_port_end > r.dst_port ? r.dst_port + "-" + r.dst_port_end : r.dst_port },
          { key: "interface_id", label: "interface" }, { key: "direction" }, { key: "verdict" }, { key: "rule" },
          { key: "records", num: true, fmt: r => num(r.records) }, { key: "first_seen", label: "first seen", fmt: r => when(r.first_seen) },
          { key: "last_seen", label: "last seen", fmt: r => when(r.last_seen) }, { key: "fix" }], g.verdicts)));
    }
  };

  pages.graph = async function () {
    const d = await api("/api/graph");
    showWindow(d.window);
    C.network($("chart-graph"), d.nodes, d.edges);
    clear($("edges")).appendChild(table([{ key: "src", label: "source" }, { key: "dst", label: "destination" },
      { key: "accepted_bytes", label: "accepted bytes", num: true, fmt: r => C.bytes(r.accepted_bytes) },
      { key: "accepted_records", label: "accepted", num: true, fmt: r => num(r.accepted_records) },
      { key: "rejected_records", label: "rejected", num: true, fmt: r => num(r.rejected_records) }], d.edges));
  };

  pages.query = async function () {
    const sql = $("sql");
    function csvLink() { $("csv").setAttribute("href", withRange("/api/query.csv", { sql: sql.value })); }
    async function runQuery() {
      $("query-note").textContent = "running…";
      const d = await post("/api/query", { sql: sql.value, since: range.since || null, until: range.until || null });
      $("query-note").textContent = d.rows.length + " row" + (d.rows.length === 1 ? "" : "s") + " in " + d.seconds + " s" +
        (d.truncated_by === "bytes" ? " (stopped at the byte limit of " + num(d.byte_limit) + " bytes)"
          : d.truncated ? " (stopped at the row limit of " + d.row_limit + ")" : "");
      clear($("result")).appendChild(table(d.columns.map(c => ({ key: c, label: c })), d.rows));
      document.body.dataset.queried = String(Number(document.body.dataset.queried || 0) + 1);
    }
    sql.addEventListener("input", csvLink);
    csvLink();
    $("query-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      runQuery().catch(function (e) { $("query-note").textContent = ""; showError(e.message); document.body.dataset.queried = "error"; });
    });
    await runQuery();
  };

  setupRange();
  const page = pages[document.body.dataset.page];
  if (page) {
    page().then(function () { document.body.dataset.ready = "1"; })
      .catch(function (e) { showError(e.message); document.body.dataset.ready = "error"; });
  }
  // New records, findings or alarm states (live.js): pages that only show data load it again.
  const RELOADS = ["overview", "findings", "graph", "diagnose"];
  if (page && RELOADS.indexOf(document.body.dataset.page) >= 0) {
    window.addEventListener("vpcflow:changed", function () {
      page().then(function () { document.body.dataset.reloaded = String(Number(document.body.dataset.reloaded || 0) + 1); })
        .catch(function (e) { showError(e.message); });
    });
  }
})();
