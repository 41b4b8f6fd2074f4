"""The structural model's release months: drawn at the rate the fit observes them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast_data import inputs
from gapcast.model import fitdata, structural
from gapcast.model.params import Gamma, MonthlyRate
from gapcast.usecases import scenarios

NAN = np.nan


def test_monthly_rate_is_the_beta_posterior_of_release_months() -> None:
    rate = MonthlyRate(22, 31, "test")
    u = np.array([0.05, 0.5, 0.95])
    p = stats.beta(22.5, 9.5).ppf(u)
    np.testing.assert_allclose(rate.ppf(u), -np.log1p(-p), rtol=2e-3)
    # P(a release month) = 1 - e^-r: the median month has a release with the share's median
    assert 1 - np.exp(-rate.ppf(np.array([0.5]))[0]) == pytest.approx(p[1], rel=2e-3)


def test_release_months_count_what_the_fit_observes() -> None:
    index = pd.period_range("2024-01", "2024-06", freq="M")
    best = pd.DataFrame(
        {
            # leader: 100, then 90 (more than 5 below: not frontier-class), 104, -, 101, 108
            "leader": [100.0, 90.0, 104.0, NAN, 101.0, 108.0],
            "challenger": [NAN, 80.0, NAN, 86.0, 70.0, 90.0],
        },
        index=index,
    )
    for side in fitdata.SIDES:
        best[f"{side}_se"] = 0.0
    # the state space starts when both have released (2024-02): 5 months
    assert fitdata.release_months(best, 5.0) == [(3, 5), (3, 5)]
    series = fitdata.series_from(best, np.zeros((6, 2)), 5.0)
    assert np.isfinite(series.release).sum(axis=0).tolist() == [3, 3]


def test_structural_rate_uses_release_months_and_falls_back_to_steps() -> None:
    inp = inputs()
    assert inp.leader.release_months is None
    assert isinstance(structural.release_rate(inp, "leader"), Gamma)  # the trend model's
    measured = dataclasses.replace(
        inp, leader=dataclasses.replace(inp.leader, release_months=(22, 31))
    )
    rate = structural.release_rate(measured, "leader")
    assert isinstance(rate, MonthlyRate) and "22 of 31 months" in rate.source
    space = structural.scenario_space(scenarios.load("baseline"), measured)  # rate: fitted
    assert space["groups.leader.releases.rate"] == rate
