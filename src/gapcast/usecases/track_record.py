r"""The track record: stored forecast runs scored against the data imported since.

A stored forecast run keeps, per model, the quantiles (5, 25, 50, 75, 95%) of both
frontiers and of the gap at every month, and P(challenger ahead) at every month. Once newer
data is imported, each month ``t`` of a run whose date (``as_of`` plus ``t`` months; month
ends stay month ends) is on or before the data's last release date is **realised**: the
frontiers measured from the current data on that date (models released by then; on ECI
with today's re-fitted scores) are compared with the forecast:

- ``quantile_score``: the five stored quantiles' pinball losses, weighted as a Riemann sum
  of ``CRPS = 2 \int_0^1 QS_tau d tau`` (weights 0.15, 0.225, 0.25, 0.225, 0.15), an
  approximation of the gap's CRPS in points from what a run stores;
  ``QS_tau(q, y) = (1[y < q] - tau)(q - y)``;
- ``coverage50`` / ``coverage90``: the gap inside the 25-75% / 5-95% band;
- ``brier_ahead``: ``(p_t - 1[ahead at t])^2``;
- ``level_coverage90``: each frontier inside its own 5-95% band.

Runs with nothing realised yet are listed with ``months = 0``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gapcast import measure
from gapcast.store import Store
from gapcast.usecases.forecast_inputs import Tables, latest_date

QUANTILE_LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTILE_WEIGHTS = (0.15, 0.225, 0.25, 0.225, 0.15)


def quantile_score(quantiles: Sequence[float], y: float) -> float:
    """Return the five-quantile approximation of the CRPS (module docstring)."""
    total = 0.0
    for tau, w, q in zip(QUANTILE_LEVELS, QUANTILE_WEIGHTS, quantiles, strict=True):
        total += w * 2.0 * ((1.0 if y < q else 0.0) - tau) * (q - y)
    return total


def month_after(as_of: dt.date, t: int) -> dt.date:
    """Return the date ``t`` months after ``as_of`` (a month end stays a month end)."""
    stamp = pd.Timestamp(as_of)
    if stamp.is_month_end:
        return (stamp + pd.offsets.MonthEnd(t)).date() if t else as_of
    return (stamp + pd.DateOffset(months=t)).date()


@dataclass(frozen=True)
class ModelScore:
    """One model of one run, over its realised months."""

    model: str
    months: int
    quantile_score: float | None
    coverage50: float | None
    coverage90: float | None
    brier_ahead: float | None
    level_coverage90: dict[str, float | None]
    detail: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the model's scores."""
        return {**self.__dict__, "detail": list(self.detail)}


@dataclass(frozen=True)
class RunScore:
    """One stored forecast run scored on the months realised since."""

    run_id: int
    scenario: str
    model: str
    as_of: dt.date
    created_at: str
    data_hash: str
    models: tuple[ModelScore, ...]

    @property
    def months(self) -> int:
        """Return how many months are realised."""
        return max((m.months for m in self.models), default=0)

    def to_dict(self) -> dict[str, Any]:
        """Return the run's scores."""
        return {
            "run_id": self.run_id,
            "scenario": self.scenario,
            "model": self.model,
            "as_of": self.as_of.isoformat(),
            "created_at": self.created_at,
            "data_hash": self.data_hash,
            "months": self.months,
            "models": {m.model: m.to_dict() for m in self.models},
        }


@dataclass(frozen=True)
class TrackRecord:
    """Every stored forecast run, scored against the current data."""

    data_end: dt.date
    data_hash: str
    runs: tuple[RunScore, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of ``gapcast score --json``."""
        return {
            "data_end": self.data_end.isoformat(),
            "data_hash": self.data_hash,
            "runs": [r.to_dict() for r in self.runs],
            "notes": list(self.notes),
        }


def _realised(tables: Tables, metric: str, labels: tuple[str, str], end: dt.date) -> Any:
    stamp = pd.Timestamp(end)
    rows = measure.metric_rows(tables.scores, tables.models, measure.Selection(metric), stamp)
    groups = measure.Groups("country", (labels[0],), (labels[1],))
    return measure.make_points(rows, groups, metric=metric, as_of=stamp)


def _score_model(name: str, fc: dict[str, Any], frame: pd.DataFrame) -> ModelScore:
    fan = fc["fan"]
    p_at = fc.get("p_ahead_at", [])
    rows = []
    for t, obs in frame.iterrows():
        lead, chal = float(obs["leader"]), float(obs["challenger"])
        if not (np.isfinite(lead) and np.isfinite(chal)):
            continue
        k = int(t)  # type: ignore[call-overload]
        gap_q = [float(x) for x in fan["gap"][k]]
        y = lead - chal
        rows.append(
            {
                "month": k,
                "date": obs["date"].isoformat(),
                "observed_gap": y,
                "gap_quantiles": gap_q,
                "quantile_score": quantile_score(gap_q, y),
                "in50": gap_q[1] <= y <= gap_q[3],
                "in90": gap_q[0] <= y <= gap_q[4],
                "p_ahead": float(p_at[k]) if k < len(p_at) else None,
                "ahead": chal > lead,
                "leader_in90": float(fan["leader"][k][0]) <= lead <= float(fan["leader"][k][4]),
                "challenger_in90": float(fan["challenger"][k][0])
                <= chal
                <= float(fan["challenger"][k][4]),
            }
        )
    if not rows:
        return ModelScore(name, 0, None, None, None, None, {"leader": None, "challenger": None})
    briers = [(r["p_ahead"] - float(r["ahead"])) ** 2 for r in rows if r["p_ahead"] is not None]
    return ModelScore(
        name,
        len(rows),
        float(np.mean([r["quantile_score"] for r in rows])),
        float(np.mean([r["in50"] for r in rows])),
        float(np.mean([r["in90"] for r in rows])),
        float(np.mean(briers)) if briers else None,
        {
            "leader": float(np.mean([r["leader_in90"] for r in rows])),
            "challenger": float(np.mean([r["challenger_in90"] for r in rows])),
        },
        tuple(rows),
    )


def score(store: Store, run_ids: Sequence[int] | None = None) -> TrackRecord:
    """Score stored forecast runs (all, or ``run_ids``) against the current data."""
    tables = Tables.load(store)
    frame = store.runs("forecast")
    ids = [int(i) for i in frame["id"]] if run_ids is None else [int(i) for i in run_ids]
    cache: dict[tuple[str, str, str], Any] = {}
    out = []
    end = latest_date(tables, "eci")
    for run_id in sorted(ids):
        run = store.run(run_id)
        if run["kind"] != "forecast":
            continue
        results = run["results"]
        inputs = results["inputs"]
        metric = str(inputs.get("metric", "eci"))
        labels = (inputs["groups"]["leader"]["label"], inputs["groups"]["challenger"]["label"])
        as_of = dt.date.fromisoformat(inputs["as_of"])
        data_end = latest_date(tables, metric)
        key = (metric, *labels)
        if key not in cache:
            cache[key] = _realised(tables, metric, labels, data_end)
        models = results["forecast"]["models"]
        horizon = max(len(m["fan"]["gap"]) for m in models.values()) - 1
        when = [month_after(as_of, t) for t in range(1, horizon + 1)]
        realised = [
            (t, d) for t, d in zip(range(1, horizon + 1), when, strict=True) if d <= data_end
        ]
        if realised:
            values = measure.frontier(cache[key], pd.DatetimeIndex([d for _, d in realised]))
            table = pd.DataFrame(
                {
                    "date": [d for _, d in realised],
                    "leader": values["leader"].to_numpy(),
                    "challenger": values["challenger"].to_numpy(),
                },
                index=[t for t, _ in realised],
            )
        else:
            table = pd.DataFrame(columns=["date", "leader", "challenger"])
        created = run["created_at"]
        out.append(
            RunScore(
                run_id,
                str(run["scenario"]),
                str(run["request"].get("model", "ensemble")),
                as_of,
                created.isoformat() if hasattr(created, "isoformat") else str(created),
                str(run["data_hash"]),
                tuple(_score_model(name, fc, table) for name, fc in models.items()),
            )
        )
    notes = (
        "Realised values are measured from the current data: models released by each date; "
        "ECI scores are today's (Epoch re-fits them), not those the forecast saw.",
        "quantile_score approximates the CRPS of the gap from the five stored quantiles.",
    )
    return TrackRecord(end, store.data_hash(), tuple(out), notes)


__all__ = ["ModelScore", "RunScore", "TrackRecord", "month_after", "quantile_score", "score"]
