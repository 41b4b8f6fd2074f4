/* gapcast dashboard, the map: P(challenger's sustained lead) over two assumptions (GET /api/sweep).
 * Drawn from the JSON twin when the section is first shown; nothing is computed here.
 * Colours: viridis (perceptually uniform, readable by colour-blind readers). */
"use strict";

(function () {
  const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 };
  const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const LABELS = {
    "compute.growth": "compute growth (× per year)",
    "serving.share": "serving share of compute",
  };

  const $ = (id) => document.getElementById(id);

  function label(path, groups) {
    const parts = path.split(".");
    if (parts[0] === "groups" && parts.length >= 3) {
      const who = parts[1] === "leader" ? groups[0] : groups[1];
      const what = parts.slice(2).join(".");
      return who + ": " + (LABELS[what] || what.replace(/_/g, " "));
    }
    return path;
  }

  /* p_within lists are row-major over (first axis, second axis); Plotly wants z[y][x]. */
  function surface(body, k) {
    const [nx, ny] = body.shape;
    const flat = body.p_within[String(k)];
    const z = [];
    for (let j = 0; j < ny; j++) {
      const row = [];
      for (let i = 0; i < nx; i++) row.push(flat[i * ny + j]);
      z.push(row);
    }
    return z;
  }

  function draw(body) {
    const x = body.axes[0].values, y = body.axes[1].values;
    const horizons = [36, 60];
    const traces = [];
    const lay = {
      font: FONT, margin: { l: 64, r: 16, t: 36, b: 52 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      showlegend: false, annotations: [],
    };
    horizons.forEach((k, n) => {
      const ax = n === 0 ? "" : String(n + 1);
      const z = surface(body, k);
      traces.push({
        type: "heatmap", x, y, z, xaxis: "x" + ax, yaxis: "y" + ax, colorscale: "Viridis", zmin: 0, zmax: 1,
        showscale: n === horizons.length - 1, colorbar: { title: { text: "P" }, tickformat: ".0%" },
        hovertemplate: "%{x:.2f}, %{y:.2f}: %{z:.1%}<extra>within " + k + " months</extra>",
      });
      traces.push({
        type: "contour", x, y, z, xaxis: "x" + ax, yaxis: "y" + ax, showscale: false, hoverinfo: "skip",
        contours: { coloring: "none", showlabels: true, labelformat: ".0%", start: 0.1, end: 0.9, size: 0.1,
          labelfont: { color: "#fff" } },
        line: { color: "#fff", width: 1 },
      });
      const share = 1 / horizons.length;
      lay["xaxis" + ax] = { domain: [n * share + 0.04, (n + 1) * share - 0.04], title: { text: label(body.axes[0].path, body.groups) } };
      lay["yaxis" + ax] = { anchor: "x" + ax, title: { text: n === 0 ? label(body.axes[1].path, body.groups) : "" } };
      lay.annotations.push({
        text: "P(" + body.groups[1] + (body.event === "sustained" ? " sustained lead" : " ahead") +
          " within " + k + " months)", showarrow: false,
        xref: "paper", yref: "paper", x: (n + 0.5) * share, y: 1.07, xanchor: "center",
      });
    });
    Plotly.react("sweep-chart", traces, lay, CONFIG);
    $("sweep-caption").textContent =
      (body.event === "sustained" ? "Sustained lead (the headline's event): " : "Ahead: ") +
      body.definition + ". " +
      "Scenario " + body.scenario + ", " + body.model + " model, as of " + body.as_of + "; " +
      body.draws.toLocaleString("en-US") + " draws at each of " + body.shape[0] * body.shape[1] +
      " points, the same draws at every point (common random numbers). Each point fixes the two " +
      "assumptions; every other one keeps its distribution. White lines: equal probability. ";
    const twin = document.createElement("a");
    twin.className = "twin"; twin.href = "/api/sweep"; twin.textContent = "JSON";
    $("sweep-caption").appendChild(twin);
  }

  async function load() {
    $("sweep-status").textContent = "Computing the map (once per data version)…";
    try {
      const res = await fetch("/api/sweep");
      const body = await res.json();
      if (!res.ok) throw new Error(body.message || res.statusText);
      draw(body);
      $("sweep-status").textContent = "";
    } catch (err) {
      $("sweep-status").textContent = "The map is not available: " + err.message;
    }
  }

  function whenShown() {
    const section = $("sweep");
    if (!section) return;
    if (!("IntersectionObserver" in window)) { load(); return; }
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); load(); }
    });
    seen.observe(section);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", whenShown);
  else whenShown();
})();
