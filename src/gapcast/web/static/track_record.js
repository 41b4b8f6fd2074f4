/* gapcast dashboard: the nested, out-of-sample track record (GET /api/track-record).
   Renders into #track-record-body inside the track-record section; no other element touched. */
(function () {
  "use strict";

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function signed(x) {
    return x === null || x === undefined ? "–" : (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(2);
  }
  function pct(x) {
    return x === null || x === undefined ? "–" : Math.round(100 * x) + "%";
  }

  const MODEL = "trend";
  const HORIZONS = [1, 3, 6, 12];

  function cell(row) {
    if (!row) return '<td class="num">–</td>';
    const c80 = row.coverage["80"], c50 = row.coverage["50"];
    const lo = row.skill_ci90[0], hi = row.skill_ci90[1];
    const ci = lo === null ? " (too few origins for an interval)" : " [" + signed(lo) + ", " + signed(hi) + "]";
    const badSkill = hi !== null && hi < 0;
    const badCov = c80.rate !== null && (c80.rate < 0.7 || c80.rate > 0.9);
    const title = "vs " + (row.baseline || "–") + "; 80% interval covered " + pct(c80.rate) + " of " + c80.n +
      " (n_eff " + c80.n_eff.toFixed(1) + "); 50% interval " + pct(c50.rate) + "; PIT test p = " +
      (row.pit_p === null ? "–" : row.pit_p.toFixed(3));
    return '<td class="num" title="' + esc(title) + '">' +
      '<span style="' + (badSkill ? "color:#b71c1c" : "") + '">' + signed(row.skill) + esc(ci) + "</span><br>" +
      '<span style="' + (badCov ? "color:#b71c1c" : "") + '">' + pct(c80.rate) + " / " + pct(c50.rate) +
      " (n_eff " + c80.n_eff.toFixed(1) + ")</span></td>";
  }

  function render(doc) {
    const metrics = [doc.tuning_metric].concat(doc.held_out || []);
    const rows = metrics.map((m) => {
      const find = (h) => doc.scores.find((r) => r.metric === m && r.target === "gap" && r.model === MODEL && r.horizon === h);
      const label = m + (m === doc.tuning_metric ? " (tuning metric)" : " (held out)");
      return "<tr><td>" + esc(label) + "</td>" + HORIZONS.map((h) => cell(find(h))).join("") + "</tr>";
    });
    const when = (doc.settings && doc.settings.version ? "gapcast " + doc.settings.version + ", " : "") +
      "data " + (doc.settings ? doc.settings.data_hash : "");
    const failed = (doc.targets || []).filter((t) => t.met === false).map((t) => t.target);
    return '<table class="sources"><caption class="muted small" style="text-align:left">' +
      esc("Gap forecasts of the " + MODEL + " model. Each cell: CRPS skill [90% interval] · 80% / 50% interval coverage (" + when + ").") +
      "</caption><thead><tr><th scope=\"col\">Metric</th>" +
      HORIZONS.map((h) => '<th scope="col" class="num">' + h + " months</th>").join("") +
      "</tr></thead><tbody>" + rows.join("") + "</tbody></table>" +
      (failed.length ? '<p class="small">Where it fails: ' + esc(failed.join("; ")) + ".</p>" : "") +
      '<p class="muted small">Calibrated values (' + esc(doc.calibrated.what) + ") were chosen on " +
      esc(doc.calibrated.on) + ". Validated horizons reach 12 months; 36 and 60 months are checked only on simulated histories (<code>gapcast backtest --long</code>).</p>";
  }

  async function load() {
    const body = document.getElementById("track-record-body");
    if (!body) return;
    try {
      const res = await fetch("/api/track-record");
      const doc = await res.json();
      if (!res.ok || !doc.stored) {
        body.innerHTML = '<p class="muted">' + esc(doc.message || "No track record is stored.") +
          (doc.hint ? " — " + esc(doc.hint) : "") + "</p>";
        return;
      }
      body.innerHTML = render(doc);
    } catch (err) {
      body.innerHTML = '<p class="error">The track record could not be loaded: ' + esc(err.message) + "</p>";
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
