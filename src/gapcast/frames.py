"""Result objects as pandas tables, for notebooks: ``.to_frame()`` and ``_repr_html_``.

The library's result objects (``gapcast.gap``, ``gapcast.forecast``, ``gapcast.fit``) inherit
``Tabular``: ``report.to_frame()`` returns a ``pandas.DataFrame`` built from the same numbers
as ``to_dict()``, and Jupyter shows a report as that table (with a one-line caption) instead
of a dataclass repr. Column names use the glossary's words; intervals are two columns.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS = 20
"""Rows a notebook shows of a long table (the frame itself keeps them all)."""


class Tabular:
    """Mixin: ``to_frame()`` (pandas) and ``_repr_html_`` (Jupyter) from ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        """Return the JSON-ready form."""
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a pandas DataFrame (see ``gapcast.frames``)."""
        return FRAMES[type(self).__name__](self.to_dict())

    def _caption(self) -> str:
        return CAPTIONS.get(type(self).__name__, lambda d: "")(self.to_dict())

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        caption = html.escape(self._caption())
        table = frame.to_html(max_rows=MAX_ROWS, float_format=lambda v: f"{v:,.3g}")
        return f"<div><p><strong>{caption}</strong></p>{table}</div>"


def gap_frame(d: dict[str, Any]) -> pd.DataFrame:
    """Return the gap series, one row per date, with intervals as ``_lo``/``_hi`` columns."""
    import pandas as pd

    rows = []
    for r in d["series"]:
        rows.append(
            {
                "date": pd.Timestamp(r["date"]),
                "leader": r["leader"],
                "challenger": r["challenger"],
                "gap": r["gap_points"],
                "gap_lo95": r["gap_points_ci"][0],
                "gap_hi95": r["gap_points_ci"][1],
                "lag_months": r["lag_months"],
                "lag_lo95": r["lag_months_ci"][0],
                "lag_hi95": r["lag_months_ci"][1],
                "lag_at_least": r["lag_censored"],
            }
        )
    frame = pd.DataFrame(rows).set_index("date")
    frame.attrs.update(
        {
            "metric": d["metric"],
            "leader": d["leader"]["group"],
            "challenger": d["challenger"]["group"],
            "as_of": d["as_of"],
            "unit": d.get("unit"),
        }
    )
    return frame


def forecast_frame(d: dict[str, Any]) -> pd.DataFrame:
    """Return P(ahead within each horizon) per model, with its Monte Carlo error and the gap."""
    import pandas as pd

    rows = []
    for name, m in d["forecast"]["models"].items():
        for k, p in m["p_ahead_within"].items():
            q = m["gap_quantiles"].get(k) or m["gap_quantiles"].get(str(k)) or {}
            rows.append(
                {
                    "model": name,
                    "within_months": int(k),
                    "p_ahead": p,
                    "mc_error": m["p_ahead_within_se"][k],
                    "gap_q05": q.get("q05"),
                    "gap_q50": q.get("q50"),
                    "gap_q95": q.get("q95"),
                }
            )
    head = d.get("headline")
    if head and head.get("p_within"):
        for k, p in head["p_within"].items():
            lo, hi = head["interval90"][k]
            rows.append(
                {
                    "model": f"{head['model']} ({head['event']})",
                    "within_months": int(k),
                    "p_ahead": p,
                    "mc_error": head["mc_se"][k],
                    "p_lo90": lo,
                    "p_hi90": hi,
                }
            )
    frame = pd.DataFrame(rows).set_index(["model", "within_months"])
    frame.attrs.update({"scenario": d["scenario"], "as_of": d["as_of"], "draws": d["draws"]})
    return frame


def fit_frame(d: dict[str, Any]) -> pd.DataFrame:
    """Return each parameter's posterior: mean, sd, 90% interval, diagnostics, label."""
    import pandas as pd

    rows = []
    for p in d["parameters"]:
        lo, hi = p["ci90"]
        rows.append(
            {
                "parameter": p["name"],
                "mean": p["mean"],
                "sd": p["sd"],
                "lo90": lo,
                "hi90": hi,
                "r_hat": p["r_hat"],
                "ess": p["ess"],
                "sd_ratio": p["sd_ratio"],
                "label": p["status"],
            }
        )
    frame = pd.DataFrame(rows).set_index("parameter")
    frame.attrs.update(
        {"as_of": d["as_of"], "method": d["method"], "draws": d["draws"], "scenario": d["scenario"]}
    )
    return frame


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


FRAMES = {"GapReport": gap_frame, "ForecastReport": forecast_frame, "FitReport": fit_frame}
CAPTIONS = {
    "GapReport": lambda d: (
        f"{d['title']}: {d['leader']['group']} vs {d['challenger']['group']}, as of "
        f"{d['as_of']}: gap {_num(d['gap_points'])} {d['unit']}, lag "
        f"{_num(d['lag_months'])} months"
    ),
    "ForecastReport": lambda d: (
        f"Forecast, scenario {d['scenario']}, as of {d['as_of']}, {d['draws']:,} draws per model"
    ),
    "FitReport": lambda d: (
        f"Structural model, {d['method']}, {d['draws']:,} draws, as of {d['as_of']}, priors of "
        f"scenario {d['scenario']}, {d['divergences']} divergences"
    ),
}
