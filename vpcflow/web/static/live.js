/* Live pages: ask /api/live every few seconds; show how far behind each followed source is and its alarms, and
   tell the page to load its data again when the store's version moves. Text only, never markup. */
(function () {
  "use strict";
  const strip = document.getElementById("live");
  if (!strip) return;
  let version = null;
  function line(text, cls) {
    const d = document.createElement("div");
    if (cls) d.className = cls;
    d.textContent = text;
    return d;
  }
  function ago(s) { return s === null || s === undefined ? "never" : s < 90 ? s.toFixed(0) + " s" : (s / 60).toFixed(1) + " min"; }
  function show(d) {
    while (strip.firstChild) strip.removeChild(strip.firstChild);
    strip.hidden = !d.holder && !d.sources.length;
    for (const s of d.sources) {
      const alarms = Object.keys(s.alarms || {}).map(k => k + " " + s.alarms[k]).join(", ");
      strip.appendChild(line(s.source + ": " + s.sources + " sources, " + s.records.toLocaleString("en-US") + " records in; " +
        (s.pending ? s.pending + " pending; " : "") + "newest record " + ago(s.lag_seconds) + " behind; looked " +
        ago(s.last_poll_seconds_ago) + " ago" + (alarms ? "; alarms: " + alarms : "") + (s.error ? "; error: " + s.error : ""),
        "live-source" + (s.error ? " warn" : "") + (alarms.indexOf("ALARM") >= 0 ? " alarm" : "")));
    }
    document.body.dataset.liveVersion = d.version;
    document.body.dataset.liveRecords = String(d.records);
  }
  async function tick() {
    try {
      const res = await fetch("/api/live", { credentials: "same-origin" });
      if (res.ok) {
        const d = await res.json();
        show(d);
        if (version !== null && d.version !== version) window.dispatchEvent(new CustomEvent("vpcflow:changed", { detail: d }));
        version = d.version;
      }
    } finally {
      setTimeout(tick, 2000);
    }
  }
  tick();
})();
