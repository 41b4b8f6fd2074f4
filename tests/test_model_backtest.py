"""Backtest scoring, baselines, common progress, calibration: known answers on synthetic data."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
import scoringrules as sr
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast_data import group, inputs, scenario, with_sets
from gapcast.evaluate.backtest import Origin, run_backtest, summarize
from gapcast.evaluate.calibration import (
    interval_verdict,
)
from gapcast.evaluate.scoring import (
    NormalPredictive,
    SamplePredictive,
    linear,
    persistence,
    score,
)
from gapcast.model.engine import simulate_paths
from gapcast.model.trend import TrendModel, with_common_progress

# ---- scoring rules ----------------------------------------------------------------------


def test_sample_crps_is_scoringrules_and_matches_the_normal_closed_form(
    rng: np.random.Generator,
) -> None:
    draws = rng.normal(3.0, 2.0, 200_000)
    pred = SamplePredictive.of(draws)
    assert pred.crps(4.0) == pytest.approx(float(sr.crps_ensemble(4.0, draws)), rel=1e-9)
    assert pred.crps(4.0) == pytest.approx(NormalPredictive(3.0, 2.0).crps(4.0), abs=0.015)
    assert NormalPredictive(1.0, 0.0).crps(3.5) == 2.5


def test_cdf_ties_and_randomised_pit() -> None:
    pred = SamplePredictive.of(np.array([1.0, 2.0, 2.0, 2.0, 3.0]))
    assert pred.cdf(2.0) == (0.2, 0.8)
    assert pred.quantile(0.5) == 2.0
    s = score(pred, 2.0, start=2.5, threshold=2.0, u=0.5)
    assert s.pit == pytest.approx(0.5)
    assert s.p_within == pytest.approx(0.8) and s.within
    assert s.p_narrows == pytest.approx(0.8) and s.narrows
    point = NormalPredictive(4.0, 0.0)
    assert point.cdf(4.0) == (0.0, 1.0) and score(point, 4.0, 4.0, 5.0, 0.25).pit == 0.25


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-50, 50), min_size=3, max_size=40),
    st.floats(-60, 60),
    st.floats(0.01, 0.99),
)
def test_scores_are_well_formed(values: list[float], y: float, u: float) -> None:
    s = score(SamplePredictive.of(np.array(values)), y, 0.0, 5.0, u)
    assert s.crps >= 0 and 0 <= s.pit <= 1 and 0 <= s.p_within <= 1 and 0 <= s.p_narrows <= 1
    assert s.interval80[0] <= s.median <= s.interval80[1]
    assert all(a <= b for a, b in itertools.pairwise(s.covered))  # nested intervals


# ---- naive baselines ---------------------------------------------------------------------


def test_persistence_spread_is_the_rms_of_past_changes() -> None:
    hist = np.array([10.0, 9.0, 11.0, 10.0, 12.0, 11.0])
    p = persistence(hist, 1)
    assert p is not None and p.mu == 11.0
    assert p.sigma == pytest.approx(math.sqrt(np.mean(np.diff(hist) ** 2)))
    short = persistence(np.array([10.0, 9.0, 8.0]), 3)  # no 3-month change: random walk
    assert short is not None and short.sigma == pytest.approx(math.sqrt(3.0))
    assert persistence(np.array([1.0, 2.0]), 1) is None


def test_linear_extrapolates_a_line_exactly() -> None:
    hist = 20.0 - 0.5 * np.arange(15)
    p = linear(hist, 6)
    assert p is not None
    assert p.mu == pytest.approx(20.0 - 0.5 * 20)
    assert p.sigma == pytest.approx(0.0, abs=1e-9)  # its past errors are all zero
    assert linear(np.array([1.0, 2.0, 3.0]), 3) is None


# ---- common progress in the trend model -------------------------------------------------


def test_common_progress_kernel_matches_the_transformation() -> None:
    base = scenario(horizon_months=12)
    inp = inputs()
    raw = simulate_paths(TrendModel(base, inp), 400, 5)
    for rho in (0.0, 0.4, 0.85):
        model = TrendModel(with_sets(base, f"trend.common_progress={rho}"), inp)
        got = simulate_paths(model, 400, 5)
        np.testing.assert_allclose(got, with_common_progress(raw, rho), rtol=0, atol=1e-9)
        assert (np.diff(got, axis=1) >= -1e-12).all()  # frontiers never fall
    np.testing.assert_array_equal(with_common_progress(raw, 0.0), raw)


def test_common_progress_shrinks_the_gap_spread() -> None:
    base = scenario(horizon_months=24)
    inp = inputs(challenger=group("China", 142.0, steps=(3.0, 5.0, 1.0, 4.0)))
    raw = simulate_paths(TrendModel(base, inp), 4000, 9)
    gap = raw[:, -1, 0] - raw[:, -1, 1]
    shrunk = with_common_progress(raw, 0.75)
    gap75 = shrunk[:, -1, 0] - shrunk[:, -1, 1]
    g0 = raw[0, 0, 0] - raw[0, 0, 1]
    np.testing.assert_allclose(gap75 - g0, 0.25 * (gap - g0), atol=1e-9)
    np.testing.assert_array_equal(shrunk[:, :, 0], raw[:, :, 0])


# ---- a synthetic backtest ------------------------------------------------------------------


def _origins() -> list[Origin]:
    out = []
    for k in range(6):
        day = dt.date(2024, 1 + k, 28)
        inp = inputs()
        hist = 8.0 + np.sin(np.arange(12 + k))
        targets = {h: 8.0 + math.sin(12 + k + h) for h in (3, 6) if k + h < 9}
        out.append(
            Origin(day, inp.leader.frontier - inp.challenger.frontier, hist, targets, inp, inp)
        )
    return out


def test_common_origins_and_skill() -> None:
    origins = _origins()
    origins[0] = Origin(origins[0].date, 8.0, origins[0].history, origins[0].targets, None, None)
    sc = scenario(horizon_months=6)
    res = run_backtest(origins, sc, metric="eci", horizons=(3,), draws=200, seed=1, threshold=5)
    common = summarize(res.records, (3,), common=True)
    every = summarize(res.records, (3,), common=False)
    n = {r.model: r.n for r in common}
    assert len(set(n.values())) == 1 and n["persistence"] == 5
    assert {r.model: r.n for r in every}["persistence"] == 6


# ---- calibration helpers ------------------------------------------------------------------


def test_interval_verdict() -> None:
    assert interval_verdict(0.8, 0.8, 24, 3) == "consistent"
    assert interval_verdict(0.2, 0.8, 24, 3) == "too narrow"
    assert interval_verdict(1.0, 0.5, 24, 3) == "too wide"
    assert interval_verdict(0.6, 0.8, 15, 12) == "consistent"  # ~1 independent check
