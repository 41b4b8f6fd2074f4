"""The structural model in the nested backtest: its event check, and a reduced run on the mirror."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from gapcast.evaluate.history import MetricData, month_end, month_of
from gapcast.usecases.trust_structural import (
    event_check,
    event_probabilities,
    observed_events,
    trend_events,
)


def test_event_probabilities_known_answer() -> None:
    lead = np.zeros((4, 7))
    chal = np.full((4, 7), -1.0)
    chal[1, 2] = 0.5  # ahead once, by 0.5: strict only
    chal[2, 1:4] = 2.0  # ahead by 2 for months 1-3: sustained by month 3
    chal[3, 4:7] = 3.0  # months 4-6: sustained by month 6 only
    p = event_probabilities(lead, chal, (3, 6))
    assert p == {
        "p_strict_3": 0.5,
        "p_sustained_3": 0.25,
        "p_strict_6": 0.75,
        "p_sustained_6": 0.5,
    }


def _data(gaps: list[float]) -> MetricData:
    """One release a month for each side from 2024-01: the leader at 100, the challenger at
    100 - gap."""
    side, day, value = [], [], []
    for i, g in enumerate(gaps):
        d = dt.date(2024 + i // 12, i % 12 + 1, 10).toordinal()
        side += [0, 1]
        day += [d, d]
        value += [100.0 + i, 100.0 + i - g]
    end = month_end(month_of(dt.date(2024, 1, 1)) + len(gaps) - 1)
    return MetricData("toy", np.array(side, np.int8), np.array(day), np.array(value), None, end)


def test_observed_events_and_the_check_against_them() -> None:
    # the challenger is ahead (gap < 0) in month 5 only, never by 2 for 3 months
    data = _data([5, 4, 3, 2, 1, -1, 2, 3, 4, 5, 6, 7, 8])
    first = month_of(dt.date(2024, 1, 1))
    assert observed_events(data, first, 6) == {"strict": True, "sustained": False}
    assert observed_events(data, first + 6, 6) == {"strict": False, "sustained": False}
    assert observed_events(data, first + 8, 6) is None  # the window is not over
    tuned = {first: {"p_strict_6": 0.8}, first + 6: {"p_strict_6": 0.1}}
    rows = {(r["event"], r["horizon"]): r for r in event_check(data, {"m": tuned})}
    row = rows[("strict", 6)]
    assert row["model"] == "m" and row["origins"] == 2 and row["observed_rate"] == 0.5
    assert row["brier"] == pytest.approx(((0.8 - 1) ** 2 + 0.1**2) / 2)
    assert row["disjoint_windows"] == 2
    assert row["p_of_outcome"] == pytest.approx(0.8 * 0.9)


@pytest.mark.mirror
def test_structural_model_in_a_reduced_nested_backtest(reduced_track_record: Any) -> None:
    doc = reduced_track_record.to_dict()
    assert doc["model"] == "structural"
    models = {(r["metric"], r["model"]) for r in doc["scores"]}
    assert ("eci", "structural") in models
    assert ("lmarena", "structural") not in models  # fitted in ECI points: ECI only
    assert ("lmarena", "trend") in models
    assert doc["targets"][0]["target"].startswith("eci 3m")  # checked on the structural model
    fitted = [t for t in doc["calibrated"]["per_origin"] if "structural.lambda" in t]
    assert [t["origin"][:7] for t in fitted] == ["2025-09", "2025-10"]  # ECI ends 2025-12-22
    assert all(0 < t["structural.lambda"] < 20 for t in fitted)
    assert all(0 <= t["structural.p_strict_12"] <= 1 for t in fitted)
    # no origin's 6-month window is over by the data's end, so the event check has no rows
    assert doc["event_check"] == []


def test_trend_events_come_from_the_tuned_trend_model() -> None:
    data = _data([5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8])
    first = month_of(dt.date(2024, 1, 1))
    tuned = {first + 6: {"window": 12.0, "rho": 0.9}, first + 7: {"window": 12.0, "rho": 0.0}}
    got = trend_events(data, tuned, 3)
    assert set(got) == set(tuned)
    for values in got.values():
        assert set(values) == {"p_strict_6", "p_sustained_6", "p_strict_12", "p_sustained_12"}
        assert all(0.0 <= p <= 1.0 for p in values.values())
        assert values["p_sustained_6"] <= values["p_strict_6"] <= values["p_strict_12"]
    assert trend_events(data, tuned, 3) == got  # seeded per origin
