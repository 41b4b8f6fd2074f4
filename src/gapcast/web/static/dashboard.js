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
  ];

  const state = {
    health: null, scenario: null, params: {}, touched: new Set(), asOf: null,
    seq: 0, controller: null, timer: null, forecast: null, groups: null,
    glossary: { params: {}, parts: {}, terms: {} }, freshness: null, compare: null,
    sensitivity: null, gap: null, heavySeq: 0,
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

  /* A parameter's human name (gapcast.glossary via /api/glossary), never its raw path. */
  function label(path) {
    const known = state.glossary.params[path];
    if (known) return known;
    return path.replace(/^groups\.(leader|challenger)\./, (m, role) => (role === "leader" ? "Leader: " : "Challenger: "))
      .replace(/\.(\d+)\./g, (m, n) => " no. " + (Number(n) + 1) + ", ").replace(/[._]/g, " ");
  }
  /* Break a long label into lines of at most `width` characters (Plotly wraps nothing). */
  function wrap(text, width) {
    const words = String(text).split(" ");
    const lines = [""];
    words.forEach((w) => {
      const last = lines.length - 1;
      if (lines[last] && (lines[last] + " " + w).length > width) lines.push(w);
      else lines[last] = lines[last] ? lines[last] + " " + w : w;
    });
    return lines.join("<br>");
  }
  const narrow = () => window.innerWidth < 600;

  /* Decimals an interval of this width supports (gapcast.report.findings.decimals). */
  function decimals(lo, hi) {
    if (lo === null || hi === null || lo === undefined || hi === undefined) return 1;
    const width = Math.abs(hi - lo);
    if (width === 0) return 3;
    return Math.max(0, Math.min(3, 1 - Math.floor(Math.log10(width))));
  }

  /* Every chart: legend above the plot area (never over the bars), axes that grow their
     margins to fit their labels (never clipped). */
  function layout(extra) {
    const out = Object.assign({
      font: FONT, margin: { l: 56, r: 16, t: 28, b: 40 }, hovermode: "x unified",
      legend: { orientation: "h", yanchor: "bottom", y: 1.02, x: 0, traceorder: "normal" }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    }, extra || {});
    out.xaxis = Object.assign({ gridcolor: "#eceff1", automargin: true }, (extra || {}).xaxis || {});
    out.yaxis = Object.assign({ gridcolor: "#eceff1", zerolinecolor: "#c5cbd0", automargin: true }, (extra || {}).yaxis || {});
    if (narrow()) out.font = Object.assign({}, FONT, { size: 11 });
    return out;
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
      state.gap = gap;
      renderAnswerGap(gap);
      renderScope();
      renderGapCards(gap);
      renderFrontier(gap);
      renderLag(gap);
    } catch (err) {
      $("a-gap").innerHTML = '<h3>Gap today</h3><p class="error">' + esc(err.message) + "</p>";
      $("a-lag").innerHTML = "<h3>Lag</h3><p class=\"error\">n/a</p>";
      $("gap-cards").innerHTML = '<p class="error">The gap could not be measured: ' + esc(err.message) + "</p>";
      notice("frontier-chart", "No chart: " + err.message, true);
      notice("lag-chart", "No chart: " + err.message, true);
    } finally {
      $("gap-cards").setAttribute("aria-busy", "false");
    }
  }

  const DIRECTION_WORDS = { narrowing: "narrowing", widening: "widening", unclear: "no clear trend" };

  /* The direction the server's findings rules gave a trend (gapcast.report.findings). */
  function findingsDirection(trend) {
    const f = state.gap && state.gap.findings;
    if (!f || !trend) return "";
    const key = trend.quantity === "lag_months" ? "lag_trend" : "gap_trend";
    return DIRECTION_WORDS[f[key].direction] || "";
  }

  function renderAnswerGap(gap) {
    const d = decimals(gap.gap_points_ci[0], gap.gap_points_ci[1]);
    const f = gap.findings || {};
    const gt = f.gap_trend || {}, lt = f.lag_trend || {};
    const trendLine = (t, unit) => {
      if (!t || t.slope_per_year === null || t.slope_per_year === undefined) return "";
      const dd = decimals(t.ci95[0], t.ci95[1]);
      return (t.slope_per_year > 0 ? "+" : "") + num(t.slope_per_year, dd) + " " + unit + "/yr, " +
        DIRECTION_WORDS[t.direction];
    };
    $("a-gap").innerHTML = "<h3>Gap today</h3>" +
      '<div class="big" id="a-gap-value">' + num(gap.gap_points, d) + ' <span class="note">' + esc(gap.unit) + "</span></div>" +
      '<p class="note">95% ' + range(gap.gap_points_ci, d) + " · " + esc(gap.leader.group) + " ahead of " + esc(gap.challenger.group) + "</p>" +
      '<p class="note" id="a-gap-trend">' + esc(trendLine(gt, "pts")) + "</p>";
    const lagPrefix = gap.lag_censored ? "≥ " : "";
    $("a-lag").innerHTML = "<h3>Lag</h3>" +
      '<div class="big" id="a-lag-value">' + lagPrefix + num(gap.lag_months, 1) + ' <span class="note">months</span></div>' +
      '<p class="note">95% ' + range(gap.lag_months_ci, 1) + (f.lag_interval_note ? ' <abbr title="' + esc(f.lag_interval_note) + '">(why one-sided?)</abbr>' : "") + "</p>" +
      '<p class="note" id="a-lag-trend">' + esc(trendLine(lt, "mo")) + "</p>";
    const age = gap.data_age;
    $("a-findings").innerHTML = (f.sentences || []).map((x) => "<p>" + esc(x) + "</p>").join("") +
      (f.lag_interval_note ? '<p class="muted">Lag interval: ' + esc(f.lag_interval_note) + "</p>" : "") +
      (age ? '<p class="muted">' + esc(gap.title) + ", as of " + esc(gap.as_of) + ". " + esc(gap.credit) + ".</p>" : "");
  }

  /* Say plainly which parts follow the group choice and which are US vs China only. */
  function renderScope() {
    const el = $("scope-note");
    const sc = state.scenario;
    const fg = sc ? sc.groups.leader + " vs " + sc.groups.challenger : "the scenario's groups";
    const g = state.gap;
    const chosen = g ? g.leader.group + " vs " + g.challenger.group : "";
    const metric = sc && sc.metric && $("metric").value !== sc.metric
      ? " The forecast is on " + sc.metric.toUpperCase() + ", not on the metric chosen for the gap." : "";
    if ($("groups").value !== "country") {
      el.className = "scope small warn";
      el.textContent = "Gap and lag: " + chosen + ". The forecast, its drivers and its track record are " +
        fg + " only: the scenarios model countries, not open and closed weights." + metric;
    } else {
      el.className = "scope small";
      el.className = metric ? "scope small warn" : "scope small";
      el.textContent = "Gap, lag and forecast: " + (chosen || fg) + "." + metric;
    }
  }

  async function loadFreshness() {
    try {
      const f = await getJSON("/api/freshness");
      state.freshness = f;
      const el = $("freshness");
      el.textContent = "Data through " + f.data_through + " (" + num(f.days_old, 0) + " days old)" +
        (f.stale ? ": run `gapcast data fetch` for newer releases." : ".");
      el.className = "freshness small" + (f.stale ? " stale" : "");
      if (state.forecast) renderHeadline(state.forecast);
    } catch (err) {
      $("freshness").textContent = "";
    }
  }

  async function loadGlossary() {
    try { state.glossary = await getJSON("/api/glossary?lang=en"); } catch (err) { /* labels fall back */ }
  }

  function renderGapCards(gap) {
    const d = Math.abs(gap.leader.score || 0) < 10 ? 3 : 1;
    const side = (s, role) =>
      '<div class="card"><h3><span class="swatch" style="background:' + COLORS[role] + '"></span>' +
      esc(s.group) + " frontier</h3><div class=\"big " + role + "\">" + num(s.score, d) +
      '</div><div class="small">' + esc(s.model || "n/a") + " · " + esc(s.date || "") +
      (s.score_ci && s.score_ci[0] !== null ? " · 95% " + range(s.score_ci, d) : "") + "</div></div>";
    const lagPrefix = gap.lag_censored ? "≥ " : "";
    const trendCard = (title, t, unit) => {
      const f = t || {};
      const dd = decimals(f.ci ? f.ci[0] : null, f.ci ? f.ci[1] : null);
      const value = f.slope_per_year === null || f.slope_per_year === undefined ? "n/a"
        : (f.slope_per_year > 0 ? "+" : "") + num(f.slope_per_year, dd) + " " + unit + " / year";
      const dir = findingsDirection(f);
      return '<div class="card"><h3>' + esc(title) + '</h3><div class="big">' + esc(value) +
        '</div><div class="small">95% ' + range(f.ci, dd) + " · " + esc(dir) + "</div></div>";
    };
    $("gap-cards").innerHTML =
      side(gap.leader, "leader") + side(gap.challenger, "challenger") +
      '<div class="card"><h3>Gap</h3><div class="big">' + num(gap.gap_points, d) +
      '</div><div class="small">' + esc(gap.unit) + " · 95% " + range(gap.gap_points_ci, d) +
      "</div></div>" +
      '<div class="card"><h3>Lag</h3><div class="big">' + lagPrefix + num(gap.lag_months, 1) +
      ' mo</div><div class="small">95% ' + range(gap.lag_months_ci, 1) + " months</div></div>" +
      trendCard("Gap trend, past 12 months", gap.trend, "points") +
      trendCard("Lag trend, past 12 months", gap.lag_trend, "months") +
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
    try {
      const result = await getJSON("/api/forecast", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body), signal: state.controller.signal,
      });
      if (seq !== state.seq) return;
      state.forecast = result;
      if (!state.asOf) { state.asOf = result.as_of; updateShockLabels(); }
      renderHeadline(result);
      renderDrivers();
      renderScope();
      document.dispatchEvent(new CustomEvent("gapcast:headline", { detail: result }));
      renderFan(result);
      renderProbability(result);
      loadThesis();
      const crossing = result.median_crossing ? "median crossing " + result.median_crossing.date.slice(0, 7)
        : "no median crossing within " + result.horizon_months + " months";
      $("forecast-status").textContent = (result.provisional ? "Provisional (refining): " : "Updated: ") +
        result.scenario + " · " + num(result.draws, 0) +
        " draws per model · seed " + result.seed + " · " + crossing + ".";
      if (result.provisional) schedule(1500);  // the full answer replaces it when ready
    } catch (err) {
      if (err.name === "AbortError" || seq !== state.seq) return;
      $("forecast-status").textContent = "";
      $("headline").innerHTML = '<p class="error">The forecast failed: ' + esc(err.message) + "</p>";
    }
  }

  /* Months of each horizon already past between the data's end and today (/api/freshness). */
  function passedNote(f) {
    const passed = (state.freshness && state.freshness.months_passed) || {};
    const k = HORIZONS.map(([h]) => h).find((h) => passed[h] >= 1);
    if (!k) return "";
    return "<p class=\"note warn\" id=\"horizon-passed\">" + num(passed[k], 0) + " of the " + k +
      " months of “within " + HORIZONS.find(([h]) => h === k)[1] + "” counted from " + esc(f.as_of) +
      " (the data's end) have already passed.</p>";
  }

  /* The probability with its real uncertainty: the structural headline's 90% interval when the
     API gives one, else the spread across models (and scenarios, once compared). */
  function renderHeadline(f) {
    const c = f.groups.challenger, l = f.groups.leader;
    const h = f.headline;
    let html = "<h3>Chance that " + esc(c) + " overtakes " + esc(l) + "</h3>";
    if (h && h.p_within) {
      const probs = HORIZONS.filter(([k]) => k in h.p_within).map(([k, lab]) => {
        const iv = (h.interval90 || {})[k] || [null, null];
        const dd = Math.max(0, decimals(100 * iv[0], 100 * iv[1]) - 1);
        return '<div class="prob" id="p-within-' + k + '">' + pct(h.p_within[k], dd) +
          "<small>within " + lab + "</small><small>90% " + pct(iv[0], dd) + "–" + pct(iv[1], dd) + "</small></div>";
      }).join("");
      const strict = h.strict && h.strict.p_within ? HORIZONS.filter(([k]) => k in h.strict.p_within)
        .map(([k, lab]) => pct(h.strict.p_within[k], 0) + " within " + lab).join(", ") : "";
      const se = h.mc_se ? Math.max.apply(null, Object.values(h.mc_se)) : null;
      const lam = h.lambda || null;
      html += '<p class="note">' + esc(h.definition || "ahead and staying ahead") + "</p>" +
        '<div class="probs">' + probs + "</div>" +
        (strict ? '<p class="note">Ahead at least once (strict): ' + esc(strict) + ".</p>" : "") +
        (se !== null ? '<p class="note" id="mc-error">Monte Carlo error ±' + num(100 * se, 1) +
          " pt: from the finite number of draws, not the uncertainty of the number (the 90% interval).</p>" : "") +
        (lam ? '<p class="note" id="lambda">Research compute → capability (λ): ' + num(lam.mean, 2) + " (90% " + range(lam.ci90, 2) + "), " +
          (lam.status === "estimated" ? "estimated from the data" : "the prior: the data do not narrow it") + ". " +
          (h.data_can_tell ? "The data narrow this answer." : "The data cannot tell: the answer rests on the assumptions.") + "</p>" : "");
    } else {
      const models = Object.keys(f.models);
      const rows = state.compare && state.compare.model === f.model ? state.compare.rows : null;
      const probs = HORIZONS.filter(([k]) => k in f.p_ahead_within).map(([k, lab]) => {
        const vals = models.map((m) => f.models[m].p_ahead_within[k]);
        if (rows) rows.forEach((r) => { if (r["p" + k] !== undefined) vals.push(r["p" + k]); });
        const lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
        const dd = Math.max(0, decimals(100 * lo, 100 * hi) - 1);
        return '<div class="prob" id="p-within-' + k + '">' + pct(f.p_ahead_within[k], dd) +
          "<small>within " + lab + "</small><small>range " + pct(lo, dd) + "–" + pct(hi, dd) + "</small></div>";
      }).join("");
      const se = Math.max.apply(null, Object.values(f.p_ahead_within_se));
      html += '<p class="note">Ahead at some month (at least once) · ' + esc(MODEL_NAMES[f.model]) + ", scenario " + esc(f.scenario) + "</p>" +
        '<div class="probs">' + probs + "</div>" +
        '<p class="note" id="spread-note">The range is the spread across the three models' + (rows ? " and the " + rows.length + " scenarios" : "") +
        ": read it as the uncertainty. Monte Carlo error (finite draws) is only ±" + num(100 * se, 1) + " pt.</p>";
    }
    html += passedNote(f);
    $("headline").innerHTML = html;
  }

  /* What drives it: the Sobol ranking once loaded. */
  function renderDrivers() {
    const el = $("a-drivers");
    const s = state.sensitivity;
    if (s && s.indices && s.indices.length) {
      const top = s.indices.filter((r) => r.total !== null).sort((a, b) => b.total - a.total).slice(0, 2);
      el.innerHTML = "<h3>What drives it</h3>" +
        top.map((r, i) => '<p class="' + (i ? "note extra" : "") + '" id="driver-' + i + '">' + esc(label(r.path)) +
          ' <span class="note">(share of variance ' + num(r.total, 2) + ")</span></p>").join("") +
        '<p class="note extra">Sobol total index of P(ahead within 5 years), ' + esc(MODEL_NAMES[s.model] || s.model) + ".</p>";
      return;
    }
    el.innerHTML = "<h3>What drives it</h3><p class=\"note\">Ranking the assumptions…</p>";
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
    Plotly.react("p-chart", traces, layout({ yaxis: { title: { text: "P(" + f.groups.challenger + " ahead), %" }, range: [0, 100], gridcolor: "#eceff1",
      tickvals: [25, 50, 75, 100] } }), CONFIG);  /* no "0" label: it collided with the first date */
  }

  /* The thesis: P(sustained lead) with China's serving share held at 0.5 ... 0.9 (heavy: after the headline). */
  async function loadThesis() {
    const url = "/api/thesis?scenario=" + encodeURIComponent($("scenario").value) + "&draws=4000";
    $("thesis-twin").href = url;
    try {
      const t = await getJSON(url);
      const x = t.rows.map((r) => r.share);
      const y = t.rows.map((r) => 100 * r.sustained.p);
      const lo = t.rows.map((r, i) => y[i] - 100 * r.sustained.interval90[0]);
      const hi = t.rows.map((r, i) => 100 * r.sustained.interval90[1] - y[i]);
      Plotly.react("thesis-chart", [{
        x: x, y: y, mode: "lines+markers", name: "sustained lead", line: { color: COLORS.challenger, width: 3 },
        error_y: { type: "data", symmetric: false, array: hi, arrayminus: lo, color: "#999" },
        hovertemplate: "share %{x:.1f}: %{y:.1f}%<extra></extra>",
      }], layout({
        hovermode: "closest", margin: { l: 50, r: 16, t: 16, b: 44 },
        xaxis: { title: { text: "China's serving share, held" }, gridcolor: "#eceff1" },
        yaxis: { title: { text: "P(sustained lead ≤ " + t.within_months + " mo), %" }, range: [0, 100], gridcolor: "#eceff1" },
      }), CONFIG);
      const last = t.rows[t.rows.length - 1];
      $("thesis-note").textContent = "From " + num(x[0], 1) + " to " + num(x[x.length - 1], 1) + ": " +
        (last.sustained.change >= 0 ? "+" : "−") + num(Math.abs(100 * last.sustained.change), 1) + " points (same random numbers). " +
        "λ " + num(t.lambda.mean, 2) + " [" + num(t.lambda.ci90[0], 2) + ", " + num(t.lambda.ci90[1], 2) + "], " + t.lambda.status + ". " + t.message;
    } catch (err) {
      notice("thesis-chart", "The thesis experiment failed: " + err.message, true);
    }
  }

  /* ---- scenarios side by side ----------------------------------------------------- */

  async function loadCompare() {
    const url = "/api/compare?model=" + encodeURIComponent($("model").value) + "&draws=" + encodeURIComponent($("draws").value);
    $("compare-twin").href = url;
    try {
      const c = await getJSON(url);
      state.compare = Object.assign({ model: $("model").value }, c);
      if (state.forecast) renderHeadline(state.forecast);
      const names = c.rows.map((r) => r.scenario);
      const current = $("scenario").value;
      const colors = [COLORS.sky, COLORS.orange, COLORS.challenger];
      /* On a phone, or with many scenarios, the bars lie down: names then fit on their own lines. */
      const flat = narrow() || names.length > 5;
      const who = "P(" + (state.scenario ? state.scenario.groups.challenger : "challenger") + " ahead), %";
      const traces = HORIZONS.map(([k, label], i) => {
        const values = c.rows.map((r) => 100 * r["p" + k]);
        const err = { type: "data", array: c.rows.map((r) => 100 * 1.96 * r["se" + k]), color: "#555" };
        const t = {
          type: "bar", name: "within " + label, orientation: flat ? "h" : "v",
          marker: { color: colors[i], line: { color: names.map((n) => n === current ? "#222" : "rgba(0,0,0,0)"), width: 2 } },
          hovertemplate: (flat ? "%{y}<br>within " + label + ": %{x:.1f}%" : "%{x}<br>within " + label + ": %{y:.1f}%") + "<extra></extra>",
        };
        if (flat) { t.y = names; t.x = values; t.error_x = err; } else { t.x = names.map((n) => wrap(n, 14)); t.y = values; t.error_y = err; }
        return t;
      });
      const value = { title: { text: who }, rangemode: "tozero", gridcolor: "#eceff1" };
      const cat = { tickangle: 0, tickfont: { size: flat ? 10 : 12 } };
      $("compare-chart").style.height = flat ? "460px" : "";
      Plotly.react("compare-chart", traces, layout({ barmode: "group", hovermode: "closest",
        margin: { l: flat ? 10 : 56, r: 16, t: 28, b: 40 },
        xaxis: flat ? value : cat, yaxis: flat ? Object.assign({ autorange: "reversed" }, cat) : value }), CONFIG);
    } catch (err) {
      notice("compare-chart", "The scenario comparison could not be loaded: " + err.message, true);
    }
  }

  /* ---- what would it take --------------------------------------------------------- */

  function buildWhatIf(sc) {
    $("wi-vary").innerHTML = SLIDERS.filter((s) => state.params[s.path] && state.params[s.path].dist !== "fixed")
      .map((s) => '<option value="' + esc(s.path) + '">' + esc(label(s.path)) + "</option>")
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
      $("wi-answer").textContent = w.message.split(w.path).join(label(w.path));
      const xs = w.grid.map((g) => g.value);
      const traces = [
        { type: "scatter", mode: "lines+markers", x: xs, y: w.grid.map((g) => 100 * g.p), name: "P(ahead) tried", line: { color: COLORS.challenger } },
        { type: "scatter", mode: "lines", x: [xs[0], xs[xs.length - 1]], y: [100 * w.target, 100 * w.target], name: "target", line: { color: "#555", dash: "dash" } },
      ];
      if (w.reached) {
        traces.push({ type: "scatter", mode: "markers", x: [w.value], y: [100 * w.p_at_value], name: "answer", marker: { color: COLORS.leader, size: 11, symbol: "diamond" } });
      }
      Plotly.react("whatif-chart", traces, layout({ hovermode: "closest", xaxis: { title: { text: label(w.path) }, gridcolor: "#eceff1", automargin: true },
        yaxis: { title: { text: "P(ahead within " + w.within + " months), %" }, rangemode: "tozero", gridcolor: "#eceff1" } }), CONFIG);
    } catch (err) {
      $("wi-answer").innerHTML = '<span class="error">' + esc(err.message) + "</span>";
    } finally {
      $("wi-solve").disabled = false;
    }
  }

  /* ---- sensitivity and provenance ----------------------------------------------- */

  async function loadSensitivity() {
    const name = $("scenario").value;
    const url = "/api/sensitivity?scenario=" + encodeURIComponent(name) + "&model=" + encodeURIComponent($("model").value);
    $("sensitivity-twin").href = url;
    try {
      const s = await getJSON(url);
      state.sensitivity = s;
      renderDrivers();
      const rows = s.indices.slice().sort((a, b) => b.total - a.total).slice(0, 8);
      $("sensitivity-chart").style.height = (110 + rows.length * (narrow() ? 52 : 40)) + "px";
      const names = rows.map((r) => wrap(label(r.path), narrow() ? 22 : 40));
      const bar = (key, name, color) => ({
        type: "bar", orientation: "h", y: names, x: rows.map((r) => r[key]), name: name,
        marker: { color: color }, customdata: rows.map((r) => label(r.path)),
        hovertemplate: "%{customdata}<br>" + name + " %{x:.3f}<extra></extra>",
        error_x: { type: "data", symmetric: false, color: "#555",
                   array: rows.map((r) => r[key + "_ci"][1] - r[key]),
                   arrayminus: rows.map((r) => r[key] - r[key + "_ci"][0]) },
      });
      Plotly.react("sensitivity-chart", [bar("total", "total order", COLORS.leader), bar("first", "first order", COLORS.orange)],
        layout({ barmode: "group", hovermode: "closest", margin: { l: 10, r: 16, t: 28, b: 40 },
          yaxis: { autorange: "reversed", automargin: true, tickfont: { size: narrow() ? 9 : 12 } },
          xaxis: { title: { text: "Sobol index (95% interval)" }, range: [0, 1], automargin: true } }), CONFIG);
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

  /* Heavy panels (compare, sensitivity) run only after the headline has drawn, one
     after another, so a forecast never queues behind them; a newer headline cancels the rest. */
  async function loadHeavy() {
    const seq = ++state.heavySeq;
    for (const load of [loadCompare, loadSensitivity]) {
      if (seq !== state.heavySeq) return;
      await load();
    }
  }

  async function refresh() {
    await runForecast();
    loadHeavy();
  }

  async function start() {
    const glossary = loadGlossary();
    loadFreshness();
    getJSON("/api/health").then((h) => { state.health = h; }, () => { state.health = null; });
    const gap = glossary.then(loadGap);
    loadProvenance();
    try {
      await Promise.all([loadScenarios(), glossary]);
      await loadScenario();
      await runForecast();
      await gap;
      loadHeavy();
    } catch (err) {
      $("headline").innerHTML = '<p class="error">Scenarios could not be loaded: ' + esc(err.message) + "</p>";
    }
    $("groups").addEventListener("change", loadGap);
    $("metric").addEventListener("change", loadGap);
    $("scenario").addEventListener("change", async () => { state.heavySeq++; state.sensitivity = null; await loadScenario(); refresh(); });
    $("model").addEventListener("change", () => { state.heavySeq++; state.sensitivity = null; clearTimeout(state.timer); refresh(); });
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
