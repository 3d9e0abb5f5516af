/* vpcflow charts: small SVG charts drawn with DOM calls only (every label goes in through textContent).
   Shared by the dashboard and the self-contained HTML report. Each chart's <svg> carries data-drawn, the
   number of data marks it drew. */
(function (root) {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";

  function node(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(parent, x, y, str, attrs) {
    const t = node("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = String(str);
    return t;
  }
  function tip(parent, str) { node("title", {}, parent).textContent = String(str); }

  function human(n) {
    const a = Math.abs(n);
    if (a >= 1e12) return (n / 1e12).toFixed(1) + "T";
    if (a >= 1e9) return (n / 1e9).toFixed(1) + "G";
    if (a >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (n / 1e3).toFixed(0) + "k";
    if (a >= 1e3) return (n / 1e3).toFixed(1) + "k";
    return String(Math.round(n));
  }
  function bytes(n) {
    const units = ["B", "KB", "MB", "GB", "TB", "PB"];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(Math.round(n))) + " " + units[i];
  }
  function time(t, withDate) {
    const s = new Date(t * 1000).toISOString();
    return withDate === false ? s.slice(11, 16) : s.slice(5, 10) + " " + s.slice(11, 16);
  }
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }
  function frame(el, w, h, drawn) {
    while (el.firstChild) el.removeChild(el.firstChild);
    // Never drawn wider than 1.4x its own size: labels stay readable in a wide card.
    const s = node("svg", { viewBox: "0 0 " + w + " " + h, class: "chart", role: "img", "data-drawn": drawn,
      style: "max-width:" + Math.round(w * 1.4) + "px" }, el);
    if (!drawn) label(s, w / 2, h / 2, "no data in this range", { "text-anchor": "middle" });
    return s;
  }
  function legend(el, items) {
    const div = document.createElement("div");
    div.className = "legend";
    for (const it of items) {
      const span = document.createElement("span");
      const i = document.createElement("i");
      i.className = it.cls;
      span.appendChild(i);
      span.appendChild(document.createTextNode(it.label));
      div.appendChild(span);
    }
    el.appendChild(div);
  }
  function yAxis(s, left, top, bottom, width, max, fmt) {
    for (let i = 0; i <= 4; i++) {
      const y = bottom - (bottom - top) * i / 4;
      node("line", { x1: left, x2: left + width, y1: y, y2: y, class: "axis" }, s);
      label(s, left - 6, y + 4, fmt(max * i / 4), { "text-anchor": "end" });
    }
  }
  function xAxis(s, t0, t1, x, bottom) {
    const sameDay = new Date(t0 * 1000).toISOString().slice(0, 10) === new Date(t1 * 1000).toISOString().slice(0, 10);
    for (let i = 0; i <= 4; i++) {
      const t = t0 + (t1 - t0) * i / 4;
      label(s, x(t), bottom + 16, time(t, !sameDay), { "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" });
    }
  }

  /* Stacked bars over time: series [{t, ...}], stack [{key, cls, label}], bucket seconds. */
  function timeBars(el, series, opts) {
    const W = 760, H = 240, L = 56, R = 10, T = 10, B = 24;
    const stack = opts.stack, bucket = opts.bucket || 60, fmt = opts.format || human;
    const s = frame(el, W, H, series.length ? series.length * stack.length : 0);
    if (!series.length) return s;
    const t0 = series[0].t, t1 = series[series.length - 1].t + bucket;
    const max = niceMax(Math.max.apply(null, series.map(p => stack.reduce((a, k) => a + (p[k.key] || 0), 0))));
    const x = t => L + (W - L - R) * (t - t0) / Math.max(t1 - t0, 1);
    const bw = Math.max((W - L - R) * bucket / Math.max(t1 - t0, 1) - 1, 1);
    yAxis(s, L, T, H - B, W - L - R, max, fmt);
    for (const p of series) {
      let base = H - B;
      for (const k of stack) {
        const h = (H - B - T) * (p[k.key] || 0) / max;
        const r = node("rect", { x: x(p.t), y: base - h, width: bw, height: h, class: "mark " + k.cls }, s);
        tip(r, time(p.t) + "  " + k.label + ": " + fmt(p[k.key] || 0));
        base -= h;
      }
    }
    xAxis(s, t0, t1, x, H - B);
    legend(el, stack);
    return s;
  }

  /* A filled line over time of one key. */
  function timeArea(el, series, opts) {
    const W = 760, H = 240, L = 64, R = 10, T = 10, B = 24;
    const key = opts.key, fmt = opts.format || human, bucket = opts.bucket || 60;
    const s = frame(el, W, H, series.length);
    if (!series.length) return s;
    const t0 = series[0].t, t1 = series[series.length - 1].t + bucket;
    const max = niceMax(Math.max.apply(null, series.map(p => p[key] || 0)));
    const x = t => L + (W - L - R) * (t - t0) / Math.max(t1 - t0, 1);
    const y = v => H - B - (H - B - T) * v / max;
    yAxis(s, L, T, H - B, W - L - R, max, fmt);
    let d = "M" + x(t0) + "," + (H - B);
    for (const p of series) d += " L" + x(p.t + bucket / 2).toFixed(1) + "," + y(p[key] || 0).toFixed(1);
    d += " L" + x(t1) + "," + (H - B) + " Z";
    node("path", { d: d, class: opts.cls || "bytes", "fill-opacity": 0.35 }, s);
    for (const p of series) {
      const c = node("circle", { cx: x(p.t + bucket / 2), cy: y(p[key] || 0), r: 1.6, class: "mark " + (opts.cls || "bytes") }, s);
      tip(c, time(p.t) + "  " + fmt(p[key] || 0));
    }
    xAxis(s, t0, t1, x, H - B);
    return s;
  }

  /* Horizontal bars: rows, label(row) -> text, value(row) -> number. */
  function hbar(el, rows, opts) {
    const W = 560, row = 22, L = opts.labelWidth || 210, R = 80;
    const H = Math.max(rows.length * row + 8, 40);
    const s = frame(el, W, H, rows.length);
    const fmt = opts.format || human;
    const max = Math.max.apply(null, rows.map(opts.value).concat([1]));
    rows.forEach(function (r, i) {
      const y = 4 + i * row, v = opts.value(r), w = (W - L - R) * v / max;
      label(s, L - 6, y + 15, opts.label(r), { "text-anchor": "end", class: "label" });
      const b = node("rect", { x: L, y: y + 3, width: Math.max(w, 1), height: row - 6, class: "mark " + (opts.cls ? opts.cls(r) : "bytes") }, s);
      tip(b, opts.label(r) + ": " + fmt(v));
      label(s, L + Math.max(w, 1) + 6, y + 15, fmt(v));
    });
    return s;
  }

  /* Who talks to whom: a deterministic force layout; edges sized by bytes, rejected edges dashed red. */
  function network(el, nodes, edges) {
    const W = 900, H = 620;
    const s = frame(el, W, H, edges.length);
    if (!edges.length) return s;
    const idx = {}, pos = nodes.map(function (n, i) {
      idx[n.id] = i;
      const a = 2 * Math.PI * i / nodes.length;
      return { x: W / 2 + 250 * Math.cos(a), y: H / 2 + 250 * Math.sin(a), vx: 0, vy: 0 };
    });
    for (let it = 0; it < 220; it++) {
      for (let i = 0; i < pos.length; i++) for (let j = i + 1; j < pos.length; j++) {
        let dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y, d2 = dx * dx + dy * dy + 0.01;
        const f = 2400 / d2, d = Math.sqrt(d2);
        dx = dx / d * f; dy = dy / d * f;
        pos[i].vx += dx; pos[i].vy += dy; pos[j].vx -= dx; pos[j].vy -= dy;
      }
      for (const e of edges) {
        const a = pos[idx[e.src]], b = pos[idx[e.dst]];
        const dx = b.x - a.x, dy = b.y - a.y, f = 0.01;
        a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      }
      for (const p of pos) {
        p.vx += (W / 2 - p.x) * 0.005; p.vy += (H / 2 - p.y) * 0.005;
        p.x = Math.min(W - 30, Math.max(30, p.x + Math.max(-20, Math.min(20, p.vx))));
        p.y = Math.min(H - 20, Math.max(20, p.y + Math.max(-20, Math.min(20, p.vy))));
        p.vx *= 0.5; p.vy *= 0.5;
      }
    }
    const maxB = Math.max.apply(null, edges.map(e => e.accepted_bytes + e.rejected_bytes).concat([1]));
    for (const e of edges) {
      const a = pos[idx[e.src]], b = pos[idx[e.dst]];
      const rejected = e.rejected_records > 0 && e.accepted_records === 0;
      const w = 0.8 + 7 * Math.sqrt((e.accepted_bytes + e.rejected_bytes) / maxB);
      const l = node("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "stroke-width": w.toFixed(2), "stroke-opacity": 0.7,
        class: "mark edge " + (rejected ? "edge-reject" : "edge-accept") }, s);
      tip(l, e.src + " → " + e.dst + ": " + bytes(e.accepted_bytes + e.rejected_bytes) + ", " +
        e.accepted_records + " accepted, " + e.rejected_records + " rejected records");
    }
    const maxN = Math.max.apply(null, nodes.map(n => n.sent + n.received).concat([1]));
    nodes.forEach(function (n, i) {
      const p = pos[i], r = 4 + 12 * Math.sqrt((n.sent + n.received) / maxN);
      const c = node("circle", { cx: p.x, cy: p.y, r: r.toFixed(1), class: "node" + (n.rejected_records ? " rejecting" : "") }, s);
      tip(c, n.id + ": sent " + bytes(n.sent) + ", received " + bytes(n.received));
      label(s, p.x + r + 2, p.y + 4, n.id, { class: "label" });
    });
    return s;
  }

  root.VFCharts = { timeBars: timeBars, timeArea: timeArea, hbar: hbar, network: network,
    human: human, bytes: bytes, time: time };
})(typeof window !== "undefined" ? window : this);
