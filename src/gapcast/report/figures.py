"""The report's figures as inline SVG, labelled in the report's language.

Figures are drawn with matplotlib (no pyplot state) and written as SVG with text kept as
text (``svg.fonttype = none``), so the browser renders every label, Chinese and Japanese
included, with its own fonts, and the report stays one self-contained file. Titles and
captions live in the HTML around each figure; inside a figure there are only short axis
labels and legends. Colours: the Okabe-Ito palette of ``gapcast.report.plots``.

Element ids inside each SVG are prefixed with the figure's name, so several figures can
sit in one HTML page without their clip paths colliding.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from gapcast.measure import GapResult
from gapcast.model.inputs import month_date
from gapcast.report.i18n import Locale
from gapcast.report.plots import CHALLENGER_COLOR, GAP_COLOR, LEADER_COLOR, OKABE_ITO, gap_curves
from gapcast.usecases.forecast import ForecastReport

RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "gapcast",
    "font.family": "sans-serif",
    "font.sans-serif": [
        "DejaVu Sans",
        "Noto Sans CJK SC",
        "Noto Sans CJK JP",
        "WenQuanYi Micro Hei",
        "IPAexGothic",
    ],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}
HISTORY_MONTHS = 36
"""Months of measured history the forecast figure shows before the as-of date."""
MODEL_COLORS = {
    "ensemble": CHALLENGER_COLOR,
    "trend": OKABE_ITO["sky"],
    "compute": OKABE_ITO["purple"],
}


def _svg(fig: Any, name: str) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # CJK glyphs may be missing from matplotlib's fonts: the browser draws them.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message="findfont", category=UserWarning)
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "gapcast"})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', text)
    return text.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def _figure(width: float, height: float, rows: int = 1, ratios: list[int] | None = None) -> Any:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(rows, 1, height_ratios=ratios) if rows > 1 else fig.subplots()
    return fig, axes


def _render(fig: Any, name: str) -> str:
    from matplotlib import rc_context

    with rc_context(RC):
        return _svg(fig, name)


def frontier_svg(result: GapResult, loc: Locale, unit: str) -> str:
    """Return both frontiers with the gap shaded (top) and the lag in months (bottom)."""
    from matplotlib import rc_context

    curves = gap_curves(result)
    leader = loc.group_name(result.leader.group)
    challenger = loc.group_name(result.challenger.group)
    with rc_context(RC):
        fig, (top, bottom) = _figure(8.5, 6.2, 2, [3, 2])
        x = curves.index.to_numpy()
        lead, chal = curves["leader"].to_numpy(), curves["challenger"].to_numpy()
        both = np.isfinite(lead) & np.isfinite(chal)
        top.fill_between(
            x,
            chal,
            lead,
            where=both,
            step="post",
            color=GAP_COLOR,
            alpha=0.3,
            linewidth=0,
            label=loc.t("fig.gap"),
        )
        top.step(x, lead, where="post", color=LEADER_COLOR, linewidth=2, label=leader)
        top.step(x, chal, where="post", color=CHALLENGER_COLOR, linewidth=2, label=challenger)
        top.set_ylabel(unit)
        top.legend(loc="upper left")
        rows = pd.DataFrame([r.to_dict() for r in result.series])
        rows = rows.loc[rows["lag_months"].notna()]
        d = pd.to_datetime(rows["date"]).to_numpy()
        lo = np.array([ci[0] if ci[0] is not None else np.nan for ci in rows["lag_months_ci"]])
        hi = np.array([ci[1] if ci[1] is not None else np.nan for ci in rows["lag_months_ci"]])
        bottom.fill_between(
            d, lo, hi, color=CHALLENGER_COLOR, alpha=0.15, linewidth=0, label=loc.t("fig.band95")
        )
        bottom.plot(
            d,
            rows["lag_months"].astype(float),
            color=CHALLENGER_COLOR,
            linewidth=1.8,
            label=loc.t("fig.lag"),
        )
        cens = rows["lag_censored"].to_numpy(dtype=bool)
        if cens.any():
            bottom.plot(
                d[cens],
                rows["lag_months"].to_numpy(dtype=float)[cens],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                color=CHALLENGER_COLOR,
                label=loc.t("fig.censored"),
            )
        bottom.set_ylabel(loc.t("fig.lag_axis"))
        bottom.set_ylim(bottom=0)
        bottom.set_xlim(top.get_xlim())
        bottom.legend(loc="upper left", fontsize=8)
        return _render(fig, "frontier")


def forecast_svg(report: ForecastReport, loc: Locale) -> str:
    """Return the fan chart of both frontiers (top) and P(challenger ahead) (bottom)."""
    from matplotlib import rc_context

    sel = report.selected
    months = [month_date(sel.as_of, t) for t in range(sel.horizon + 1)]
    x = np.array(months, dtype="datetime64[D]")
    with rc_context(RC):
        fig, (top, bottom) = _figure(8.5, 6.6, 2, [3, 2])
        for role, color in (("leader", LEADER_COLOR), ("challenger", CHALLENGER_COLOR)):
            group = report.inputs["groups"][role]
            hist = [float(v) for v in group.get("history", [])][-HISTORY_MONTHS:]
            n = len(hist)
            hx = np.array(
                [month_date(sel.as_of, t - n) for t in range(n)] + [sel.as_of],
                dtype="datetime64[D]",
            )
            label = loc.group_name(group["label"])
            top.step(
                hx,
                hist + [float(group["frontier"])],
                where="post",
                color=color,
                linewidth=2,
                label=loc.t("fig.measured", group=label),
            )
            fan = sel.fan[role]
            top.fill_between(x, fan[:, 0], fan[:, 4], color=color, alpha=0.12, linewidth=0)
            top.fill_between(x, fan[:, 1], fan[:, 3], color=color, alpha=0.25, linewidth=0)
            top.plot(
                x,
                fan[:, 2],
                color=color,
                linewidth=1.6,
                linestyle="--",
                label=loc.t("fig.median_forecast", group=label),
            )
        start = np.datetime64(month_date(sel.as_of, -HISTORY_MONTHS))
        for ax in (top, bottom):
            ax.axvline(np.datetime64(sel.as_of), color="#555555", linewidth=0.8)
            ax.set_xlim(start, x[-1])
        top.set_ylabel(report.scenario.metric.upper())
        top.legend(loc="upper left", fontsize=8, ncol=2)
        for name in ("trend", "compute", "ensemble"):
            f = report.forecast.models.get(name)
            if f is None:
                continue
            main = name == report.model
            bottom.plot(
                x,
                100 * f.within_all,
                color=MODEL_COLORS[name],
                linewidth=2.6 if main else 1.4,
                linestyle="-" if main else "--",
                label=loc.t(f"model.{name}"),
            )
        bottom.set_ylim(0, 100)
        bottom.set_ylabel(loc.t("fig.p_axis", group=loc.group_name(sel.groups[1])))
        bottom.legend(loc="upper left", fontsize=8)
        return _render(fig, "forecast")


def bars_svg(
    name: str,
    labels: list[str],
    values: list[float],
    errors: list[tuple[float, float]] | None,
    xlabel: str,
) -> str:
    """Return horizontal bars (with optional asymmetric error bars), largest on top."""
    from matplotlib import rc_context

    with rc_context(RC):
        fig, ax = _figure(8.5, 0.55 * len(labels) + 1.2)
        y = np.arange(len(labels))
        colors = [LEADER_COLOR if v >= 0 else CHALLENGER_COLOR for v in values]
        xerr = None
        if errors is not None:
            xerr = np.array(
                [
                    [v - lo for v, (lo, _) in zip(values, errors, strict=True)],
                    [hi - v for v, (_, hi) in zip(values, errors, strict=True)],
                ]
            )
        ax.barh(y, values, color=colors, xerr=xerr, ecolor="#333333", capsize=3)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.axvline(0, color="#555555", linewidth=0.8)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        return _render(fig, name)
