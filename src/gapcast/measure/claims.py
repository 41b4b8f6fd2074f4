"""Published measurements of the gap, re-measured on their own definitions.

Pure functions over resolved ``scores`` and ``models`` (no I/O). Each returns a
:class:`Remeasure`: gapcast's value on the claim's definition, the same under other rules
(which models count, which snapshot, preview entries), and what the value was built from,
so a reader can see *why* it differs from the published figure.

Groups in the claims' vocabulary (:func:`side_mask`)
----------------------------------------------------
A label is a country (``United States``, ``China``), an accessibility (``open``,
``closed``), or a combination ``<country> open-weights`` / ``<country> closed``. A model
belongs to a side when it matches every part. ``everyone but <label>`` is the complement
(the rest of a leaderboard, for "is a Chinese model at the top").

Definitions
-----------
``relative_gap`` (AI Index, Arena)
    ``(top leader rating - top challenger rating) / top challenger rating x 100`` in the
    last LMArena snapshot on or before the date (text, overall, style control off).
``gap`` (AI Index, MMLU / MATH)
    Best leader score minus best challenger score among models released on or before the
    date, in percentage points (fractions x 100).
``mean_gap`` / ``mean_lag_months`` (Epoch, ECI open vs closed)
    Mean over month ends from ``start`` to the date of the closed - open frontier gap in
    ECI points, and of the lag (months before each date the closed frontier first reached
    the open frontier's value; ``gapcast.measure.gaps``).
``growth_per_year`` (Epoch, training compute)
    ``10 ** slope`` of an ordinary least-squares fit of ``log10`` FLOP on the release year
    of the models that were among the side's ``top`` largest training runs when released,
    from ``start`` to the date. Every model with a training-compute estimate counts: the
    models table has no domain, so vision and other non-language models count too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gapcast.measure.frontier import Groups, evaluation_dates, make_points
from gapcast.measure.gaps import gap_series
from gapcast.measure.points import TRAINING_COMPUTE, Selection, metric_rows

__all__ = [
    "LEADER_LABEL",
    "CHALLENGER_LABEL",
    "Remeasure",
    "arena_relative_gap",
    "benchmark_gap",
    "compute_growth",
    "eci_open_closed",
    "side_groups",
    "side_mask",
]

LEADER_LABEL = "leader side"
CHALLENGER_LABEL = "challenger side"
_ACCESS = {"open": "open", "open-weights": "open", "closed": "closed", "closed-weights": "closed"}
_EVERYONE = "everyone but "


@dataclass(frozen=True)
class Remeasure:
    """A published figure beside gapcast's value on the same definition.

    ``variants`` maps a rule (in words) to the value under it; ``basis`` says what the
    value was built from (models, snapshot, dates).
    """

    value: float | None
    unit: str
    definition: str
    variants: dict[str, float | None] = field(default_factory=dict)
    basis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return plain data."""
        return {
            "value": self.value,
            "unit": self.unit,
            "definition": self.definition,
            "variants": dict(self.variants),
            "basis": dict(self.basis),
        }


def _parts(label: str) -> tuple[str | None, str | None]:
    """Split a side label into (country, accessibility)."""
    text = label.strip()
    if text.casefold() in _ACCESS:
        return None, _ACCESS[text.casefold()]
    for word, access in _ACCESS.items():
        if text.casefold().endswith(" " + word):
            return text[: -len(word) - 1].strip(), access
    return text, None


def side_mask(rows: pd.DataFrame, label: str) -> pd.Series:
    """Say which metric rows belong to the side ``label`` (module docstring)."""
    if label.casefold().startswith(_EVERYONE):
        return ~side_mask(rows, label[len(_EVERYONE) :])
    country, access = _parts(label)
    mask = pd.Series(True, index=rows.index)
    if country is not None:
        mask &= rows["country"].astype("string").str.casefold().eq(country.casefold()).fillna(False)
    if access is not None:
        mask &= rows["accessibility"].astype("string").eq(access).fillna(False)
    return mask.astype(bool)


def side_groups(rows: pd.DataFrame, leader: str, challenger: str) -> tuple[pd.DataFrame, Groups]:
    """Return rows relabelled so that ``Groups`` compares two arbitrary sides.

    The ``country`` column becomes :data:`LEADER_LABEL` / :data:`CHALLENGER_LABEL` (or
    missing); a row on both sides keeps the challenger's label.
    """
    label = pd.Series(pd.NA, index=rows.index, dtype="string")
    label[side_mask(rows, leader)] = LEADER_LABEL
    label[side_mask(rows, challenger)] = CHALLENGER_LABEL
    groups = Groups("country", (LEADER_LABEL,), (CHALLENGER_LABEL,))
    return rows.assign(country=label, countries=label), groups


def _best(rows: pd.DataFrame) -> dict[str, Any] | None:
    if rows.empty:
        return None
    top = rows.sort_values(["value", "date"], ascending=[False, True]).iloc[0]
    return {
        "model": str(top["version"]),
        "value": float(top["value"]),
        "date": str(pd.Timestamp(top["date"]).date()),
        "preliminary": bool(top["preliminary"]),
    }


def _arena(
    scores: pd.DataFrame,
    models: pd.DataFrame,
    leader: str,
    challenger: str,
    date: pd.Timestamp,
    selection: Selection,
    snapshot_at: pd.Timestamp | None = None,
) -> tuple[float | None, dict[str, Any]]:
    rows = metric_rows(scores, models, selection, snapshot_at or date)
    if rows.empty:
        return None, {}
    last = rows.loc[rows["snapshot"] == rows["snapshot"].max()]
    last = last.loc[last["date"] <= date]
    lead = _best(last.loc[side_mask(last, leader)])
    chal = _best(last.loc[side_mask(last, challenger)])
    basis: dict[str, Any] = {
        "snapshot": str(pd.Timestamp(last["snapshot"].max()).date()),
        "leader": lead,
        "challenger": chal,
    }
    if lead is None or chal is None:
        return None, basis
    unlabelled = last["country"].isna() | last["accessibility"].isna()
    outside = ~side_mask(last, leader) & ~side_mask(last, challenger) & unlabelled
    above = last.loc[outside & (last["value"] > chal["value"]), "version"]
    basis["unlabelled_above_challenger"] = sorted({str(v) for v in above})
    gap = lead["value"] - chal["value"]
    basis["gap_points"] = gap
    return gap / abs(chal["value"]) * 100.0, basis


def arena_relative_gap(
    scores: pd.DataFrame,
    models: pd.DataFrame,
    leader: str,
    challenger: str,
    date: pd.Timestamp,
    published: pd.Timestamp | None = None,
) -> Remeasure:
    """Re-measure the AI Index's relative Arena gap, under each preliminary-entry rule.

    With ``published``, one more variant reads the models available by ``date`` in the
    last snapshot before publication (a later leaderboard's ratings of the same models).
    """
    rules = {
        "default: released and publicly usable previews; no test entries": Selection("lmarena"),
        "released models only (no previews, no test entries)": Selection("lmarena", previews=False),
        "every entry (previews and anonymous test entries)": Selection(
            "lmarena", include_preliminary=True
        ),
        "style control on (default entries)": Selection("lmarena", style_control=True),
    }
    variants: dict[str, float | None] = {}
    bases: dict[str, Any] = {}
    for words, selection in rules.items():
        value, basis = _arena(scores, models, leader, challenger, date, selection)
        variants[words] = value
        bases[words] = basis
    if published is not None:
        words = f"ratings of the last snapshot before publication ({published.date()})"
        value, basis = _arena(
            scores, models, leader, challenger, date, Selection("lmarena"), published
        )
        variants[words] = value
        bases[words] = basis
    first = next(iter(rules))
    return Remeasure(
        variants[first],
        "percent",
        "(top leader - top challenger) / top challenger x 100, last LMArena text snapshot "
        f"on or before {date.date()}, overall",
        variants,
        {"rules": bases},
    )


def benchmark_gap(
    scores: pd.DataFrame,
    models: pd.DataFrame,
    metric: str,
    leader: str,
    challenger: str,
    date: pd.Timestamp,
) -> Remeasure:
    """Best leader score minus best challenger score by ``date`` (percentage points)."""
    rows = metric_rows(scores, models, Selection(metric), date)
    lead = _best(rows.loc[side_mask(rows, leader)])
    chal = _best(rows.loc[side_mask(rows, challenger)])
    value = None
    scale = 100.0 if rows["value"].max() <= 1.0 else 1.0
    if lead is not None and chal is not None:
        value = (lead["value"] - chal["value"]) * scale
    with_prelim = metric_rows(scores, models, Selection(metric, include_preliminary=True), date)
    alt_l = _best(with_prelim.loc[side_mask(with_prelim, leader)])
    alt_c = _best(with_prelim.loc[side_mask(with_prelim, challenger)])
    alt = (alt_l["value"] - alt_c["value"]) * scale if alt_l and alt_c else None
    return Remeasure(
        value,
        "percentage points",
        f"best {leader} - best {challenger} {metric} score among models released by {date.date()}",
        {"verified results only": value, "with unverified results": alt},
        {"leader": lead, "challenger": chal, "n_models": int(rows["model_id"].nunique())},
    )


def eci_open_closed(
    scores: pd.DataFrame,
    models: pd.DataFrame,
    date: pd.Timestamp,
    starts: tuple[pd.Timestamp, ...],
) -> tuple[Remeasure, Remeasure]:
    """Mean closed - open ECI gap and lag over month ends from each start to ``date``.

    The first start is the headline; the others are variants (the window changes the mean).
    """
    rows = metric_rows(scores, models, Selection("eci"), date)
    points = make_points(
        rows, Groups("accessibility", ("closed",), ("open",)), metric="eci", as_of=date
    )
    dates = evaluation_dates(points, "monthly")
    series = gap_series(points, dates)
    gaps: dict[str, float | None] = {}
    lags: dict[str, float | None] = {}
    for start in starts:
        part = series.loc[series.index >= start]
        words = f"month ends {start.date()} to {date.date()} ({len(part)} months)"
        gaps[words] = float(part["gap_points"].mean()) if len(part) else None
        lags[words] = float(part["lag_months"].mean()) if len(part) else None
    head = next(iter(gaps))
    basis = {"months": len(series), "latest_gap": float(series["gap_points"].iloc[-1])}
    return (
        Remeasure(lags[head], "months", f"mean lag of open behind closed, {head}", lags, basis),
        Remeasure(gaps[head], "ECI points", f"mean closed - open gap, {head}", gaps, basis),
    )


def compute_growth(
    models: pd.DataFrame,
    scores: pd.DataFrame,
    side: str,
    date: pd.Timestamp,
    start: pd.Timestamp,
    top: int = 10,
) -> Remeasure:
    """Growth per year of the side's largest training runs (module docstring)."""
    rows = metric_rows(scores, models, Selection(TRAINING_COMPUTE), date)
    variants: dict[str, float | None] = {}
    basis: dict[str, Any] = {}
    for label in (side, _EVERYONE + side):
        own = rows.loc[side_mask(rows, label) & (rows["date"] >= start)]
        own = own.drop_duplicates("model_id").sort_values("date")
        kept = []
        for i in range(len(own)):
            earlier = own["value"].iloc[: i + 1]
            if (earlier > own["value"].iloc[i]).sum() < top:
                kept.append(i)
        sel = own.iloc[kept]
        year = pd.to_datetime(sel["date"])
        x = (year.dt.year + (year.dt.day_of_year - 1) / 365.25).to_numpy(np.float64)
        y = sel["value"].to_numpy(np.float64)
        growth = float(10.0 ** np.polyfit(x, y, 1)[0]) if len(sel) >= 3 else None
        variants[f"{label}: top {top} when released"] = growth
        basis[label] = {
            "models": len(sel),
            "of": len(own),
            "first_counted": [str(m) for m in sel["model"].head(5)],
        }
        largest = own.nlargest(top, "value")
        when = pd.to_datetime(largest["date"])
        xs = (when.dt.year + (when.dt.day_of_year - 1) / 365.25).to_numpy(np.float64)
        variants[f"{label}: the {top} largest runs of the window"] = (
            float(10.0 ** np.polyfit(xs, largest["value"].to_numpy(np.float64), 1)[0])
            if len(largest) >= 3
            else None
        )
    return Remeasure(
        variants[f"{side}: top {top} when released"],
        "x per year",
        f"10^slope of log10 FLOP on release year, models among {side}'s top {top} training "
        f"runs when released, {start.date()} to {date.date()}",
        variants,
        basis,
    )
