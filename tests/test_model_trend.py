"""Frontier step histories for the trend model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecast_data import group, inputs, scenario
from gapcast.errors import InsufficientDataError
from gapcast.model.inputs import GroupData, StepHistory
from gapcast.model.trend import TrendModel, step_history

D = dt.date


def test_step_history_counts_rises_in_the_window() -> None:
    dates = [
        D(2022, 1, 1),
        D(2023, 6, 1),
        D(2024, 3, 1),
        D(2024, 4, 1),
        D(2025, 2, 1),
        D(2026, 1, 1),
    ]
    values = [100.0, 110.0, 108.0, 115.0, 121.0, 130.0]
    h = step_history(dates, values, D(2025, 12, 31), 24)
    np.testing.assert_allclose(h.sizes, [5.0, 6.0])  # 2023-06 is outside the window
    assert h.dates == (D(2024, 4, 1), D(2025, 2, 1))
    assert h.exposure_months == 24.0
    young = step_history([D(2025, 6, 30), D(2025, 9, 1)], [1.0, 2.0], D(2025, 12, 31), 24)
    assert young.exposure_months == pytest.approx(6.0, abs=0.1)
    assert step_history([], [], D(2025, 1, 1), 24).n == 0


def test_trend_model_needs_steps() -> None:
    flat = GroupData("China", 140.0, np.array([140.0]), StepHistory(np.zeros(0), 24.0), 3.0, 0.1)
    with pytest.raises(InsufficientDataError, match="China has no frontier step"):
        TrendModel(scenario(), inputs(challenger=flat))
    assert TrendModel(scenario(), inputs(challenger=group("China", 140.0))).horizon == 24
