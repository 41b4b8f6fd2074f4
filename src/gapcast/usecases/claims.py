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

import numpy as np
import pandas as pd

from gapcast import defaults
from gapcast.errors import GapcastError, NotFoundError, RequestError
from gapcast.evaluate import events
from gapcast.measure import claims as remeasure
from gapcast.model.inputs import ForecastInputs
from gapcast.store import Store
from gapcast.usecases import scenarios
from gapcast.usecases.claim_paths import (
    FORECAST_MODEL,
    MetricPaths,
    eci_answers,
    expert_claim,
    forecast_claim,
    lmarena_end,
    lmarena_paths,
    text_of,
)
from gapcast.usecases.claim_prices import fetch_price, record_price
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

CLAIMS_DRAWS = defaults.CLAIMS_DRAWS
"""Monte Carlo draws per event (the interval is over ten groups of draws)."""
DEFAULT_SEED = 20260115
ECI_WINDOWS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01"))
"""Starts of the windows the open vs closed ECI means are taken over (the first is shown)."""
COMPUTE_SINCE = pd.Timestamp("2021-10-01")
"""Start of the training-compute growth fit ("since late 2021", Epoch's insight)."""


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


def _measured(claim: pd.Series, tables: Tables) -> dict[str, Any] | None:
    event, metric = str(claim["event"]), str(claim["metric"])
    leader, challenger = text_of(claim["leader"]), text_of(claim["challenger"])
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
    as_of = lmarena_end(tables)
    structural = build_inputs(tables, scenarios.load("baseline"), as_of)
    cache: dict[tuple[str, str, bool], MetricPaths] = {}
    eci = eci_answers(store, tables, draws, seed) if with_eci else {}
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
        return expert_claim(claim, tables, structural, draws, seed, cache, eci)
    if metric == "lmarena" and event in events.EVENT_KINDS:
        return forecast_claim(claim, tables, structural, draws, seed, cache)
    return _measured(claim, tables)


# --- recording prices ---------------------------------------------------------------------
