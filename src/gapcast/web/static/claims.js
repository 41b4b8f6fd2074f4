/* gapcast dashboard, claims panel: drawn from /api/claims (nothing is computed here).
 * One axis per event: gapcast's probability and 90% interval beside each market price and
 * expert figure on the same resolution rules; below, published measurements re-measured. */
"use strict";

(function () {
  const OURS = "#0072B2";
  const KIND = {
    market: { color: "#D55E00", symbol: "diamond" },
    "forecast platform": { color: "#CC79A7", symbol: "square" },
    expert: { color: "#009E73", symbol: "triangle-left" },
  };
  const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 };
  const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const WORDS = {
    top_any_time: "at the top at any point",
    sole_top_any_time: "alone at rank 1 at any point",
    top_at_date: "ahead on the date",
    ahead_within: "ahead within 5 years (ECI)",
  };

  const $ = (id) => document.getElementById(id);
  function esc(text) {
    const div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }
  function fmt(value, unit) {
    if (value === null || value === undefined || !isFinite(value)) return "n/a";
    if (unit === "probability") return Math.round(100 * value) + "%";
    return Number(value).toLocaleString("en-US", { maximumSignificantDigits: 3 });
  }

  /* An event is what it resolves on: claims with the same reading share an axis. */
  function eventLabel(c) {
    const who = c.event === "top_at_date" ? c.challenger + " vs " + c.leader : c.challenger;
    const by = c.deadline ? " by " + c.deadline : "";
    const rules = c.ours && c.ours.resolves_on ? c.ours.resolves_on : "";
    const style = c.event === "ahead_within" ? "" : rules.includes("style control on") ? " · style on" :
      rules.includes("style control off") ? " · style off" : "";
    const ties = rules.includes("ties count") ? " · ties count" : "";
    return who + " " + (WORDS[c.event] || c.event) + by + style + ties;
  }

  function groups(claims) {
    const out = new Map();
    for (const c of claims) {
      if (c.status !== "forecast" || !c.ours) continue;
      const key = c.ours.resolves_on;
      if (!out.has(key)) out.set(key, { label: eventLabel(c), ours: c.ours, claims: [] });
      out.get(key).claims.push(c);
    }
    return Array.from(out.values());
  }

  function renderChart(report) {
    const events = groups(report.claims);
    const y = events.map((e) => e.label);
    const traces = [{
      type: "scatter", mode: "markers", name: "gapcast (" + report.forecast_model + " model), 90% interval",
      x: events.map((e) => 100 * e.ours.value), y: y,
      marker: { color: OURS, size: 11, symbol: "circle" },
      error_x: {
        type: "data", symmetric: false, color: OURS, thickness: 3, width: 6,
        array: events.map((e) => 100 * (e.ours.interval90[1] - e.ours.value)),
        arrayminus: events.map((e) => 100 * (e.ours.value - e.ours.interval90[0])),
      },
      text: events.map((e) => e.ours.resolves_on),
      hovertemplate: "gapcast %{x:.0f}%<br>%{text}<extra></extra>",
    }];
    const seen = new Set();
    for (const e of events) {
      for (const c of e.claims) {
        const t = c.theirs;
        const style = KIND[c.kind] || KIND.market;
        const value = t.value !== null ? t.value : t.high;
        const hasRange = t.low !== null && t.high !== null && t.value !== null;
        traces.push({
          type: "scatter", mode: "markers", name: c.kind === "expert" ? "expert (upper bound)" : c.kind,
          legendgroup: c.kind, showlegend: !seen.has(c.kind),
          x: [100 * value], y: [e.label],
          marker: { color: style.color, size: 12, symbol: style.symbol, line: { color: "#fff", width: 1 } },
          error_x: hasRange ? {
            type: "data", symmetric: false, color: style.color, thickness: 1.5, width: 4,
            array: [100 * (t.high - t.value)], arrayminus: [100 * (t.value - t.low)],
          } : { visible: false },
          hovertemplate: esc(c.publisher) + ": " + fmt(value, t.unit) + " (seen " + esc(t.as_seen) +
            ")<br>" + esc(c.id) + "<extra></extra>",
        });
        seen.add(c.kind);
      }
    }
    const height = 120 + 56 * events.length;
    $("claims-chart").style.height = height + "px";
    Plotly.react("claims-chart", traces, {
      font: FONT, height: height, margin: { l: 330, r: 20, t: 36, b: 46 }, hovermode: "closest",
      legend: { orientation: "h", y: 1.08, x: 0 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      xaxis: { title: { text: "probability of the event, %" }, range: [0, 100], gridcolor: "#eceff1" },
      yaxis: { autorange: "reversed", gridcolor: "#eceff1", automargin: true },
    }, CONFIG);
  }

  function renderTable(report) {
    const rows = report.claims.filter((c) => c.status !== "forecast");
    const body = rows.map((c) => {
      const t = c.theirs;
      const ours = c.ours;
      const reading = ours ? ours.resolves_on : c.reason;
      return "<tr><td>" + esc(c.title || c.id) + '<br><span class="muted small">' + esc(c.publisher) +
        "</span></td><td class=\"num\">" + fmt(t.value, t.unit) + " " + esc(t.unit === "probability" ? "" : t.unit) +
        '</td><td class="num">' + (ours ? fmt(ours.value, t.unit) : "–") + "</td><td>" + esc(reading) +
        (c.why ? '<br><strong>Why they differ:</strong> ' + esc(c.why) : "") + "</td></tr>";
    }).join("");
    $("claims-table").innerHTML = '<table class="sources"><thead><tr><th>Published figure</th>' +
      '<th class="num">theirs</th><th class="num">gapcast</th><th>definition used / why</th></tr></thead><tbody>' +
      body + "</tbody></table>";
  }

  async function load() {
    try {
      const response = await fetch("/api/claims");
      const report = await response.json();
      if (!response.ok) throw new Error(report && report.message ? report.message : response.statusText);
      if (!report.claims.length) {
        $("claims-chart").innerHTML = '<p class="notice">' + esc(report.notes.join(" ")) + "</p>";
        $("claims-note").textContent = "No claims in the store.";
        return;
      }
      $("claims-note").textContent = "gapcast's forecasts start from the data end (" + report.as_of +
        "); " + report.draws.toLocaleString("en-US") + " draws, seed " + report.seed + ". " + report.notes.join(" ");
      renderChart(report);
      renderTable(report);
    } catch (err) {
      $("claims-chart").innerHTML = '<p class="notice error">' + esc(err.message) + "</p>";
    } finally {
      $("claims").setAttribute("aria-busy", "false");
    }
  }

  function start() {
    const section = $("claims");
    if (!section) return;
    if (!("IntersectionObserver" in window)) { load(); return; }
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); load(); }
    });
    seen.observe(section);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
