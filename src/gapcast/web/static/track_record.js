/* gapcast dashboard: the nested, out-of-sample track record (GET /api/track-record).
   Renders into #track-record-body inside the track-record section and the first screen's
   #a-record card; no other element touched. */
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

  const HORIZONS = [1, 3, 6, 12];
  const NAMES = { structural: "structural model (the headline)", trend: "trend model (baseline)" };

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

  function gapRow(doc, metric, model, h) {
    return doc.scores.find((r) => r.metric === metric && r.target === "gap" && r.model === model && r.horizon === h);
  }

  /* A model's event-check row for a strict lead: 12 months, else its longest horizon. */
  function strictRow(doc, model) {
    const rows = (doc.event_check || []).filter((r) => r.model === model && r.event === "strict");
    return rows.find((x) => x.horizon === 12) || rows[rows.length - 1];
  }

  /* The event check: what each model said about "China ahead within h months" at past origins,
     against what happened. */
  function eventSentence(doc, model) {
    const r = strictRow(doc, model);
    if (!r) return "";
    const other = (doc.event_check || []).find((x) => x.model === "trend" && x.event === r.event && x.horizon === r.horizon);
    return "From " + r.origins + " month ends (" + r.first_origin.slice(0, 7) + " to " + r.last_origin.slice(0, 7) +
      ") it gave China on average " + pct(r.mean_p) + " to lead in some month within " + r.horizon + " months; " +
      (r.observed_rate === 0 ? "it never did" : "it did in " + pct(r.observed_rate) + " of them") +
      " (the model gave that outcome " + pct(r.p_of_outcome) + " over " + r.disjoint_windows + " non-overlapping windows" +
      (other ? "; the trend model gave " + pct(other.mean_p) : "") + ").";
  }

  function eventTable(doc) {
    const rows = doc.event_check || [];
    if (!rows.length) return "";
    const body = rows.map((r) => "<tr><td>" + esc(NAMES[r.model] || r.model) + "</td><td>" + esc(r.event) + "</td>" +
      '<td class="num">' + r.horizon + '</td><td class="num">' + r.origins + '</td><td class="num">' + pct(r.mean_p) +
      '</td><td class="num">' + pct(r.observed_rate) + '</td><td class="num">' + r.brier.toFixed(3) +
      '</td><td class="num">' + pct(r.p_of_outcome) + "</td></tr>").join("");
    return '<table class="sources"><caption class="muted small" style="text-align:left">' +
      "China ahead within h months, predicted at past month ends vs what happened. strict: ahead in some month; " +
      "sustained: ahead by 2+ ECI points for 3 months in a row. Last column: the probability the model gave to what " +
      "happened, over non-overlapping windows (small = the outcome surprised it).</caption>" +
      '<thead><tr><th scope="col">Model</th><th scope="col">Event</th><th scope="col" class="num">h</th>' +
      '<th scope="col" class="num">Origins</th><th scope="col" class="num">Mean P</th><th scope="col" class="num">Happened</th>' +
      '<th scope="col" class="num">Brier</th><th scope="col" class="num">P(outcome)</th></tr></thead><tbody>' +
      body + "</tbody></table>";
  }

  function render(doc) {
    const metrics = [doc.tuning_metric].concat(doc.held_out || []);
    const rows = [];
    metrics.forEach((m) => {
      [doc.model, "trend"].filter((x, i, a) => a.indexOf(x) === i).forEach((model) => {
        if (!HORIZONS.some((h) => gapRow(doc, m, model, h))) return;
        const label = m + (m === doc.tuning_metric ? " (tuning metric)" : " (held out)") + " · " + (NAMES[model] || model);
        rows.push("<tr><td>" + esc(label) + "</td>" + HORIZONS.map((h) => cell(gapRow(doc, m, model, h))).join("") + "</tr>");
      });
    });
    const when = (doc.settings && doc.settings.version ? "gapcast " + doc.settings.version + ", " : "") +
      "data " + (doc.settings ? doc.settings.data_hash : "");
    const failed = (doc.targets || []).filter((t) => t.met === false).map((t) => t.target);
    const events = eventSentence(doc, doc.model);
    return '<div class="scroll-x"><table class="sources"><caption class="muted small" style="text-align:left">' +
      esc("Gap forecasts. Each cell: CRPS skill against the strongest baseline [90% interval] · 80% / 50% interval coverage (" + when + ").") +
      "</caption><thead><tr><th scope=\"col\">Metric · model</th>" +
      HORIZONS.map((h) => '<th scope="col" class="num">' + h + " months</th>").join("") +
      "</tr></thead><tbody>" + rows.join("") + "</tbody></table></div>" +
      (failed.length ? '<p class="small">Where the ' + esc(NAMES[doc.model] || doc.model) + " fails: " + esc(failed.join("; ")) + ".</p>" : "") +
      (events ? '<p class="small">' + esc("The " + (NAMES[doc.model] || doc.model) + ": " + events) + "</p>" : "") +
      '<div class="scroll-x">' + eventTable(doc) + "</div>" +
      '<p class="muted small">Calibrated values (' + esc(doc.calibrated.what) + ") were chosen on " +
      esc(doc.calibrated.on) + ". Validated horizons reach 12 months; 36 and 60 months are checked only on simulated histories (<code>gapcast backtest --long</code>).</p>";
  }

  /* The first screen's card: the headline model's longest scored horizon and its event check. */
  function renderCard(doc) {
    const el = document.getElementById("a-record");
    if (!el) return;
    if (!doc) {
      el.innerHTML = '<h3>Track record</h3><p class="note">No out-of-sample track record is stored: run <code>gapcast backtest</code>.</p>';
      return;
    }
    const rows = HORIZONS.map((h) => gapRow(doc, doc.tuning_metric, doc.model, h)).filter(Boolean);
    const r = rows[rows.length - 1];
    if (!r) {
      el.innerHTML = '<h3>Track record</h3><p class="note">No scored forecasts of the ' + esc(doc.model) + " model.</p>";
      return;
    }
    const lo = r.skill_ci90[0], hi = r.skill_ci90[1];
    const events = eventSentence(doc, doc.model);
    const who = doc.model === "structural" ? "Structural model" : "The " + doc.model + " model";
    const worst = strictRow(doc, doc.model);
    const surprised = worst && worst.p_of_outcome < 0.1;
    el.innerHTML = "<h3>Track record</h3>" +
      '<p id="record-skill"><strong>' + signed(r.skill) + "</strong> skill vs " + esc(r.baseline || "baseline") +
      (lo === null ? "" : ' <span class="note extra">[' + signed(lo) + ", " + signed(hi) + "]</span>") + "</p>" +
      (surprised ? '<p class="note" id="record-warning" style="color:#b71c1c">' + esc("Ran high on China: " + pct(worst.mean_p) +
        " on average for a lead within " + worst.horizon + " months that " + (worst.observed_rate === 0 ? "never came" : "came " + pct(worst.observed_rate) + " of the time") +
        " (" + pct(worst.p_of_outcome) + " chance under it).") + "</p>" : "") +
      '<p class="note' + (surprised ? " extra" : "") + '">' + esc(who) + ", " + r.horizon + (r.horizon === 1 ? " month" : " months") +
      " ahead: 80% interval covered " + pct(r.coverage["80"].rate) + " of " + r.n +
      '<span class="extra"> past forecasts on ' + esc(doc.tuning_metric.toUpperCase()) + " (n_eff " +
      r.coverage["80"].n_eff.toFixed(1) + ")</span>.</p>" +
      (events ? '<p class="note extra">' + esc(events) + "</p>" : "");
  }

  async function load() {
    const body = document.getElementById("track-record-body");
    if (!body) return;
    try {
      const res = await fetch("/api/track-record");
      const doc = await res.json();
      if (!res.ok || !doc.stored) {
        renderCard(null);
        body.innerHTML = '<p class="muted">' + esc(doc.message || "No track record is stored.") +
          (doc.hint ? " — " + esc(doc.hint) : "") + "</p>";
        return;
      }
      body.innerHTML = render(doc);
      renderCard(doc);
    } catch (err) {
      body.innerHTML = '<p class="error">The track record could not be loaded: ' + esc(err.message) + "</p>";
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
