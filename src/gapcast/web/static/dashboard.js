/* gapcast dashboard: every view is drawn from its /api JSON twin; nothing is computed here.
 * Colours: Okabe-Ito (colour-blind safe). Plotly is served by the same server (offline). */
"use strict";

(function () {
  const COLORS = {
    leader: "#0072B2", challenger: "#D55E00", gap: "#999999", green: "#009E73",
    orange: "#E69F00", sky: "#56B4E9", purple: "#CC79A7",
  };
  const ALPHA = { leader: "0,114,178", challenger: "213,94,0", gap: "153,153,153" };
  const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 };
  const HORIZONS = [["12", "1 year"], ["36", "3 years"], ["60", "5 years"]];
  const MODEL_NAMES = { structural: "structural model", trend: "trend model (baseline)", ensemble: "ensemble", compute: "compute model" };

  /* The assumptions with sliders: scenario field paths (gapcast.scenario.files). */
  const SLIDERS = [
    { key: "challenger-serving", path: "groups.challenger.serving.share", role: "challenger",
      label: "serving share of compute", min: 0, max: 0.95, step: 0.01, fmt: (v) => pct(v, 0) },
    { key: "leader-serving", path: "groups.leader.serving.share", role: "leader",
      label: "serving share of compute", min: 0, max: 0.95, step: 0.01, fmt: (v) => pct(v, 0) },
    { key: "challenger-growth", path: "groups.challenger.compute.growth", role: "challenger",
      label: "compute growth per year", min: 1, max: 5, step: 0.05, fmt: (v) => num(v, 2) + "×" },
    { key: "leader-growth", path: "groups.leader.compute.growth", role: "leader",
      label: "compute growth per year", min: 1, max: 5, step: 0.05, fmt: (v) => num(v, 2) + "×" },
    { key: "diffusion", path: "world.diffusion_lag_months", role: null,
      label: "Open-weight diffusion lag (months behind the best methods, at most)",
      min: 1, max: 24, step: 0.5, fmt: (v) => num(v, 1) + " mo" },
  ];

  const state = {
    health: null, scenario: null, params: {}, touched: new Set(), asOf: null,
    seq: 0, controller: null, timer: null, forecast: null, groups: null,
  };

  const $ = (id) => document.getElementById(id);

  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return "n/a";
    return Number(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function pct(p, digits) {
    if (p === null || p === undefined || !isFinite(p)) return "n/a";
    return num(100 * p, digits === undefined ? 0 : digits) + "%";
  }
  function esc(text) {
    const div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }
  function range(ci, digits) {
    if (!ci || ci[0] === null || ci[1] === null) return "";
    return "[" + num(ci[0], digits) + ", " + num(ci[1], digits) + "]";
  }
  function monthLabel(iso, k) {
    const [y, m] = iso.split("-").map(Number);
    const total = y * 12 + (m - 1) + k;
    return Math.floor(total / 12) + "-" + String((total % 12) + 1).padStart(2, "0");
  }

  async function getJSON(url, options) {
    let response = await fetch(url, options);
    // Heavy analyses answer 202 with a background job: poll it, then fetch its result.
    for (let wait = 250; response.status === 202; wait = Math.min(wait * 2, 4000)) {
      const job = await response.json();
      await new Promise((resolve) => setTimeout(resolve, wait));
      const status = await (await fetch(job.status_url)).json();
      response = status.status === "done" || status.status === "failed"
        ? await fetch(job.result_url) : new Response(JSON.stringify(status), { status: 202 });
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const err = new Error(body && body.message ? body.message : response.statusText);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  function notice(id, text, isError) {
    const el = $(id);
    if (window.Plotly && el.classList.contains("js-plotly-plot")) Plotly.purge(el);
    el.innerHTML = '<p class="notice' + (isError ? " error" : "") + '">' + esc(text) + "</p>";
  }

  function layout(extra) {
    return Object.assign({
      font: FONT, margin: { l: 56, r: 16, t: 28, b: 40 }, hovermode: "x unified",
      legend: { orientation: "h", y: 1.12, x: 0, traceorder: "normal" }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      xaxis: { gridcolor: "#eceff1" }, yaxis: { gridcolor: "#eceff1", zerolinecolor: "#c5cbd0" },
    }, extra || {});
  }

  /* ---- the gap ------------------------------------------------------------------- */

  function gapUrl() {
    const groups = $("groups").value;
    const params = new URLSearchParams({ metric: $("metric").value, group_by: groups });
    return "/api/gap?" + params.toString();
  }

  async function loadGap() {
    const url = gapUrl();
    $("gap-twin").href = url;
    $("lag-twin").href = url;
    $("gap-cards").setAttribute("aria-busy", "true");
    try {
      const gap = await getJSON(url);
      if (url !== gapUrl()) return;
      renderGapCards(gap);
      renderFrontier(gap);
      renderLag(gap);
    } catch (err) {
      $("gap-cards").innerHTML = '<p class="error">The gap could not be measured: ' + esc(err.message) + "</p>";
      notice("frontier-chart", "No chart: " + err.message, true);
      notice("lag-chart", "No chart: " + err.message, true);
    } finally {
      $("gap-cards").setAttribute("aria-busy", "false");
    }
  }

  function renderGapCards(gap) {
    const d = Math.abs(gap.leader.score || 0) < 10 ? 3 : 1;
    const side = (s, role) =>
      '<div class="card"><h3><span class="swatch" style="background:' + COLORS[role] + '"></span>' +
      esc(s.group) + " frontier</h3><div class=\"big " + role + "\">" + num(s.score, d) +
      '</div><div class="small">' + esc(s.model || "n/a") + " · " + esc(s.date || "") +
      (s.score_ci && s.score_ci[0] !== null ? " · 95% " + range(s.score_ci, d) : "") + "</div></div>";
    const lagPrefix = gap.lag_censored ? "≥ " : "";
    const trend = gap.trend || {};
    const slope = trend.slope_per_year;
    const unclear = trend.ci && trend.ci[0] !== null && trend.ci[0] <= 0 && trend.ci[1] >= 0;
    const trendText = slope === null || slope === undefined ? "n/a"
      : (slope > 0 ? "+" : "") + num(slope, d) + " / year";
    const trendNote = slope === null || slope === undefined ? ""
      : (unclear ? "; the interval includes 0 (no clear trend)" : slope < 0 ? "; narrowing" : "; widening");
    $("gap-cards").innerHTML =
      side(gap.leader, "leader") + side(gap.challenger, "challenger") +
      '<div class="card"><h3>Gap</h3><div class="big">' + num(gap.gap_points, d) +
      '</div><div class="small">' + esc(gap.unit) + " · 95% " + range(gap.gap_points_ci, d) +
      "</div></div>" +
      '<div class="card"><h3>Lag</h3><div class="big">' + lagPrefix + num(gap.lag_months, 1) +
      ' mo</div><div class="small">95% ' + range(gap.lag_months_ci, 1) + " months</div></div>" +
      '<div class="card"><h3>Gap trend, past 12 months</h3><div class="big">' + esc(trendText) +
      '</div><div class="small">95% ' + range(trend.ci, d) + esc(trendNote) + "</div></div>" +
      '<p class="muted small" style="flex-basis:100%;margin:0">' + esc(gap.title) + ", as of " +
      esc(gap.as_of) + ". " + esc(gap.credit) + ".</p>";
  }

  function renderFrontier(gap) {
    const rows = gap.series.filter((r) => r.leader !== null || r.challenger !== null);
    const x = rows.map((r) => r.date);
    const lead = rows.map((r) => r.leader);
    const chal = rows.map((r) => r.challenger);
    const traces = [
      { x: x, y: chal, mode: "lines", line: { width: 0, shape: "hv" }, hoverinfo: "skip", showlegend: false },
      { x: x, y: lead, mode: "lines", line: { width: 0, shape: "hv" }, fill: "tonexty",
        fillcolor: "rgba(" + ALPHA.gap + ",0.28)", name: "gap", hoverinfo: "skip" },
      { x: x, y: lead, mode: "lines", name: gap.leader.group, line: { color: COLORS.leader, width: 2.5, shape: "hv" },
        customdata: rows.map((r) => r.leader_model || ""), hovertemplate: "%{y:.1f} %{customdata}<extra>" + esc(gap.leader.group) + "</extra>" },
      { x: x, y: chal, mode: "lines", name: gap.challenger.group, line: { color: COLORS.challenger, width: 2.5, shape: "hv", dash: "solid" },
        customdata: rows.map((r) => r.challenger_model || ""), hovertemplate: "%{y:.1f} %{customdata}<extra>" + esc(gap.challenger.group) + "</extra>" },
    ];
    Plotly.react("frontier-chart", traces, layout({ yaxis: { title: { text: gap.unit }, gridcolor: "#eceff1" } }), CONFIG);
  }

  function renderLag(gap) {
    const rows = gap.series.filter((r) => r.lag_months !== null);
    const x = rows.map((r) => r.date);
    const lo = rows.map((r) => r.lag_months_ci[0]);
    const hi = rows.map((r) => r.lag_months_ci[1]);
    const censored = rows.filter((r) => r.lag_censored);
    const traces = [
      { x: x, y: hi, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { x: x, y: lo, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(" + ALPHA.challenger + ",0.18)",
        name: "95% band", hoverinfo: "skip" },
      { x: x, y: rows.map((r) => r.lag_months), mode: "lines", name: "lag (months)",
        line: { color: COLORS.challenger, width: 2.5 }, hovertemplate: "%{y:.1f} months<extra></extra>" },
      { x: censored.map((r) => r.date), y: censored.map((r) => r.lag_months), mode: "markers",
        name: "lower bound", marker: { symbol: "circle-open", size: 8, color: COLORS.challenger } },
    ];
    Plotly.react("lag-chart", traces, layout({ yaxis: { title: { text: "months" }, rangemode: "tozero", gridcolor: "#eceff1" } }), CONFIG);
  }

  /* ---- scenarios and sliders ----------------------------------------------------- */

  async function loadScenarios() {
    const list = await getJSON("/api/scenarios");
    const select = $("scenario");
    select.innerHTML = list.map((s) => '<option value="' + esc(s.name) + '">' + esc(s.name) +
      (s.title ? " · " + esc(s.title) : "") + "</option>").join("");
    select.value = list.some((s) => s.name === "baseline") ? "baseline" : list[0].name;
  }

  async function loadScenario() {
    const name = $("scenario").value;
    const sc = await getJSON("/api/scenarios/" + encodeURIComponent(name));
    state.scenario = sc;
    state.params = {};
    sc.parameters.forEach((p) => { state.params[p.path] = p; });
    state.touched.clear();
    $("scenario-desc").textContent = sc.description;
    buildSliders(sc);
    buildWhatIf(sc);
  }

  function buildSliders(sc) {
    const box = $("sliders");
    box.innerHTML = "";
    SLIDERS.forEach((s) => {
      const p = state.params[s.path];
      if (!p) return;
      const who = s.role ? sc.groups[s.role] + ": " : "";
      const value = Math.min(s.max, Math.max(s.min, p.median));
      const prior = p.dist === "fixed" ? "scenario: " + s.fmt(p.median)
        : "scenario: " + p.dist + ", median " + s.fmt(p.median) + ", 90% " + s.fmt(p.lo90) + "–" + s.fmt(p.hi90);
      const div = document.createElement("div");
      div.className = "slider";
      div.id = "box-" + s.key;
      div.innerHTML =
        '<label for="s-' + s.key + '">' + esc(who + s.label) + "</label>" +
        '<div class="range-row"><input type="range" id="s-' + s.key + '" name="' + s.key + '" min="' + s.min +
        '" max="' + s.max + '" step="' + s.step + '" value="' + value + '" aria-describedby="prior-' + s.key + '">' +
        '<output id="o-' + s.key + '" for="s-' + s.key + '">' + esc(s.fmt(value)) + "</output></div>" +
        '<span class="prior" id="prior-' + s.key + '">' + esc(prior) + "</span>";
      box.appendChild(div);
      const input = div.querySelector("input");
      input.setAttribute("aria-valuetext", s.fmt(value));
      input.addEventListener("input", () => {
        state.touched.add(s.key);
        div.classList.add("touched");
        const v = Number(input.value);
        $("o-" + s.key).textContent = s.fmt(v);
        input.setAttribute("aria-valuetext", s.fmt(v));
        schedule(400);
      });
      input.addEventListener("change", () => schedule(150));
    });
    const shockGroup = $("shock-group");
    shockGroup.innerHTML = '<option value="challenger">' + esc(sc.groups.challenger) + "</option>" +
      '<option value="leader">' + esc(sc.groups.leader) + "</option>";
    $("shock-size").value = "1";
    updateShockLabels();
  }

  function updateShockLabels() {
    const size = Number($("shock-size").value);
    $("shock-size-out").textContent = size <= 1 ? "none" : "×" + num(size, 1);
    $("shock-size").setAttribute("aria-valuetext", size <= 1 ? "no shock" : "multiplied by " + num(size, 1));
    const label = state.asOf ? monthLabel(state.asOf, Number($("shock-date").value)) : "";
    $("shock-date-out").textContent = label;
    $("shock-date").setAttribute("aria-valuetext", label || $("shock-date").value + " months ahead");
  }

  function stripNulls(value) {
    if (Array.isArray(value)) return value.map(stripNulls);
    if (value && typeof value === "object") {
      const out = {};
      Object.keys(value).forEach((k) => { if (value[k] !== null) out[k] = stripNulls(value[k]); });
      return out;
    }
    return value;
  }

  function overrides() {
    const out = {};
    SLIDERS.forEach((s) => {
      if (state.touched.has(s.key) && $("s-" + s.key)) out[s.path] = Number($("s-" + s.key).value);
    });
    const size = Number($("shock-size").value);
    if (size > 1 && state.asOf) {
      const shocks = (state.scenario.shocks || []).map(stripNulls);
      shocks.push({
        group: $("shock-group").value,
        date: monthLabel(state.asOf, Number($("shock-date").value)),
        factor: { value: size, source: "dashboard: compute shock" },
        note: "dashboard shock",
      });
      out.shocks = shocks;
    }
    return out;
  }

  /* ---- the forecast -------------------------------------------------------------- */

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(runForecast, delay);
  }

  function forecastBody() {
    // mc_error: a quick answer within 1 percentage point first (provisional), then the full one.
    return { scenario: $("scenario").value, model: $("model").value, draws: Number($("draws").value), overrides: overrides(), mc_error: 0.01 };
  }

  function twinUrl(body) {
    const params = new URLSearchParams({ scenario: body.scenario, model: body.model, draws: String(body.draws) });
    Object.keys(body.overrides).forEach((k) => params.append("set", k + "=" + JSON.stringify(body.overrides[k])));
    return "/api/forecast?" + params.toString();
  }

  async function runForecast() {
    const body = forecastBody();
    const seq = ++state.seq;
    if (state.controller) state.controller.abort();
    state.controller = new AbortController();
    $("forecast-status").textContent = "Running " + num(body.draws, 0) + " draws per model…";
    $("forecast-twin").href = twinUrl(body);
    $("decomposition-twin").href = twinUrl(body);
    try {
      const result = await getJSON("/api/forecast", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body), signal: state.controller.signal,
      });
      if (seq !== state.seq) return;
      state.forecast = result;
      if (!state.asOf) { state.asOf = result.as_of; updateShockLabels(); }
      renderHeadline(result);
      renderFan(result);
      renderProbability(result);
      renderDecomposition(result);
      $("forecast-status").textContent = (result.provisional ? "Provisional (refining): " : "Updated: ") +
        result.scenario + " · " + num(result.draws, 0) +
        " draws per model · seed " + result.seed + " · scenario " + result.scenario_hash + ".";
      if (result.provisional) schedule(1500);  // the full answer replaces it when ready
    } catch (err) {
      if (err.name === "AbortError" || seq !== state.seq) return;
      $("forecast-status").textContent = "";
      $("headline").innerHTML = '<p class="error">The forecast failed: ' + esc(err.message) + "</p>";
    }
  }

  function renderHeadline(f) {
    const c = f.groups.challenger;
    const probs = HORIZONS.filter(([k]) => k in f.p_ahead_within).map(([k, label]) =>
      '<div class="prob" id="p-within-' + k + '">' + pct(f.p_ahead_within[k], 1) +
      "<small>within " + label + " (±" + num(100 * f.p_ahead_within_se[k], 1) + ")</small></div>").join("");
    const crossing = f.median_crossing ? "Median crossing: " + esc(f.median_crossing.date.slice(0, 7)) + "."
      : "No median crossing within " + f.horizon_months + " months (P stays below 50%).";
    const q = f.gap_quantiles["60"] || f.gap_quantiles[String(f.horizon_months)];
    const gapText = q ? " Gap in 5 years: " + num(q.q50, 1) + " points (90% " + num(q.q05, 1) + " to " + num(q.q95, 1) + ")." : "";
    $("headline").innerHTML =
      '<div>Probability that the best model of <strong class="challenger">' + esc(c) + "</strong> (challenger) " +
      'is ahead of the best model of <strong class="leader">' + esc(f.groups.leader) + "</strong> (leader) at some point · " +
      esc(MODEL_NAMES[f.model]) + "</div>" +
      '<div class="probs">' + probs + "</div>" +
      '<div class="small muted">' + crossing + gapText + " As of " + esc(f.as_of) + ".</div>";
  }

  function band(x, upper, lower, rgb, alpha, name, show) {
    return [
      { x: x, y: upper, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      { x: x, y: lower, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(" + rgb + "," + alpha + ")",
        hoverinfo: "skip", name: name, showlegend: show },
    ];
  }

  function renderFan(f) {
    const m = f.models[f.model];
    const x = f.months;
    let traces = [];
    ["leader", "challenger"].forEach((role) => {
      const fan = m.fan[role];
      const col = (i) => fan.map((row) => row[i]);
      const h = f.history[role];
      traces = traces.concat(band(x, col(4), col(0), ALPHA[role], 0.12, "90% band", false));
      traces = traces.concat(band(x, col(3), col(1), ALPHA[role], 0.26, "50% band", false));
      traces.push({ x: h.dates, y: h.values, mode: "lines", name: h.label + " (measured)",
        line: { color: COLORS[role], width: 2.5, shape: "hv" }, hovertemplate: "%{y:.1f}<extra>" + esc(h.label) + "</extra>" });
      traces.push({ x: x, y: col(2), mode: "lines", name: h.label + " (median forecast)",
        line: { color: COLORS[role], width: 2, dash: "dash" }, hovertemplate: "%{y:.1f}<extra>" + esc(h.label) + " median</extra>" });
    });
    Plotly.react("fan-chart", traces, layout({ yaxis: { title: { text: "ECI" }, gridcolor: "#eceff1" } }), CONFIG);
  }

  function renderProbability(f) {
    const x = f.months;
    const traces = [];
    const names = Object.keys(f.models);
    names.filter((n) => n !== f.model).forEach((n, i) => {
      traces.push({ x: x, y: f.models[n].p_ahead_by.map((p) => 100 * p), mode: "lines", name: MODEL_NAMES[n] + " (by month)",
        line: { color: i === 0 ? COLORS.sky : COLORS.purple, width: 1.5, dash: "dash" }, hovertemplate: "%{y:.1f}%<extra>" + n + "</extra>" });
    });
    const m = f.models[f.model];
    traces.push({ x: x, y: m.p_ahead_at.map((p) => 100 * p), mode: "lines", name: "at that month",
      line: { color: COLORS.challenger, width: 1.5, dash: "dot" }, hovertemplate: "%{y:.1f}%<extra>at month</extra>" });
    traces.push({ x: x, y: m.p_ahead_by.map((p) => 100 * p), mode: "lines", name: MODEL_NAMES[f.model] + " (by month)",
      line: { color: COLORS.challenger, width: 3 }, hovertemplate: "%{y:.1f}%<extra>" + f.model + "</extra>" });
    Plotly.react("p-chart", traces, layout({ yaxis: { title: { text: "P(" + f.groups.challenger + " ahead), %" }, range: [0, 100], gridcolor: "#eceff1" } }), CONFIG);
  }

  function renderDecomposition(f) {
    const d = f.decomposition;
    if (!d || !d.parts) { notice("decomposition-chart", "The structural model has no decomposition of today's gap."); return; }
    const labels = { compute: "compute", algorithms: "algorithms", group_term: "persistent offset", residual: "unexplained" };
    const keys = Object.keys(labels).filter((k) => k in d.parts);
    const med = keys.map((k) => d.parts[k].median);
    const trace = {
      type: "bar", orientation: "h", y: keys.map((k) => labels[k]), x: med,
      marker: { color: med.map((v) => (v >= 0 ? COLORS.leader : COLORS.challenger)) },
      error_x: { type: "data", symmetric: false, array: keys.map((k) => d.parts[k].q95 - d.parts[k].median),
        arrayminus: keys.map((k) => d.parts[k].median - d.parts[k].q05), color: "#444" },
      hovertemplate: "%{x:.1f} points<extra></extra>", name: "ECI points",
    };
    Plotly.react("decomposition-chart", [trace], layout({
      hovermode: "closest", margin: { l: 120, r: 16, t: 28, b: 40 },
      title: { text: "measured gap " + num(d.measured_gap, 1) + " ECI points", font: { size: 13 }, x: 0 },
      xaxis: { title: { text: "ECI points (leader's advantage > 0)" }, zeroline: true, zerolinecolor: "#888", gridcolor: "#eceff1" },
      yaxis: { autorange: "reversed" },
    }), CONFIG);
  }

  /* ---- scenarios side by side ----------------------------------------------------- */

  async function loadCompare() {
    const url = "/api/compare?model=" + encodeURIComponent($("model").value) + "&draws=" + encodeURIComponent($("draws").value);
    $("compare-twin").href = url;
    try {
      const c = await getJSON(url);
      const names = c.rows.map((r) => r.scenario);
      const current = $("scenario").value;
      const colors = [COLORS.sky, COLORS.orange, COLORS.challenger];
      const traces = HORIZONS.map(([k, label], i) => ({
        type: "bar", x: names, y: c.rows.map((r) => 100 * r["p" + k]), name: "within " + label,
        marker: { color: colors[i], line: { color: names.map((n) => n === current ? "#222" : "rgba(0,0,0,0)"), width: 2 } },
        error_y: { type: "data", array: c.rows.map((r) => 100 * 1.96 * r["se" + k]), color: "#555" },
        hovertemplate: "%{x}<br>within " + label + ": %{y:.1f}%<extra></extra>",
      }));
      Plotly.react("compare-chart", traces, layout({ barmode: "group", hovermode: "closest",
        margin: { l: 56, r: 16, t: 28, b: 96 }, yaxis: { title: { text: "P(" + (state.scenario ? state.scenario.groups.challenger : "challenger") + " ahead), %" }, rangemode: "tozero", gridcolor: "#eceff1" },
        xaxis: { tickangle: -25 } }), CONFIG);
    } catch (err) {
      notice("compare-chart", "The scenario comparison could not be loaded: " + err.message, true);
    }
  }

  /* ---- what would it take --------------------------------------------------------- */

  function buildWhatIf(sc) {
    $("wi-vary").innerHTML = SLIDERS.filter((s) => state.params[s.path] && state.params[s.path].dist !== "fixed")
      .map((s) => '<option value="' + esc(s.path) + '">' + esc((s.role ? sc.groups[s.role] + ": " : "") + s.label) + "</option>")
      .join("");
  }

  async function solveWhatIf() {
    const target = Number($("wi-target").value);
    if (!(target >= 1 && target <= 99)) {
      $("wi-answer").innerHTML = '<span class="error">The target must be between 1% and 99%.</span>';
      return;
    }
    const params = new URLSearchParams({
      scenario: $("scenario").value, model: $("model").value, vary: $("wi-vary").value,
      target: String(target / 100), within: $("wi-within").value,
    });
    const url = "/api/whatif?" + params.toString();
    $("whatif-twin").href = url;
    $("wi-answer").textContent = "Solving…";
    $("wi-solve").disabled = true;
    try {
      const w = await getJSON(url);
      $("wi-answer").textContent = w.message;
      const xs = w.grid.map((g) => g.value);
      const traces = [
        { type: "scatter", mode: "lines+markers", x: xs, y: w.grid.map((g) => 100 * g.p), name: "P(ahead) tried", line: { color: COLORS.challenger } },
        { type: "scatter", mode: "lines", x: [xs[0], xs[xs.length - 1]], y: [100 * w.target, 100 * w.target], name: "target", line: { color: "#555", dash: "dash" } },
      ];
      if (w.reached) {
        traces.push({ type: "scatter", mode: "markers", x: [w.value], y: [100 * w.p_at_value], name: "answer", marker: { color: COLORS.leader, size: 11, symbol: "diamond" } });
      }
      Plotly.react("whatif-chart", traces, layout({ hovermode: "closest", xaxis: { title: { text: w.path }, gridcolor: "#eceff1" },
        yaxis: { title: { text: "P(ahead within " + w.within + " months), %" }, rangemode: "tozero", gridcolor: "#eceff1" } }), CONFIG);
    } catch (err) {
      $("wi-answer").innerHTML = '<span class="error">' + esc(err.message) + "</span>";
    } finally {
      $("wi-solve").disabled = false;
    }
  }

  /* ---- track record ---------------------------------------------------------------- */

  async function loadBacktest() {
    const url = "/api/backtest?metric=" + encodeURIComponent($("bt-metric").value);
    $("backtest-twin").href = url;
    $("backtest-body").innerHTML = '<p class="loading">Running the backtest…</p>';
    try {
      const b = await getJSON(url);
      const models = ["ensemble", "trend", "compute", "persistence", "linear"];
      const names = Object.assign({}, MODEL_NAMES, { persistence: "persistence", linear: "linear extrapolation" });
      const cell = (m, h) => {
        const s = b.scores.find((r) => r.model === m && r.horizon === h);
        if (!s) return "<td></td>";
        const skill = m === "persistence" ? "–" : (s.skill >= 0 ? "+" : "−") + num(Math.abs(s.skill), 2);
        return '<td class="num">' + skill + " · " + pct(s.coverage80, 0) + "</td>";
      };
      $("backtest-body").innerHTML = '<table class="sources"><caption class="muted small" style="text-align:left">' +
        esc(b.origins.length + " origins, " + b.origins[0] + " to " + b.origins[b.origins.length - 1]) + "</caption>" +
        '<thead><tr><th scope="col">Model</th>' + b.horizons.map((h) => '<th scope="col" class="num">' + h + " months</th>").join("") +
        "</tr></thead><tbody>" + models.map((m) => "<tr><td>" + esc(names[m]) + "</td>" + b.horizons.map((h) => cell(m, h)).join("") + "</tr>").join("") +
        "</tbody></table>";
    } catch (err) {
      $("backtest-body").innerHTML = '<p class="error">The backtest could not be run: ' + esc(err.message) + "</p>";
    }
  }

  function loadBacktestWhenShown() {
    const section = $("record");
    if (!("IntersectionObserver" in window)) { loadBacktest(); return; }
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); loadBacktest(); }
    });
    seen.observe(section);
  }

  /* ---- sensitivity and provenance ----------------------------------------------- */

  async function loadSensitivity() {
    const name = $("scenario").value;
    const url = "/api/sensitivity?scenario=" + encodeURIComponent(name) + "&model=" + encodeURIComponent($("model").value);
    $("sensitivity-twin").href = url;
    try {
      const s = await getJSON(url);
      const rows = s.indices.slice().sort((a, b) => b.total - a.total).slice(0, 10);
      const names = rows.map((r) => r.path.replace(/^groups\./, ""));
      const bar = (key, name, color) => ({
        type: "bar", orientation: "h", y: names, x: rows.map((r) => r[key]), name: name,
        marker: { color: color }, customdata: rows.map((r) => r.path),
        hovertemplate: "%{customdata}<br>" + name + " %{x:.3f}<extra></extra>",
        error_x: { type: "data", symmetric: false, color: "#555",
                   array: rows.map((r) => r[key + "_ci"][1] - r[key]),
                   arrayminus: rows.map((r) => r[key] - r[key + "_ci"][0]) },
      });
      Plotly.react("sensitivity-chart", [bar("total", "total order", COLORS.leader), bar("first", "first order", COLORS.orange)],
        layout({ barmode: "group", hovermode: "closest", margin: { l: 260, r: 16, t: 28, b: 40 }, yaxis: { autorange: "reversed" }, xaxis: { title: { text: "Sobol index (95% interval)" }, range: [0, 1] } }), CONFIG);
    } catch (err) {
      notice("sensitivity-chart", "The sensitivity analysis could not be loaded: " + err.message, true);
    }
  }

  async function loadProvenance() {
    try {
      const p = await getJSON("/api/sources");
      const rows = p.sources.map((s) =>
        "<tr><td>" + (s.homepage ? '<a href="' + esc(s.homepage) + '">' + esc(s.title) + "</a>" : esc(s.title)) +
        "</td><td>" + esc(s.license) + '</td><td class="num">' + num(s.files, 0) + '</td><td class="num">' +
        num(s.rows, 0) + "</td><td>" + esc(s.first || "") + " – " + esc(s.last || "") + "</td></tr>").join("");
      $("provenance-body").innerHTML =
        "<p>Data through <strong>" + esc(p.data_through || "n/a") + "</strong> · data hash <code>" + esc(p.data_hash) +
        "</code> · " + p.credits.map(esc).join(" · ") + "</p>" +
        '<table class="sources"><caption class="muted small" style="text-align:left">Sources imported into this store, with their licences</caption>' +
        '<thead><tr><th scope="col">Source</th><th scope="col">Licence</th><th scope="col">Files</th><th scope="col">Rows</th><th scope="col">Dates</th></tr></thead>' +
        "<tbody>" + rows + "</tbody></table>";
    } catch (err) {
      $("provenance-body").innerHTML = '<p class="error">The provenance could not be loaded: ' + esc(err.message) + "</p>";
    }
  }

  /* ---- wiring -------------------------------------------------------------------- */

  async function start() {
    try { state.health = await getJSON("/api/health"); } catch (err) { state.health = null; }
    loadGap();
    loadProvenance();
    try {
      await loadScenarios();
      await loadScenario();
      runForecast();
      loadSensitivity();
      loadCompare();
    } catch (err) {
      $("headline").innerHTML = '<p class="error">Scenarios could not be loaded: ' + esc(err.message) + "</p>";
    }
    loadBacktestWhenShown();
    $("bt-metric").addEventListener("change", loadBacktest);
    $("groups").addEventListener("change", loadGap);
    $("metric").addEventListener("change", loadGap);
    $("scenario").addEventListener("change", async () => { await loadScenario(); runForecast(); loadSensitivity(); loadCompare(); });
    $("model").addEventListener("change", () => { schedule(0); loadSensitivity(); loadCompare(); });
    $("draws").addEventListener("change", () => schedule(0));
    $("shock-group").addEventListener("change", () => { if (Number($("shock-size").value) > 1) schedule(0); });
    ["shock-size", "shock-date"].forEach((id) => {
      $(id).addEventListener("input", () => { updateShockLabels(); schedule(400); });
      $(id).addEventListener("change", () => schedule(150));
    });
    $("reset").addEventListener("click", async () => { await loadScenario(); runForecast(); });
    $("whatif-form").addEventListener("submit", (e) => { e.preventDefault(); solveWhatIf(); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
