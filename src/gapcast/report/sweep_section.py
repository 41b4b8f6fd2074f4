"""The report's map section: P(challenger ahead) over two assumptions (the shipped sweep).

Reads the ``SweepReport`` the report data carries (``gapcast.usecases.sweep.shipped``) and
returns the template's context for ``templates/sweep.html.j2``: sentences built from the
map's numbers, and the heatmaps as inline SVG labelled in the report's language.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup

from gapcast import glossary
from gapcast.report.i18n import Locale
from gapcast.usecases.sweep import SweepReport


def _param(loc: Locale, path: str) -> str:
    return glossary.label(path, loc.lang)


def _svg(report: SweepReport, loc: Locale, labels: tuple[str, str]) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from gapcast.report.figures import RC, _render
    from gapcast.report.sweep_plots import draw

    challenger = loc.group_name(report.groups[1])
    titles = {
        k: loc.t("sweep.panel", challenger=challenger, horizon=loc.horizon(k)) for k in (36, 60)
    }
    with rc_context(RC):
        fig = Figure(figsize=(9.5, 3.8), layout="constrained")
        draw(report, fig, labels=labels, titles=titles, scale=loc.t("sweep.scale"))
    return _render(fig, "fig-sweep")


def sweep_section(report: SweepReport | None, missing: str | None, loc: Locale) -> dict[str, Any]:
    """Return the map's paragraphs and figure (or why it is absent)."""
    if report is None or len(report.result.sweep.axes) != 2:
        reason = missing or loc.t("n_a")
        return {"paragraphs": [loc.t("sweep.missing", reason=reason)], "figure": None}
    ax, ay = report.result.sweep.axes
    labels = (_param(loc, ax.path), _param(loc, ay.path))
    challenger = loc.group(report.groups[1])
    z = report.result.surface(60)
    lo, hi = np.unravel_index(np.argmin(z), z.shape), np.unravel_index(np.argmax(z), z.shape)
    mid_x, mid_y = len(ax.values) // 2, len(ay.values) // 2
    paragraphs = [
        loc.t(
            "sweep.intro",
            model=loc.t(f"model.{report.model}"),
            x=labels[0],
            y=labels[1],
            draws=loc.num(report.result.sweep.draws, 0),
            points=len(report.result.sweep.points),
        ),
        loc.t(
            "sweep.range",
            challenger=challenger,
            lo=loc.pct(float(z[lo])),
            hi=loc.pct(float(z[hi])),
            x_lo=loc.num(ax.values[lo[0]], 2),
            y_lo=loc.num(ay.values[lo[1]], 2),
            x_hi=loc.num(ax.values[hi[0]], 2),
            y_hi=loc.num(ay.values[hi[1]], 2),
        ),
        loc.t(
            "sweep.effects",
            x=labels[0],
            y=labels[1],
            x_from=loc.pct(float(z[0, mid_y])),
            x_to=loc.pct(float(z[-1, mid_y])),
            y_at=loc.num(ay.values[mid_y], 2),
            y_from=loc.pct(float(z[mid_x, 0])),
            y_to=loc.pct(float(z[mid_x, -1])),
            x_at=loc.num(ax.values[mid_x], 2),
        ),
    ]
    return {"paragraphs": paragraphs, "figure": Markup(_svg(report, loc, labels))}


__all__ = ["sweep_section"]
