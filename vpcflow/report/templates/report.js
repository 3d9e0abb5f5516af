/* Draws the report's charts from its embedded data, with the dashboard's charts.js. */
(function () {
  "use strict";
  const C = window.VFCharts;
  const d = JSON.parse(document.getElementById("report-data").textContent);
  const o = d.overview, bucket = o.traffic.bucket_seconds;
  const $ = id => document.getElementById(id);
  C.timeBars($("chart-records"), o.traffic.series, { bucket: bucket,
    stack: [{ key: "accepted", cls: "accept", label: "accepted" }, { key: "rejected", cls: "reject", label: "rejected" }] });
  C.timeArea($("chart-bytes"), o.traffic.series, { key: "bytes", bucket: bucket, format: C.bytes });
  C.hbar($("chart-talkers"), o.top_talkers, { label: r => r.srcaddr + " → " + r.dstaddr, value: r => r.bytes, format: C.bytes, labelWidth: 260 });
  C.hbar($("chart-rejected"), o.top_rejected_sources, { label: r => r.srcaddr, value: r => r.flows, cls: () => "reject" });
  C.hbar($("chart-protocols"), o.protocols, { label: r => r.name, value: r => r.flows });
  C.hbar($("chart-ports"), o.ports, { label: r => String(r.dstport), value: r => r.flows });
  document.body.dataset.ready = "1";
})();
