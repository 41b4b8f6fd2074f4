"""Sweep maps: P(event within 36 / 60 months) over two varied assumptions.

The event is the headline's sustained lead for the structural model, the strict lead for
the trend model (``SweepResult.event``).

One heatmap per horizon, side by side, with labelled contours at ``LEVELS``; the first
varied path is the x axis, the second the y axis. PNG through matplotlib (no pyplot
state), HTML through plotly with its JavaScript inlined, and the figure as a plotly dict
(what the dashboard draws; the same data as ``GET /api/sweep``). The colour map is viridis
(perceptually uniform, readable in grey and by colour-blind readers).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gapcast.errors import RequestError
from gapcast.model.structural import MARGIN, RUN_MONTHS
from gapcast.usecases.sweep import SweepReport

CREDIT = "Data: Epoch AI (CC BY 4.0) · gapcast"
LEVELS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
"""Probability contours drawn on every map."""


def axis_label(path: str) -> str:
    """Return a short readable label for a scenario path."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "groups":
        return f"{parts[1]}: {' '.join(parts[2:]).replace('_', ' ')}"
    return path.replace("_", " ")


def _check(report: SweepReport) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    axes = report.result.sweep.axes
    if len(axes) != 2:
        raise RequestError("vary", f"a map needs exactly two varied paths (got {len(axes)})")
    return np.asarray(axes[0].values), np.asarray(axes[1].values)


def event_words(report: SweepReport) -> str:
    """Return the mapped event in a few words (the headline's sustained lead, or strict)."""
    if report.result.event == "sustained":
        return "sustained lead"
    return "ahead"


def panel_title(report: SweepReport, within: int) -> str:
    """Return one panel's title: P(event within ``within`` months)."""
    return f"P({event_words(report)} within {within} months)"


def title(report: SweepReport) -> str:
    """Return the map's title line."""
    what = (
        f"{report.groups[1]} leads {report.groups[0]} by {MARGIN:g}+ ECI points for "
        f"{RUN_MONTHS} months"
        if report.result.event == "sustained"
        else f"{report.groups[1]} ahead of {report.groups[0]}"
    )
    return (
        f"{report.scenario} · {report.model} model · {what}, as of {report.as_of} · "
        f"{report.result.sweep.draws:,} draws a point"
    )


def write(report: SweepReport, path: str | Path) -> Path:
    """Write the map to ``.png`` (matplotlib) or ``.html`` (plotly)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".html"):
        raise RequestError("plot", f"'{target.name}' must end in .png or .html")
    if suffix == ".png":
        heatmap_png(report, target)
    else:
        heatmap_html(report, target)
    return target


def draw(
    report: SweepReport,
    fig: Any,
    within: tuple[int, ...] = (36, 60),
    *,
    labels: tuple[str, str] | None = None,
    titles: Mapping[int, str] | None = None,
    scale: str = "probability",
) -> None:
    """Draw one heatmap per horizon into a matplotlib figure (used by PNG and the report).

    ``labels`` (x, y), ``titles`` (per horizon) and ``scale`` (the colour bar's label)
    replace the English defaults.
    """
    x, y = _check(report)
    axes = fig.subplots(1, len(within), sharey=True, squeeze=False)[0]
    sweep = report.result.sweep
    mesh = None
    for ax, k in zip(axes, within, strict=True):
        z = report.result.surface(k).T  # rows: second axis (y), columns: first axis (x)
        mesh = ax.pcolormesh(
            x, y, z, shading="nearest", cmap="viridis", vmin=0.0, vmax=1.0, rasterized=True
        )
        levels = [v for v in LEVELS if z.min() < v < z.max()]
        if levels and min(z.shape) >= 2:
            lines = ax.contour(x, y, z, levels=levels, colors="white", linewidths=1.0)
            ax.clabel(lines, fmt=lambda v: f"{v:.0%}", fontsize=8)
        ax.set_title((titles or {}).get(k, panel_title(report, k)), fontsize=10)
        ax.set_xlabel(labels[0] if labels else axis_label(sweep.axes[0].path))
        ax.grid(False)
    axes[0].set_ylabel(labels[1] if labels else axis_label(sweep.axes[1].path))
    if mesh is not None:
        fig.colorbar(mesh, ax=list(axes), shrink=0.9, label=scale)


def heatmap_png(report: SweepReport, path: Path) -> None:
    """Write the map as a PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.6), layout="constrained")
    draw(report, fig)
    fig.suptitle(title(report), fontsize=11)
    fig.text(0.0, 0.0, CREDIT, fontsize=8, color="#555555")
    fig.savefig(path, dpi=130)


def figure(report: SweepReport, within: tuple[int, ...] = (36, 60)) -> dict[str, Any]:
    """Return the map as a plotly figure dict (heatmaps with contour lines)."""
    x, y = _check(report)
    sweep = report.result.sweep
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"template": "plotly_white", "height": 460, "showlegend": False}
    for i, k in enumerate(within, 1):
        z = report.result.surface(k).T.tolist()
        axis = "" if i == 1 else str(i)
        common = {"x": list(x), "y": list(y), "z": z, "xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        data.append(
            {
                "type": "heatmap",
                **common,
                "colorscale": "Viridis",
                "zmin": 0,
                "zmax": 1,
                "showscale": i == len(within),
                "colorbar": {"title": {"text": "P"}, "tickformat": ".0%"},
                "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>P=%{z:.1%}<extra>"
                + f"within {k} months</extra>",
            }
        )
        data.append(
            {
                "type": "contour",
                **common,
                "contours": {
                    "coloring": "none",
                    "showlabels": True,
                    "labelformat": ".0%",
                    "start": 0.1,
                    "end": 0.9,
                    "size": 0.1,
                    "labelfont": {"color": "white"},
                },
                "line": {"color": "white", "width": 1},
                "showscale": False,
                "hoverinfo": "skip",
            }
        )
        share = 1.0 / len(within)
        layout[f"xaxis{axis}"] = {
            "title": {"text": axis_label(sweep.axes[0].path)},
            "domain": [(i - 1) * share + 0.03, i * share - 0.03],
        }
        layout[f"yaxis{axis}"] = {
            "title": {"text": axis_label(sweep.axes[1].path) if i == 1 else ""},
            "anchor": f"x{axis}",
        }
    layout["annotations"] = [
        {
            "text": panel_title(report, k),
            "xref": "paper",
            "yref": "paper",
            "x": (i + 0.5) / len(within),
            "y": 1.08,
            "xanchor": "center",
            "showarrow": False,
        }
        for i, k in enumerate(within)
    ]
    return {"data": data, "layout": layout}


def heatmap_html(report: SweepReport, path: Path) -> None:
    """Write the map as self-contained HTML (plotly, JavaScript inlined)."""
    import plotly.graph_objects as go

    spec = figure(report)
    fig = go.Figure(data=spec["data"], layout=spec["layout"])
    fig.update_layout(title={"text": title(report), "font": {"size": 14}})
    fig.add_annotation(
        text=CREDIT,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.18,
        showarrow=False,
        font={"size": 10, "color": "#555555"},
    )
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


__all__ = ["LEVELS", "axis_label", "draw", "figure", "heatmap_html", "heatmap_png", "write"]
