"""Figures for articles and the dashboard: PNG through matplotlib, HTML through plotly.

Gap figures (``gap_figure_png``, ``gap_figure_html``) have two panels sharing the time
axis: both groups' frontiers as step lines with the gap between them shaded, and the lag
in months (backward, the primary method, with its 95% band and censored values, which
are lower bounds, as open markers; forward dashed, drawn only where not censored).
Colours are the Okabe-Ito palette, safe for colour-blind readers; every figure carries
its data credit. HTML files inline plotly's JavaScript, so they open offline (no CDN).

Figures of other stages (forecast fans, sensitivity bars, ...) live here too, each in
its own clearly named functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gapcast.measure import GapResult

OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#999999",
}
"""The Okabe-Ito colour-blind-safe palette."""

LEADER_COLOR = OKABE_ITO["blue"]
CHALLENGER_COLOR = OKABE_ITO["vermillion"]
GAP_COLOR = OKABE_ITO["grey"]
FORWARD_COLOR = OKABE_ITO["green"]


def gap_curves(result: GapResult) -> pd.DataFrame:
    """Return both frontiers on a daily grid from the series start to ``as_of``.

    Frontiers of one-off metrics come from the frontier steps (exact release dates); those
    of snapshot metrics (LMArena) from the series (the snapshot in force on each date).
    """
    series = pd.DataFrame([row.to_dict() for row in result.series])
    series["date"] = pd.to_datetime(series["date"])
    grid = pd.date_range(series["date"].iloc[0], pd.Timestamp(result.as_of), freq="D")
    out = pd.DataFrame(index=grid)
    if "snapshot" in series.columns:
        for side in ("leader", "challenger"):
            values = series.set_index("date")[side].astype(float)
            out[side] = values.reindex(grid, method="ffill")
        return out
    steps = pd.DataFrame([step.to_dict() for step in result.steps])
    steps["date"] = pd.to_datetime(steps["date"])
    for side in ("leader", "challenger"):
        mine = steps.loc[steps["side"] == side].set_index("date")["score"].astype(float)
        mine = mine.groupby(level=0).max().sort_index()
        out[side] = mine.reindex(mine.index.union(grid)).ffill().reindex(grid)
    return out


def _series(result: GapResult) -> pd.DataFrame:
    rows = []
    for row in result.series:
        rows.append(
            {
                "date": pd.Timestamp(row.date),
                "lag": row.lag_months,
                "lo": row.lag_months_ci[0],
                "hi": row.lag_months_ci[1],
                "censored": row.lag_censored,
                "forward": row.lag_forward_months,
                "forward_censored": row.lag_forward_censored,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("lag", "lo", "hi", "forward"):
        frame[column] = frame[column].astype(float)
    return frame


def _titles(result: GapResult, title: str) -> tuple[str, str]:
    settings = result.settings
    extra = ""
    if "category" in settings:
        style = "style control on" if settings.get("style_control") else "style control off"
        extra = f" ({settings['category']}, {style})"
    head = f"{title}{extra}: {result.leader.group} vs {result.challenger.group}"
    gap = result.gap_points
    lag = result.lag.months
    sub = (
        f"as of {result.as_of.isoformat()}: gap "
        f"{'n/a' if gap is None else f'{gap:.1f}'}, lag "
        f"{'n/a' if lag is None else f'{lag:.1f}'} months"
    )
    return head, sub


def gap_figure_png(
    result: GapResult, path: str | Path, *, title: str, unit: str, credit: str
) -> None:
    """Write the gap figure as a PNG (matplotlib, no global pyplot state)."""
    from matplotlib.figure import Figure

    curves, lags = gap_curves(result), _series(result)
    head, sub = _titles(result, title)
    fig = Figure(figsize=(9, 7), dpi=150, layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    x = curves.index.to_numpy()
    lead, chal = curves["leader"].to_numpy(), curves["challenger"].to_numpy()
    both = np.isfinite(lead) & np.isfinite(chal)
    top.fill_between(
        x, chal, lead, where=both, color=GAP_COLOR, alpha=0.3, step="post", label="gap", linewidth=0
    )
    top.step(
        x,
        lead,
        where="post",
        color=LEADER_COLOR,
        linewidth=2,
        label=f"{result.leader.group} frontier",
    )
    top.step(
        x,
        chal,
        where="post",
        color=CHALLENGER_COLOR,
        linewidth=2,
        label=f"{result.challenger.group} frontier",
    )
    top.set_ylabel(f"frontier ({unit})")
    top.set_title(f"{head}\n{sub}", loc="left", fontsize=11)
    top.legend(loc="upper left", frameon=False)
    top.grid(alpha=0.3)
    d = lags["date"].to_numpy()
    bottom.fill_between(
        d, lags["lo"], lags["hi"], color=LEADER_COLOR, alpha=0.15, linewidth=0, label="95% interval"
    )
    bottom.plot(d, lags["lag"], color=LEADER_COLOR, linewidth=1.8, label="lag, backward (primary)")
    forward = lags["forward"].where(~lags["forward_censored"].astype(bool))
    bottom.plot(
        d, forward, color=FORWARD_COLOR, linewidth=1.4, linestyle="--", label="lag, forward"
    )
    cens = lags["censored"].to_numpy(dtype=bool)
    if cens.any():
        bottom.plot(
            d[cens],
            lags["lag"].to_numpy()[cens],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            color=LEADER_COLOR,
            label="censored (at least)",
        )
    bottom.set_ylabel("lag (months)")
    bottom.set_xlabel("date")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper left", frameon=False, fontsize=8)
    bottom.grid(alpha=0.3)
    fig.text(
        0.01, 0.002, f"{credit} · gapcast", fontsize=8, color="#555555", ha="left", va="bottom"
    )
    fig.savefig(Path(path), format="png")


def gap_figure_html(
    result: GapResult, path: str | Path, *, title: str, unit: str, credit: str
) -> None:
    """Write the gap figure as a self-contained HTML page (plotly, JavaScript inlined)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    curves, lags = gap_curves(result), _series(result)
    head, sub = _titles(result, title)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06
    )
    x = curves.index
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curves["leader"],
            name=f"{result.leader.group} frontier",
            line={"color": LEADER_COLOR, "shape": "hv", "width": 2},
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curves["challenger"],
            fill="tonexty",
            fillcolor="rgba(153,153,153,0.3)",
            name=f"{result.challenger.group} frontier (gap shaded)",
            line={"color": CHALLENGER_COLOR, "shape": "hv", "width": 2},
        ),
        row=1,
        col=1,
    )
    d = lags["date"]
    fig.add_trace(
        go.Scatter(x=d, y=lags["hi"], line={"width": 0}, showlegend=False, hoverinfo="skip"),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=d,
            y=lags["lo"],
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(0,114,178,0.15)",
            name="95% interval",
            hoverinfo="skip",
        ),
        row=2,
        col=1,
    )
    marker: dict[str, Any] = {
        "color": LEADER_COLOR,
        "symbol": ["circle-open" if c else "circle" for c in lags["censored"]],
    }
    fig.add_trace(
        go.Scatter(
            x=d,
            y=lags["lag"],
            mode="lines+markers",
            marker=marker,
            name="lag, backward (primary; open = censored)",
            line={"color": LEADER_COLOR},
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=d,
            y=lags["forward"].where(~lags["forward_censored"].astype(bool)),
            name="lag, forward (shown where not censored)",
            line={"color": FORWARD_COLOR, "dash": "dash"},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text=f"frontier ({unit})", row=1, col=1)
    fig.update_yaxes(title_text="lag (months)", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="date", row=2, col=1)
    fig.update_layout(
        title={"text": f"{head}<br><sup>{sub}</sup>", "x": 0.01},
        template="plotly_white",
        height=720,
        legend={"orientation": "h", "y": -0.12},
        annotations=[
            *fig.layout.annotations,
            {
                "text": f"{credit} · gapcast",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.2,
                "showarrow": False,
                "font": {"size": 10, "color": "#555555"},
                "xanchor": "left",
            },
        ],
    )
    fig.write_html(str(Path(path)), include_plotlyjs=True, full_html=True)
