"""LMArena events of the claims: simulated frontier paths and each claim's own rules.

``lmarena_paths`` is the one place that chooses the forecast model behind a claim's
probability (today the trend model on LMArena frontiers); ``forecast_claim`` reads a market
claim's rules (groups, deadline, ties, style control) and ``expert_claim`` maps a claim with
no metric onto every metric. ``observed_standing`` reads the same rules on the real
snapshots.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gapcast.errors import GapcastError, InsufficientDataError
from gapcast.evaluate import events
from gapcast.evaluate.events import Z95
from gapcast.measure import claims as remeasure
from gapcast.measure.points import Selection, metric_rows
from gapcast.model.engine import draw_params
from gapcast.model.inputs import ForecastInputs
from gapcast.model.trend import TrendModel
from gapcast.store import Store
from gapcast.usecases import scenarios
from gapcast.usecases.forecast_inputs import Tables, build_inputs

__all__ = [
    "EXPERT_HORIZONS",
    "FORECAST_MODEL",
    "MetricPaths",
    "claim_style",
    "text_of",
    "eci_answers",
    "expert_claim",
    "forecast_claim",
    "lmarena_end",
    "lmarena_paths",
    "observed_standing",
]

EXPERT_HORIZONS = (36, 60)
"""Months the expert's "3-5 years" maps to."""
FORECAST_MODEL = "trend"
"""The model behind LMArena event probabilities (the structural model will replace it)."""


@dataclass(frozen=True)
class MetricPaths:
    """Simulated frontier paths of one metric for an incumbent (0) and a challenger (1).

    ``paths`` is draws × months × 2, month 0 the as-of month; ``strata`` one number per draw
    to group the draws by parameter (interval); ``half_width`` the 95% interval half-width of
    today's top ratings; ``start`` both sides' ratings at the as-of date.
    """

    paths: np.ndarray
    strata: np.ndarray
    model: str
    as_of: dt.date
    half_width: float
    start: tuple[float, float]
    steps: tuple[int, int]


def _month_of(as_of: dt.date, day: dt.date) -> int:
    return (day.year * 12 + day.month) - (as_of.year * 12 + as_of.month)


def _relabelled(tables: Tables, leader: str, challenger: str, style_control: bool) -> Tables:
    """Return tables whose LMArena rows carry the two sides as countries (and one style)."""
    scores = tables.scores
    lm = (scores["metric"] == "lmarena").to_numpy()
    style = scores["style_control"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    keep = ~lm | (style == style_control)
    scores = scores.loc[keep]
    rows, _ = remeasure.side_groups(scores, leader, challenger)
    rows = rows.assign(style_control=scores["style_control"].where(~lm[keep], False))
    return Tables(rows, tables.models, tables.compute)


def lmarena_paths(
    tables: Tables,
    leader: str,
    challenger: str,
    *,
    style_control: bool,
    months: int,
    draws: int,
    seed: int,
    structural: ForecastInputs,
) -> MetricPaths:
    """Simulate LMArena frontier paths for two sides with today's forecast machinery.

    The one place that chooses the model: the trend model (compound Poisson frontier steps,
    ``gapcast.model.trend``) on the LMArena frontiers of the latest snapshot. Switching to
    the structural model means returning its paths here.
    """
    relabelled = _relabelled(tables, leader, challenger, style_control)
    overrides = [
        f"groups.leader.label={remeasure.LEADER_LABEL}",
        f"groups.challenger.label={remeasure.CHALLENGER_LABEL}",
        f"horizon_months={max(months, 1)}",
    ]
    scenario = scenarios.load("baseline", overrides)
    as_of = structural.as_of
    inputs = build_inputs(
        relabelled, scenario, as_of, frontier_metric="lmarena", structural=structural
    )
    model = TrendModel(scenario, inputs)
    keys, params = draw_params(model.space, seed, 0, draws)
    paths = model.paths(keys, params)
    strata = params["groups.challenger.releases.rate"] * np.mean(
        inputs.challenger.steps.sizes
    ) - params["groups.leader.releases.rate"] * np.mean(inputs.leader.steps.sizes)
    return MetricPaths(
        paths,
        np.asarray(strata, dtype=np.float64),
        FORECAST_MODEL,
        as_of,
        _half_width(tables, style_control, as_of),
        (inputs.leader.frontier, inputs.challenger.frontier),
        (inputs.leader.steps.n, inputs.challenger.steps.n),
    )


def _half_width(tables: Tables, style_control: bool, as_of: dt.date) -> float:
    """95% half-width of the top five ratings in the last snapshot (median)."""
    rows = metric_rows(
        tables.scores,
        tables.models,
        Selection("lmarena", style_control=style_control),
        pd.Timestamp(as_of),
    )
    last = rows.loc[rows["snapshot"] == rows["snapshot"].max()]
    top = last.nlargest(5, "value")
    return float(1.96 * top["sd"].median()) if len(top) else 0.0


def lmarena_end(tables: Tables) -> dt.date:
    """Return the date of the last LMArena snapshot in the tables."""
    rows = tables.scores.loc[tables.scores["metric"] == "lmarena", "as_of"]
    if rows.notna().sum() == 0:
        raise InsufficientDataError(
            "no LMArena snapshots in the store", hint="import data with `gapcast data import`"
        )
    return pd.Timestamp(rows.max()).date()


# --- the report -----------------------------------------------------------------------------


def text_of(value: Any) -> str:
    """Return a cell as text (missing -> empty)."""
    return "" if value is None or pd.isna(value) else str(value)


def _event_reading(event: str, rule: events.TieRule, deadline: dt.date) -> str:
    if event == "top_at_date":
        return f"standing on {deadline} only; {rule.describe()}"
    if event == "sole_top_any_time":
        return (
            f"alone at LMArena rank 1 (lower bound above every other model's upper bound) at "
            f"any month end up to {deadline}; {rule.describe()}"
        )
    return f"top rating at any month end up to {deadline}; {rule.describe()}"


def _incumbent(leader: str, challenger: str) -> str:
    """Return the side to beat: the claim's leader for combined groups, else everyone."""
    if any(w in challenger.casefold() for w in ("open", "closed")):
        return leader
    return f"everyone but {challenger}"


HISTORY_MONTHS = 24
"""How far back :func:`observed_standing` reads the leaderboard snapshots."""


def observed_standing(
    tables: Tables,
    leader: str,
    challenger: str,
    style_control: bool,
    rule: events.TieRule,
    as_of: dt.date,
) -> dict[str, Any]:
    """Read the event's rules on the real snapshots of the last :data:`HISTORY_MONTHS`.

    In how many LMArena snapshots the challenger held the top (ties per ``rule``) and was
    alone at rank 1 (from the rating intervals), and the last snapshot where it held the top.
    """
    end = pd.Timestamp(as_of)
    since = end - pd.DateOffset(months=HISTORY_MONTHS)
    rows = metric_rows(
        tables.scores, tables.models, Selection("lmarena", style_control=style_control), end
    )
    rows = rows.loc[rows["snapshot"] > since]
    inc, chal = remeasure.side_mask(rows, leader), remeasure.side_mask(rows, challenger)
    rows = rows.loc[inc | chal]
    half = Z95 * rows["sd"]
    table = events.standing(
        pd.DataFrame(
            {
                "snapshot": rows["snapshot"],
                "challenger": chal.loc[rows.index],
                "rating": rows["value"],
                "lo": rows["value"] - half,
                "hi": rows["value"] + half,
            }
        ),
        rule,
    )
    tops = table.loc[table["top"], "snapshot"]
    return {
        "since": since.date().isoformat(),
        "snapshots": len(table),
        "top": int(table["top"].sum()),
        "sole_top": int(table["sole_top"].sum()),
        "last_top": pd.Timestamp(tops.max()).date().isoformat() if len(tops) else None,
    }


PATH_MONTHS = 60
"""Months simulated for every claim (the longest deadline or expert horizon fits)."""


def _cached_paths(
    cache: dict[tuple[str, str, bool], MetricPaths],
    tables: Tables,
    structural: ForecastInputs,
    key: tuple[str, str, bool],
    draws: int,
    seed: int,
) -> MetricPaths:
    if key not in cache:
        cache[key] = lmarena_paths(
            tables,
            key[0],
            key[1],
            style_control=key[2],
            months=PATH_MONTHS,
            draws=draws,
            seed=seed,
            structural=structural,
        )
    return cache[key]


def claim_style(resolution: str) -> bool:
    """Return the style-control setting a claim's rules name.

    "style control off" / "removed" -> off; "style control on" -> on; unnamed -> on, the
    view LMArena's text leaderboard shows by default since May 2025 (what a reader of the
    leaderboard at the deadline sees).
    """
    text = resolution.casefold()
    return not ("style control off" in text or "style control removed" in text)


def forecast_claim(
    claim: pd.Series,
    tables: Tables,
    structural: ForecastInputs,
    draws: int,
    seed: int,
    cache: dict[tuple[str, str, bool], MetricPaths],
) -> dict[str, Any]:
    """Return gapcast's probability of a market claim's own LMArena event."""
    resolution = text_of(claim["resolution"])
    style = claim_style(resolution)
    ties_count = "ties count" in resolution
    leader = _incumbent(str(claim["leader"]), str(claim["challenger"]))
    challenger = str(claim["challenger"])
    deadline = pd.Timestamp(claim["deadline"]).date()
    month = _month_of(structural.as_of, deadline)
    if not 0 <= month <= PATH_MONTHS:
        raise InsufficientDataError(
            f"deadline {deadline} is outside the {PATH_MONTHS} months forecast from "
            f"{structural.as_of}"
        )
    results: dict[bool, tuple[events.EventProbability, MetricPaths, events.TieRule]] = {}
    for setting in (style, not style):
        try:
            mp = _cached_paths(
                cache, tables, structural, (leader, challenger, setting), draws, seed
            )
        except GapcastError:
            if setting == style:
                raise
            continue
        rule = events.TieRule(ties_count=ties_count, half_width=mp.half_width)
        hits = events.event_hits(mp.paths, str(claim["event"]), month, rule)
        results[setting] = (events.probability(hits, mp.strata), mp, rule)
    prob, mp, rule = results[style]
    return {
        "value": prob.p,
        "interval90": list(prob.interval90),
        "mc_se": prob.mc_se,
        "unit": "probability",
        "model": mp.model,
        "resolves_on": (
            f"LMArena text overall, style control {'on' if style else 'off'}; {challenger} vs "
            f"{leader}; " + _event_reading(str(claim["event"]), rule, deadline)
        ),
        "variants": {
            f"style control {'on' if k else 'off'}": v[0].p for k, v in sorted(results.items())
        },
        "basis": {
            "as_of": mp.as_of.isoformat(),
            "months": month,
            "start": {"incumbent": mp.start[0], "challenger": mp.start[1]},
            "frontier_steps_in_window": {"incumbent": mp.steps[0], "challenger": mp.steps[1]},
            "history": observed_standing(tables, leader, challenger, style, rule, mp.as_of),
        },
    }


def expert_claim(
    claim: pd.Series,
    tables: Tables,
    structural: ForecastInputs,
    draws: int,
    seed: int,
    cache: dict[tuple[str, str, bool], MetricPaths],
    eci: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """Answer a claim with no metric on LMArena (paths here) and on ECI (``eci``)."""
    leader, challenger = str(claim["leader"]), str(claim["challenger"])
    mp = _cached_paths(cache, tables, structural, (leader, challenger, True), draws, seed)
    rule = events.TieRule(ties_count=False)
    answers: dict[str, Any] = {}
    for h in EXPERT_HORIZONS:
        month = min(h, mp.paths.shape[1] - 1)
        prob = events.probability(events.event_hits(mp.paths, "ahead_within", month, rule))
        answers[f"lmarena/{FORECAST_MODEL}/{h}"] = {
            "value": prob.p,
            "interval90": list(prob.interval90),
        }
    for name, by_h in eci.items():
        for h in EXPERT_HORIZONS:
            if str(h) in by_h:
                answers[f"eci/{name}/{h}"] = by_h[str(h)]
    head = (
        answers.get(f"eci/trend/{max(EXPERT_HORIZONS)}")
        or answers[f"lmarena/{FORECAST_MODEL}/{max(EXPERT_HORIZONS)}"]
    )
    return {
        "value": head["value"],
        "interval90": head.get("interval90"),
        "unit": "probability",
        "model": "trend" if f"eci/trend/{max(EXPERT_HORIZONS)}" in answers else FORECAST_MODEL,
        "resolves_on": (
            "no metric named; mapped to P(China's best model strictly ahead of the US's at "
            f"some month end within {EXPERT_HORIZONS[0]} and {EXPERT_HORIZONS[1]} months), "
            "answered on each metric (LMArena: the default view, style control on); the "
            "headline is ECI, trend model, 60 months"
        ),
        "mapping": answers,
    }


def eci_answers(store: Store, tables: Tables, draws: int, seed: int) -> dict[str, Any]:
    """P(China ahead within 36/60 months) on ECI from the forecast's trend and compute models."""
    from gapcast.usecases import forecast

    try:
        report = forecast.forecast(
            store, "baseline", draws=draws, seed=seed, save=False, tables=tables
        )
    except GapcastError:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, result in report.forecast.to_dict()["models"].items():
        within, se = result["p_ahead_within"], result["p_ahead_within_se"]
        out[name] = {
            str(h): {
                "value": float(within[str(h)]),
                "interval90": [
                    max(0.0, within[str(h)] - 1.645 * se[str(h)]),
                    min(1.0, within[str(h)] + 1.645 * se[str(h)]),
                ],
            }
            for h in EXPERT_HORIZONS
            if str(h) in within
        }
    return out
