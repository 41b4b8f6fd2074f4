"""Synthetic scores and models tables for the measure tests (SCORES / MODELS columns)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from gapcast import measure
from gapcast.schema import conform, empty

US, CN = "United States", "China"


def scores(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return a SCORES table; each record needs ``model``, ``value`` and ``date``."""
    rows = []
    for i, rec in enumerate(records):
        row = {
            "model_id": rec.get("model_id", rec["model"]),
            "model": rec["model"],
            "metric": rec.get("metric", "eci"),
            "category": rec.get("category"),
            "style_control": rec.get("style_control"),
            "value": rec["value"],
            "lo": rec.get("lo"),
            "hi": rec.get("hi"),
            "se": rec.get("se"),
            "as_of": pd.Timestamp(rec["as_of"]) if rec.get("as_of") else pd.NaT,
            "release_date": pd.Timestamp(rec["date"]) if rec.get("date") else pd.NaT,
            "organization": rec.get("organization", "Lab"),
            "country": rec.get("country", US),
            "countries": rec.get("countries", rec.get("country", US)),
            "accessibility": rec.get("accessibility", "closed"),
            "preliminary": rec.get("preliminary", False),
            "source": "test",
            "file": "test.csv",
            "row": i + 2,
        }
        rows.append(row)
    if not rows:
        return empty("scores")
    frame = pd.DataFrame(rows)
    for column in ("lo", "hi", "se", "value"):
        frame[column] = frame[column].astype(float)
    return conform(frame, "scores")


def models(records: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """Return a MODELS table; each record needs ``model_id``."""
    rows = [
        {
            "model_id": rec["model_id"],
            "name": rec.get("name", rec["model_id"]),
            "version": rec.get("version"),
            "organization": rec.get("organization", "Lab"),
            "country": rec.get("country", US),
            "countries": rec.get("countries", rec.get("country", US)),
            "accessibility": rec.get("accessibility", "closed"),
            "release_date": pd.Timestamp(rec["date"]) if rec.get("date") else pd.NaT,
            "training_compute_flop": rec.get("flop"),
            "confidence": None,
            "source": "test",
            "file": "models.csv",
            "row": i + 2,
        }
        for i, rec in enumerate(records)
    ]
    if not rows:
        return empty("models")
    frame = pd.DataFrame(rows)
    frame["training_compute_flop"] = frame["training_compute_flop"].astype(float)
    return conform(frame, "models")


def points(
    score_table: pd.DataFrame,
    *,
    metric: str = "eci",
    as_of: str = "2030-01-01",
    groups: measure.Groups | None = None,
    model_table: pd.DataFrame | None = None,
    **selection: Any,
) -> measure.Points:
    """Select, group and collapse in one call."""
    stamp = pd.Timestamp(as_of)
    sel = measure.Selection(metric, **selection)
    rows = measure.metric_rows(
        score_table, models() if model_table is None else model_table, sel, stamp
    )
    return measure.make_points(rows, groups or measure.Groups(), metric=metric, as_of=stamp)


def months_between(later: str, earlier: str) -> float:
    """Months between two dates as the lag definition counts them (365.25 / 12 days)."""
    return (pd.Timestamp(later) - pd.Timestamp(earlier)).days / (365.25 / 12)
