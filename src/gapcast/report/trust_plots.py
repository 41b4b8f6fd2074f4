"""Trust figures: the backtest's reliability diagram and PIT histogram, and Sobol bars.

Reliability diagram: for each model, the forecast probabilities of the two backtest events
("within the threshold", "the gap narrows"), binned in tenths, against how often the event
happened (the diagonal is perfect reliability; marker area ~ forecasts in the bin).
PIT histogram: the randomised probability integral transform of every scored forecast,
per model; a calibrated model's is flat (dashed line), a U shape means intervals too narrow,
a hump too wide, a slope a bias. Sobol bars: first- and total-order indices with their 95%
intervals. PNG through matplotlib (no pyplot state); colours from the Okabe-Ito palette.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gapcast import glossary
from gapcast.evaluate.backtest import ALL, BacktestResult, pit_histogram, reliability
from gapcast.report.plots import OKABE_ITO
from gapcast.usecases.trust_solve import SensitivityResult

CREDIT = "Data: Epoch AI (CC BY 4.0), LMArena · gapcast"
COLORS = {
    "trend": OKABE_ITO["blue"],
    "compute": OKABE_ITO["vermillion"],
    "ensemble": OKABE_ITO["green"],
    "persistence": OKABE_ITO["grey"],
    "linear": OKABE_ITO["orange"],
}


def backtest_png(result: BacktestResult, path: Path) -> Path:
    """Write the reliability diagram (both events) and the PIT histograms as a PNG."""
    from matplotlib.figure import Figure

    rel = reliability(result.records)
    pit = pit_histogram(result.records)
    fig = Figure(figsize=(12, 7.5), dpi=150, layout="constrained")
    grid = fig.add_gridspec(2, 5)
    for col, (event, label) in enumerate(
        (("within", f"within {result.threshold:g} points"), ("narrows", "the gap narrows"))
    ):
        ax = fig.add_subplot(grid[0, 2 * col : 2 * col + 2])
        ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1)
        for m in ALL:
            rows = rel.get(m, {}).get(event, [])
            if not rows:
                continue
            x = [r["forecast"] for r in rows]
            y = [r["observed"] for r in rows]
            size = [12 + 4 * r["n"] for r in rows]
            ax.plot(x, y, color=COLORS[m], linewidth=1.2, label=m)
            ax.scatter(x, y, s=size, color=COLORS[m], alpha=0.7)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("forecast probability")
        ax.set_ylabel("observed frequency")
        ax.set_title(f"Reliability: {label}", loc="left", fontsize=10)
        ax.grid(alpha=0.3)
        if col == 0:
            ax.legend(loc="upper left", frameon=False, fontsize=8)
    info = fig.add_subplot(grid[0, 4])
    info.axis("off")
    info.text(
        0,
        1,
        f"{result.metric.upper()} backtest\n{len(result.origins)} origins "
        f"{result.origins[0]:%Y-%m} to {result.origins[-1]:%Y-%m}\nhorizons "
        f"{', '.join(map(str, result.horizons))} months\n\npooled over horizons",
        va="top",
        fontsize=9,
    )
    for i, m in enumerate(ALL):
        ax = fig.add_subplot(grid[1, i])
        counts = np.array(pit.get(m, []), dtype=float)
        if counts.size:
            edges = np.linspace(0, 1, counts.size + 1)
            dens = counts / counts.sum() * counts.size
            ax.bar(edges[:-1], dens, width=np.diff(edges), align="edge", color=COLORS[m])
            ax.axhline(1.0, color="#333333", linestyle="--", linewidth=1)
        ax.set_xlim(0, 1)
        ax.set_title(f"PIT: {m}", loc="left", fontsize=10)
        ax.set_xlabel("PIT")
        if i == 0:
            ax.set_ylabel("density")
    fig.text(0.01, 0.002, CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.savefig(path, format="png")
    return path


def sensitivity_png(result: SensitivityResult, path: Path, top: int = 10) -> Path:
    """Write horizontal bars of the first- and total-order indices, one panel per output."""
    from matplotlib.figure import Figure

    outputs = result.outputs
    fig = Figure(figsize=(11, 1.2 + 0.45 * top), dpi=150, layout="constrained")
    axes = fig.subplots(1, len(outputs), squeeze=False)[0]
    for ax, out in zip(axes, outputs, strict=True):
        rows = list(out.indices[:top])[::-1]
        y = np.arange(len(rows))
        ax.barh(
            y + 0.2,
            [r.total for r in rows],
            height=0.4,
            xerr=[r.total_conf for r in rows],
            color=OKABE_ITO["blue"],
            label="total order",
        )
        ax.barh(
            y - 0.2,
            [r.first for r in rows],
            height=0.4,
            xerr=[r.first_conf for r in rows],
            color=OKABE_ITO["orange"],
            label="first order",
        )
        ax.set_yticks(y, [glossary.label(r.name) for r in rows], fontsize=8)
        ax.set_xlim(min(0.0, min((r.first for r in rows), default=0.0)), 1)
        ax.set_xlabel("Sobol index (95% CI)")
        ax.set_title(f"P(ahead within {out.name} mo): mean {out.mean:.2f}", loc="left", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    fig.suptitle(
        f"{result.scenario} · {result.model} · N = {result.base:,}, {result.inner} inner draws",
        x=0.01,
        ha="left",
        fontsize=10,
    )
    fig.text(0.01, 0.002, CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.savefig(path, format="png")
    return path


__all__ = ["backtest_png", "sensitivity_png"]
