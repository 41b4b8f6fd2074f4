"""Forecast figures: fan charts of both frontiers and the probability of overtaking.

One forecast: top panel, each group's measured frontier (monthly, before the as-of date)
and its forecast median with 50% and 90% bands; bottom panel, the probability that the
challenger is ahead at month ``t`` and that it has been ahead at some month up to ``t``,
for the model asked for (and, for the ensemble, the trend and compute models, thinner).
Several forecasts (``--compare``): P(ahead by month t) and the median gap per scenario.

PNG through matplotlib (no pyplot state), HTML through plotly with its JavaScript inlined
(opens offline). Colours: the Okabe-Ito palette of ``gapcast.report.plots``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gapcast.errors import RequestError
from gapcast.model.inputs import month_date
from gapcast.model.results import ModelForecast
from gapcast.report.plots import CHALLENGER_COLOR, LEADER_COLOR, OKABE_ITO
from gapcast.usecases.forecast import ForecastReport

CREDIT = "Data: Epoch AI (CC BY 4.0) · gapcast"
_SCENARIO_COLORS = [
    OKABE_ITO[c]
    for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "grey", "yellow")
]


def _dates(f: ModelForecast) -> list[dt.date]:
    return [month_date(f.as_of, t) for t in range(f.horizon + 1)]


def _history(report: ForecastReport, role: str) -> tuple[list[dt.date], list[float]]:
    group = report.inputs["groups"][role]
    hist = list(group.get("history", []))
    n = len(hist)
    as_of = report.selected.as_of
    dates = [month_date(as_of, t - n) for t in range(n)] + [as_of]
    return dates, hist + [group["frontier"]]


def write(reports: Sequence[ForecastReport], path: str | Path) -> Path:
    """Write the figure of one forecast, or of a comparison, to ``.png`` or ``.html``."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".html"):
        raise RequestError("plot", f"'{target.name}' must end in .png or .html")
    if len(reports) == 1:
        (fan_png if suffix == ".png" else fan_html)(reports[0], target)
    else:
        (compare_png if suffix == ".png" else compare_html)(reports, target)
    return target


def _title(report: ForecastReport) -> str:
    f = report.selected
    return (
        f"{report.scenario.name} · {report.model} model · {f.groups[0]} vs {f.groups[1]} "
        f"({report.scenario.metric.upper()}), as of {f.as_of.isoformat()}"
    )


def fan_png(report: ForecastReport, path: Path) -> None:
    """Write the fan chart of one forecast as a PNG."""
    from matplotlib.figure import Figure

    f = report.selected
    x = np.array(_dates(f), dtype="datetime64[D]")
    fig = Figure(figsize=(9, 7), dpi=150, layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 2])
    for role, color, i in (("leader", LEADER_COLOR, 0), ("challenger", CHALLENGER_COLOR, 1)):
        fan = f.fan[role]
        hx, hy = _history(report, role)
        if hx:
            top.step(
                np.array(hx, dtype="datetime64[D]"),
                hy,
                where="post",
                color=color,
                linewidth=1.5,
                alpha=0.8,
            )
        top.fill_between(x, fan[:, 0], fan[:, 4], color=color, alpha=0.12, linewidth=0)
        top.fill_between(x, fan[:, 1], fan[:, 3], color=color, alpha=0.25, linewidth=0)
        top.plot(
            x,
            fan[:, 2],
            color=color,
            linewidth=2,
            label=f"{f.groups[i]}: median, 50% and 90% bands",
        )
    top.axvline(x[0], color="#555555", linewidth=0.8, linestyle=":")
    top.set_ylabel(f"frontier ({report.scenario.metric.upper()} points)")
    top.set_title(_title(report), loc="left", fontsize=10)
    top.legend(loc="upper left", frameon=False, fontsize=8)
    top.grid(alpha=0.3)
    months = np.arange(f.horizon + 1)
    bottom.plot(
        months,
        f.p_ahead,
        color=CHALLENGER_COLOR,
        linewidth=2,
        label=f"P({f.groups[1]} ahead at month t)",
    )
    bottom.plot(
        months,
        f.within_all,
        color=CHALLENGER_COLOR,
        linewidth=2,
        linestyle="--",
        label="P(ahead at some month ≤ t)",
    )
    for name, style in (("trend", ":"), ("compute", "-.")):
        other = report.forecast.models.get(name)
        if other is not None and name != report.model:
            bottom.plot(
                months,
                other.within_all,
                color="#555555",
                linewidth=1,
                linestyle=style,
                label=f"{name} model: P(ahead by t)",
            )
    bottom.set_ylim(0, 1)
    bottom.set_xlim(0, f.horizon)
    bottom.set_xlabel("months after the as-of date")
    bottom.set_ylabel("probability")
    bottom.legend(loc="upper left", frameon=False, fontsize=8)
    bottom.grid(alpha=0.3)
    fig.text(0.01, 0.002, CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.savefig(path, format="png")


def fan_html(report: ForecastReport, path: Path) -> None:
    """Write the fan chart of one forecast as self-contained HTML (plotly)."""
    from plotly.subplots import make_subplots

    f = report.selected
    x = [d.isoformat() for d in _dates(f)]
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[0.6, 0.4],
        vertical_spacing=0.1,
        subplot_titles=(
            "Frontiers: median, 50% and 90% bands",
            "Probability the challenger is ahead",
        ),
    )
    for role, color, i in (("leader", LEADER_COLOR, 0), ("challenger", CHALLENGER_COLOR, 1)):
        fan = f.fan[role]
        hx, hy = _history(report, role)
        if hx:
            fig.add_scatter(
                x=[d.isoformat() for d in hx],
                y=hy,
                mode="lines",
                line={"color": color, "shape": "hv", "width": 1.5},
                name=f"{f.groups[i]} (measured)",
                row=1,
                col=1,
            )
        for lo, hi, alpha in ((0, 4, 0.12), (1, 3, 0.25)):
            fig.add_scatter(
                x=x + x[::-1],
                y=list(fan[:, lo]) + list(fan[::-1, hi]),
                fill="toself",
                line={"width": 0},
                fillcolor=_rgba(color, alpha),
                hoverinfo="skip",
                showlegend=False,
                row=1,
                col=1,
            )
        fig.add_scatter(
            x=x,
            y=list(fan[:, 2]),
            mode="lines",
            line={"color": color, "width": 2},
            name=f"{f.groups[i]} median",
            row=1,
            col=1,
        )
    months = list(range(f.horizon + 1))
    fig.add_scatter(
        x=months,
        y=list(f.p_ahead),
        mode="lines",
        name="P(ahead at month t)",
        line={"color": CHALLENGER_COLOR, "width": 2},
        row=2,
        col=1,
    )
    fig.add_scatter(
        x=months,
        y=list(f.within_all),
        mode="lines",
        name="P(ahead by month t)",
        line={"color": CHALLENGER_COLOR, "width": 2, "dash": "dash"},
        row=2,
        col=1,
    )
    for name, dash in (("trend", "dot"), ("compute", "dashdot")):
        other = report.forecast.models.get(name)
        if other is not None and name != report.model:
            fig.add_scatter(
                x=months,
                y=list(other.within_all),
                mode="lines",
                name=f"{name}: P(ahead by t)",
                line={"color": "#555555", "width": 1, "dash": dash},
                row=2,
                col=1,
            )
    fig.update_yaxes(title_text=f"{report.scenario.metric.upper()} points", row=1, col=1)
    fig.update_yaxes(title_text="probability", range=[0, 1], row=2, col=1)
    fig.update_xaxes(title_text="months after the as-of date", row=2, col=1)
    _finish(fig, _title(report), path)


def compare_png(reports: Sequence[ForecastReport], path: Path) -> None:
    """Write P(ahead by month) and the median gap of several scenarios as a PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 7), dpi=150, layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    for i, rep in enumerate(reports):
        f = rep.selected
        color = _SCENARIO_COLORS[i % len(_SCENARIO_COLORS)]
        months = np.arange(f.horizon + 1)
        top.plot(months, f.within_all, color=color, linewidth=2, label=rep.scenario.name)
        bottom.plot(months, f.fan["gap"][:, 2], color=color, linewidth=2)
    f0 = reports[0].selected
    top.set_title(
        f"P({f0.groups[1]} ahead at some month ≤ t) · {reports[0].model} model · as "
        f"of {f0.as_of.isoformat()}",
        loc="left",
        fontsize=10,
    )
    top.set_ylim(0, 1)
    top.set_ylabel("probability")
    top.legend(loc="upper left", frameon=False, fontsize=8)
    top.grid(alpha=0.3)
    bottom.axhline(0, color="#555555", linewidth=0.8)
    bottom.set_ylabel("median gap (points, leader - challenger)")
    bottom.set_xlabel("months after the as-of date")
    bottom.grid(alpha=0.3)
    fig.text(0.01, 0.002, CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.savefig(path, format="png")


def compare_html(reports: Sequence[ForecastReport], path: Path) -> None:
    """Write P(ahead by month) and the median gap of several scenarios as HTML."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        subplot_titles=(
            "P(challenger ahead at some month ≤ t)",
            "Median gap (points, leader - challenger)",
        ),
    )
    for i, rep in enumerate(reports):
        f = rep.selected
        color = _SCENARIO_COLORS[i % len(_SCENARIO_COLORS)]
        months = list(range(f.horizon + 1))
        fig.add_scatter(
            x=months,
            y=list(f.within_all),
            mode="lines",
            name=rep.scenario.name,
            line={"color": color, "width": 2},
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=months,
            y=list(f.fan["gap"][:, 2]),
            mode="lines",
            name=rep.scenario.name,
            line={"color": color, "width": 2},
            showlegend=False,
            row=2,
            col=1,
        )
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_xaxes(title_text="months after the as-of date", row=2, col=1)
    _finish(
        fig,
        f"Scenarios · {reports[0].model} model · as of {reports[0].selected.as_of.isoformat()}",
        path,
    )


def _finish(fig: Any, title: str, path: Path) -> None:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        template="plotly_white",
        height=750,
        annotations=list(fig.layout.annotations)
        + [
            {
                "text": CREDIT,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.12,
                "showarrow": False,
                "font": {"size": 10, "color": "#555555"},
            }
        ],
    )
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
