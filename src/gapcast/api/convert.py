"""Turn the pipeline's result objects into the API's wire schemas (``gapcast.api.schemas``).

Only shape changes happen here (dates to ISO, ``NaN`` to ``null``, the month dates of a
forecast's axis); every number comes unchanged from the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel

from gapcast.api import schemas
from gapcast.model.inputs import month_date
from gapcast.model.params import Beta, Fixed, LogNormal, Normal, Triangular, Uniform
from gapcast.scenario.files import Scenario, scenario_table
from gapcast.usecases.forecast import ForecastReport
from gapcast.usecases.measure import GapReport

_DISTS = (Fixed, Uniform, Normal, LogNormal, Beta, Triangular)


def clean(value: Any) -> Any:
    """Return JSON-safe data: non-finite floats become ``None``; timestamps ISO strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(type(v) is float and math.isfinite(v) for v in value):
            return list(value)  # the common case (a forecast's fans): nothing to change
        return [clean(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def gap_out(report: GapReport) -> schemas.GapOut:
    """Return the wire form of a measured gap."""
    return schemas.GapOut.model_validate(clean(report.to_dict()))


def _finite(value: Any) -> float | None:
    out = float(value)
    return out if math.isfinite(out) else None


def parameters(scenario: Scenario) -> list[schemas.ParameterOut]:
    """Return every distribution of a scenario as numbers (median, 90% interval, support)."""
    rows: list[schemas.ParameterOut] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, _DISTS):
            lo, hi = value.interval()
            low, high = value.bounds()
            rows.append(
                schemas.ParameterOut(
                    path=path,
                    dist=value.dist,
                    median=_finite(value.quantile(0.5)),
                    lo90=_finite(lo),
                    hi90=_finite(hi),
                    support=[_finite(low), _finite(high)],
                    source=" ".join(value.source.split()),
                )
            )
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{path}.{name}" if path else name)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                walk(item, f"{path}.{i}")

    walk(scenario, "")
    return rows


def scenario_out(scenario: Scenario) -> schemas.ScenarioOut:
    """Return the wire form of a scenario."""
    dumped = scenario.model_dump(mode="json")
    return schemas.ScenarioOut(
        name=scenario.name,
        title=scenario.title,
        description=" ".join(scenario.description.split()),
        hash=scenario.content_hash(),
        metric=scenario.metric,
        horizon_months=scenario.horizon_months,
        groups={
            "leader": scenario.groups.leader.label,
            "challenger": scenario.groups.challenger.label,
        },
        fields=[schemas.ScenarioFieldOut(**row) for row in scenario_table(scenario)],
        parameters=parameters(scenario),
        shocks=clean(dumped["shocks"]),
        growth_changes=clean(dumped["growth_changes"]),
    )


def forecast_out(report: ForecastReport, overrides: list[str]) -> schemas.ForecastOut:
    """Return the wire form of a forecast, with the month dates of its axis."""
    doc = report.to_dict()
    sel = report.selected
    inputs = report.inputs["groups"]
    history: dict[str, Any] = {}
    for role in ("leader", "challenger"):
        group = inputs[role]
        values = [float(v) for v in group.get("history", [])]
        n = len(values)
        dates = [month_date(sel.as_of, t - n) for t in range(n)] + [sel.as_of]
        history[role] = {
            "label": group["label"],
            "dates": dates,
            "values": values + [float(group["frontier"])],
        }
    forecast = doc["forecast"]
    return schemas.ForecastOut.model_validate(
        clean(
            {
                "scenario": doc["scenario"],
                "scenario_hash": doc["scenario_hash"],
                "title": report.scenario.title,
                "model": doc["model"],
                "as_of": doc["as_of"],
                "groups": doc["groups"],
                "horizon_months": doc["horizon_months"],
                "p_ahead_within": doc["p_ahead_within"],
                "p_ahead_within_se": doc["p_ahead_within_se"],
                "gap_quantiles": doc["gap_quantiles"],
                "lag_quantiles": doc["lag_quantiles"],
                "median_crossing": doc["median_crossing"],
                "months": [month_date(sel.as_of, t) for t in range(sel.horizon + 1)],
                "history": history,
                "models": forecast["models"],
                "headline": forecast.get("headline"),
                "draws": doc["draws"],
                "seed": doc["seed"],
                "overrides": overrides,
                "data_hash": doc["data_hash"],
                "version": doc["version"],
                "data_age": doc["data_age"],
            }
        )
    )


def model_rows(frame: pd.DataFrame, metric: str | None) -> list[schemas.ModelOut]:
    """Return model rows of ``pipeline.data.models`` in wire form."""
    out = []
    for row in frame.to_dict(orient="records"):
        date = row.get("release_date")
        score = row.get(metric) if metric else None
        out.append(
            schemas.ModelOut(
                model_id=str(row["model_id"]),
                name=str(row["name"]),
                organization=clean(_na(row.get("organization"))),
                country=clean(_na(row.get("country"))),
                accessibility=clean(_na(row.get("accessibility"))),
                release_date=None if date is None or pd.isna(date) else pd.Timestamp(date).date(),
                training_compute_flop=clean(_na(row.get("training_compute_flop"))),
                source=str(row["source"]),
                score=clean(_na(score)),
            )
        )
    return out


def _na(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)
