"""Claims beside gapcast: each market, expert and published figure on its own rules.

For every row of the claims table (``gapcast.sources.claims``):

- a market or expert probability on LMArena gets gapcast's probability of the same event
  (``gapcast.evaluate.events``) from simulated LMArena frontier paths
  (:func:`lmarena_paths`, today the trend model; each number names the model that made it);
- the expert claim, which names no metric, is mapped to "the challenger ahead within 36 and
  60 months" and answered on LMArena and on ECI (the forecast's own trend and compute
  models);
- a published measurement is re-measured on its definition (``gapcast.measure.claims``);
- anything else is listed with the reason it cannot be computed.

The latest recorded price of a claim (``prices`` table: fetched or recorded by hand) replaces
the file's value when it is newer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pandas as pd

from gapcast.errors import GapcastError, InsufficientDataError, NotFoundError, RequestError
from gapcast.evaluate import events
from gapcast.evaluate.events import Z95
from gapcast.measure import claims as remeasure
from gapcast.measure.points import Selection, metric_rows
from gapcast.model.engine import draw_params
from gapcast.model.inputs import ForecastInputs
from gapcast.model.trend import TrendModel
from gapcast.sources.claims import MARKETS, ClaimPrice, price_parsed
from gapcast.sources.markets import Quote, fetch_quote, today
from gapcast.store import FileImport, ImportResult, Store
from gapcast.usecases import scenarios
from gapcast.usecases.forecast_inputs import Tables, build_inputs

__all__ = [
    "CLAIMS_DRAWS",
    "ClaimsReport",
    "MetricPaths",
    "evaluate",
    "fetch_price",
    "lmarena_paths",
    "record_price",
]

CLAIMS_DRAWS = 4000
"""Monte Carlo draws per event (the interval is over ten groups of draws)."""
DEFAULT_SEED = 20260115
EXPERT_HORIZONS = (36, 60)
FORECAST_MODEL = "trend"
"""The model behind LMArena event probabilities (the structural model will replace it)."""
ECI_WINDOWS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01"))
"""Starts of the windows the open vs closed ECI means are taken over (the first is shown)."""
COMPUTE_SINCE = pd.Timestamp("2021-10-01")
"""Start of the training-compute growth fit ("since late 2021", Epoch's insight)."""


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


def _lmarena_end(tables: Tables) -> dt.date:
    rows = tables.scores.loc[tables.scores["metric"] == "lmarena", "as_of"]
    if rows.notna().sum() == 0:
        raise InsufficientDataError(
            "no LMArena snapshots in the store", hint="import data with `gapcast data import`"
        )
    return pd.Timestamp(rows.max()).date()


# --- the report -----------------------------------------------------------------------------


@dataclass
class ClaimsReport:
    """Every claim with gapcast's value beside it (``to_dict`` is the API's and CLI's JSON)."""

    as_of: dt.date | None
    draws: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "draws": self.draws,
            "seed": self.seed,
            "forecast_model": FORECAST_MODEL,
            "claims": self.rows,
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if not isinstance(value, str) and pd.isna(value):
        return None
    if isinstance(value, np.floating | np.integer):
        return value.item()
    return value


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _claim_rows(store: Store) -> pd.DataFrame:
    claims = store.table("claims")
    if claims.empty:
        raise NotFoundError(
            "no claims in the store",
            hint="import the claims file: `gapcast data import ../shared/claims`",
        )
    return claims.sort_values("row").reset_index(drop=True)


def _theirs(claim: pd.Series, prices: pd.DataFrame) -> dict[str, Any]:
    out = {
        "value": _plain(claim["value"]),
        "low": _plain(claim["value_low"]),
        "high": _plain(claim["value_high"]),
        "unit": _plain(claim["unit"]),
        "as_seen": _plain(claim["as_seen"]),
        "from": "claims file",
    }
    mine = prices.loc[prices["claim_id"] == claim["claim_id"]].sort_values("as_seen")
    if len(mine):
        last = mine.iloc[-1]
        seen = pd.Timestamp(last["as_seen"])
        if pd.isna(claim["as_seen"]) or seen >= pd.Timestamp(claim["as_seen"]):
            out.update(
                value=float(last["value"]),
                as_seen=seen.date().isoformat(),
                **{"from": f"{last['market']} price"},
            )
    return out


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


def _forecast(
    claim: pd.Series,
    tables: Tables,
    structural: ForecastInputs,
    draws: int,
    seed: int,
    cache: dict[tuple[str, str, bool], MetricPaths],
) -> dict[str, Any]:
    resolution = _text(claim["resolution"])
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


def _expert(
    claim: pd.Series,
    tables: Tables,
    structural: ForecastInputs,
    draws: int,
    seed: int,
    cache: dict[tuple[str, str, bool], MetricPaths],
    eci: dict[str, dict[str, float]],
) -> dict[str, Any]:
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


def _eci_answers(store: Store, tables: Tables, draws: int, seed: int) -> dict[str, Any]:
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


def _measured(claim: pd.Series, tables: Tables) -> dict[str, Any] | None:
    event, metric = str(claim["event"]), str(claim["metric"])
    leader, challenger = _text(claim["leader"]), _text(claim["challenger"])
    date = pd.Timestamp(claim["deadline"])
    scores, models = tables.scores, tables.models
    result: remeasure.Remeasure
    since: pd.Timestamp | None = None
    if event == "relative_gap" and metric == "lmarena":
        published = pd.Timestamp(claim["published"]) if pd.notna(claim["published"]) else None
        result = remeasure.arena_relative_gap(scores, models, leader, challenger, date, published)
    elif event == "gap":
        name = {"math": "math_level_5"}.get(metric, metric)
        result = remeasure.benchmark_gap(scores, models, name, leader, challenger, date)
    elif event in ("mean_lag_months", "mean_gap") and metric == "eci":
        lag, gap = remeasure.eci_open_closed(scores, models, date, ECI_WINDOWS)
        result = lag if event == "mean_lag_months" else gap
        since = ECI_WINDOWS[0]
    elif event == "growth_per_year" and metric == "training_compute":
        result = remeasure.compute_growth(models, scores, challenger, date, COMPUTE_SINCE)
        since = COMPUTE_SINCE
    else:
        return None
    out = result.to_dict()
    out["since"] = since.date().isoformat() if since is not None else None
    out["model"] = "measured"
    out["resolves_on"] = result.definition
    return out


_WHY = {
    "frontier_lab_before": (
        "not computed: the question's compute-based definition of a frontier lab is on its "
        "page and not captured in the claims file; a mapping to a training-compute gap would "
        "be a guess"
    ),
}


def evaluate(
    store: Store,
    *,
    draws: int = CLAIMS_DRAWS,
    seed: int | None = None,
    tables: Tables | None = None,
    with_eci: bool = True,
    empty_ok: bool = False,
) -> ClaimsReport:
    """Put gapcast's number beside every claim in the store (module docstring).

    ``empty_ok``: a store without claims gives an empty report saying how to import them
    (the dashboard's view), instead of ``NotFoundError`` (the CLI's).
    """
    if draws < 100:
        raise RequestError("draws", f"{draws} is too few (at least 100)")
    seed = DEFAULT_SEED if seed is None else seed
    try:
        claims = _claim_rows(store)
    except NotFoundError as err:
        if not empty_ok:
            raise
        return ClaimsReport(None, draws, seed, notes=[f"{err.message}: {err.hint}"])
    prices = store.table("prices")
    tables = tables or Tables.load(store)
    as_of = _lmarena_end(tables)
    structural = build_inputs(tables, scenarios.load("baseline"), as_of)
    cache: dict[tuple[str, str, bool], MetricPaths] = {}
    eci = _eci_answers(store, tables, draws, seed) if with_eci else {}
    report = ClaimsReport(as_of, draws, seed)
    for _, claim in claims.iterrows():
        row: dict[str, Any] = {
            "id": str(claim["claim_id"]),
            **{
                c: _plain(claim[c])
                for c in ("kind", "publisher", "title", "url", "metric", "leader", "challenger")
            },
            "event": str(claim["event"]),
            "deadline": _plain(claim["deadline"]),
            "resolution": _plain(claim["resolution"]),
            "theirs": _theirs(claim, prices),
            "ours": None,
            "status": "not computed",
            "reason": _WHY.get(str(claim["event"]), ""),
            "difference": None,
            "large": False,
            "why": "",
            "why_facts": None,
        }
        try:
            ours = _compute(claim, tables, structural, draws, seed, cache, eci)
        except GapcastError as err:
            ours, row["reason"] = None, f"not computed: {err.message}"
        if ours is not None:
            row["ours"] = ours
            row["status"] = "re-measured" if ours["model"] == "measured" else "forecast"
            theirs = row["theirs"]["value"]
            if theirs is None:
                theirs = row["theirs"]["high"]
            row["difference"] = (
                ours["value"] - theirs if ours["value"] is not None and theirs is not None else None
            )
            row["large"] = _large(row)
            row["why_facts"] = why_facts(row, as_of) if row["large"] else None
            row["why"] = why_text(row["why_facts"]) if row["large"] else ""
        report.rows.append(row)
    report.notes.append(
        f"Forecasts start from the last LMArena snapshot on or before {as_of} (the data mirror "
        "ends 2025-12-31); markets seen in 2026 also knew what happened since."
    )
    return report


def _large(row: dict[str, Any]) -> bool:
    """Say whether a difference needs explaining (10 points of probability, 20% of a figure)."""
    diff, theirs = row.get("difference"), row["theirs"]
    if diff is None:
        return False
    if row["status"] == "forecast":
        return bool(abs(diff) >= 0.10)
    base = theirs["value"] if theirs["value"] is not None else theirs["high"]
    return bool(base) and bool(abs(diff) >= 0.2 * abs(base))


def why_facts(row: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """Collect, from the numbers, where gapcast's value and the claim's part.

    A forecast: the data end, the day the figure was seen, how far behind the challenger
    starts, and (no metric named) the answer per metric. A measurement: the two models
    compared and the snapshot, models without a group label rated above the challenger, and
    the rule whose value comes closest to the published one.
    """
    ours, theirs = row["ours"], row["theirs"]
    if row["status"] == "forecast":
        start = (ours.get("basis") or {}).get("start") or {}
        facts: dict[str, Any] = {
            "kind": "forecast",
            "as_of": as_of.isoformat(),
            "seen": theirs.get("as_seen"),
            "behind": start["incumbent"] - start["challenger"] if start else None,
            "history": (ours.get("basis") or {}).get("history"),
        }
        if "mapping" in ours:
            facts["by_metric"] = {k: v["value"] for k, v in ours["mapping"].items()}
        return facts
    target = theirs["value"] if theirs["value"] is not None else theirs["high"]
    basis = ours.get("basis") or {}
    rules = basis.get("rules")
    if rules:
        basis = next(iter(rules.values()))
    facts = {
        "kind": "measured",
        "leader": basis.get("leader"),
        "challenger": basis.get("challenger"),
        "snapshot": basis.get("snapshot"),
        "unlabelled": list(basis.get("unlabelled_above_challenger") or [])[:4],
        "counted": list((basis.get(row["challenger"] or "") or {}).get("first_counted") or []),
        "published": target,
    }
    variants = {k: v for k, v in (ours.get("variants") or {}).items() if v is not None}
    if variants:
        name, value = min(variants.items(), key=lambda kv: abs(kv[1] - target))
        facts.update(closest_rule=name, closest_value=value)
    return facts


def why_text(facts: dict[str, Any]) -> str:
    """Return :func:`why_facts` as one English line (CLI, API)."""
    if facts["kind"] == "forecast":
        parts = [
            f"gapcast forecasts from the data end ({facts['as_of']}); the figure was seen "
            f"{facts['seen'] or 'later'}"
        ]
        if facts["behind"] is not None:
            parts.append(f"the challenger starts {facts['behind']:.0f} rating points behind")
        history = facts.get("history")
        if history:
            parts.append(
                f"in the {history['snapshots']} snapshots since {history['since']} it held the "
                f"top in {history['top']} and was alone at rank 1 in {history['sole_top']}"
            )
        if facts.get("by_metric"):
            parts.append(
                "the answer depends on the metric: "
                + ", ".join(f"{k} {v:.0%}" for k, v in facts["by_metric"].items())
            )
        return "; ".join(parts)
    parts = []
    lead, chal = facts["leader"], facts["challenger"]
    if lead and chal:
        where = f" in the {facts['snapshot']} snapshot" if facts["snapshot"] else ""
        parts.append(
            f"compares {lead['model']} ({lead['value']:.4g}) with {chal['model']} "
            f"({chal['value']:.4g}){where}"
        )
    if facts["unlabelled"]:
        names = ", ".join(facts["unlabelled"])
        parts.append(f"models without a group label rated above the challenger: {names}")
    if facts["counted"]:
        parts.append(
            "every model with a compute estimate counts (no domain in the models table), the "
            "first ones: " + ", ".join(facts["counted"])
        )
    if "closest_rule" in facts:
        parts.append(
            f"closest rule: {facts['closest_rule']} gives {facts['closest_value']:.3g} "
            f"(published {facts['published']:.3g})"
        )
    return "; ".join(parts) or "no variant of the definition comes closer"


def _compute(
    claim: pd.Series,
    tables: Tables,
    structural: ForecastInputs,
    draws: int,
    seed: int,
    cache: dict[tuple[str, str, bool], MetricPaths],
    eci: dict[str, Any],
) -> dict[str, Any] | None:
    event, metric = str(claim["event"]), str(claim["metric"])
    if metric == "unspecified":
        return _expert(claim, tables, structural, draws, seed, cache, eci)
    if metric == "lmarena" and event in events.EVENT_KINDS:
        return _forecast(claim, tables, structural, draws, seed, cache)
    return _measured(claim, tables)


# --- recording prices ---------------------------------------------------------------------


def record_price(store: Store, price: ClaimPrice, url: str | None = None) -> ImportResult:
    """Store one price for a claim (one transaction; nothing stored on error).

    Raises
    ------
    NotFoundError
        The claim is not in the store.
    DataError
        The price is not valid (``gapcast.sources.claims.price_parsed``).
    """
    known = set(store.table("claims")["claim_id"].dropna().astype(str))
    if price.claim_id not in known:
        raise NotFoundError(
            f"no claim '{price.claim_id}'",
            hint="`gapcast claims` lists the claim ids; import the claims file first",
        )
    if price.market not in MARKETS:
        raise RequestError("market", f"'{price.market}' is not one of {', '.join(MARKETS)}")
    parsed = price_parsed(price)
    item = FileImport(parsed, price.sha256(), "as published by the market", url)
    return store.import_files([item])[0]


def fetch_price(
    store: Store,
    claim_id: str,
    market: str,
    market_id: str,
    *,
    base: str | None = None,
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
    as_seen: dt.date | None = None,
) -> tuple[Quote, ImportResult]:
    """Fetch a market's current price from its public API and store it for a claim.

    The request and the parsing happen before anything is written: a bad or partial
    response raises and stores nothing.
    """
    own = client is None
    http = client or httpx.Client(timeout=30.0, follow_redirects=True)
    try:
        quote = fetch_quote(market, market_id, client=http, base=base, headers=headers)
    finally:
        if own:
            http.close()
    price = ClaimPrice(
        claim_id, quote.probability, as_seen or today(), market, market_id, f"GET {quote.url}"
    )
    return quote, record_price(store, price, quote.url)
