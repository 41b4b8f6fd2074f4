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

from forecast_data import baseline_text, group, inputs, scenario, with_sets
from gapcast.errors import ScenarioError
from gapcast.evaluate.backtest import Origin, run_backtest, simulate_origin, summarize
from gapcast.evaluate.calibration import (
    PRIORS,
    Calibration,
    MixtureTerms,
    best_weight,
    choose,
    cross,
    effective_checks,
    energy,
    interval_verdict,
    mixture_terms,
)
from gapcast.evaluate.half_life import half_life_posterior
from gapcast.evaluate.scoring import (
    NormalPredictive,
    SamplePredictive,
    linear,
    persistence,
    score,
)
from gapcast.model.engine import simulate_paths
from gapcast.model.trend import TrendModel, with_common_progress
from gapcast.scenario.files import UNCALIBRATED_NOTE, fill_calibrated, parse_scenario

# ---- scoring rules ----------------------------------------------------------------------


def test_sample_crps_is_scoringrules_and_matches_the_normal_closed_form(
    rng: np.random.Generator,
) -> None:
    draws = rng.normal(3.0, 2.0, 200_000)
    pred = SamplePredictive.of(draws)
    assert pred.crps(4.0) == pytest.approx(float(sr.crps_ensemble(4.0, draws)), rel=1e-9)
    assert pred.crps(4.0) == pytest.approx(NormalPredictive(3.0, 2.0).crps(4.0), abs=0.015)
    assert NormalPredictive(1.0, 0.0).crps(3.5) == 2.5


def test_energy_and_cross_are_the_pairwise_means(rng: np.random.Generator) -> None:
    a = np.sort(rng.normal(size=60))
    b = np.sort(rng.normal(1.0, 2.0, 45))
    assert energy(a) == pytest.approx(np.abs(a[:, None] - a[None, :]).mean(), rel=1e-12)
    assert cross(a, b) == pytest.approx(np.abs(a[:, None] - b[None, :]).mean(), rel=1e-12)


def test_mixture_terms_give_the_weighted_ensemble_crps(rng: np.random.Generator) -> None:
    c = np.sort(rng.normal(5.0, 1.0, 3000))
    t = np.sort(rng.normal(7.0, 3.0, 4000))
    terms = mixture_terms(c, t, 6.2)
    for w in (0.0, 0.3, 0.85, 1.0):
        mix = SamplePredictive.mixture(SamplePredictive(c), SamplePredictive(t), w)
        assert terms.crps(w) == pytest.approx(mix.crps(6.2), rel=1e-9)


def test_best_weight_is_the_grid_minimum(rng: np.random.Generator) -> None:
    terms = [
        mixture_terms(np.sort(rng.normal(m, 1.0, 500)), np.sort(rng.normal(0, 3.0, 500)), y)
        for m, y in ((1.0, 0.5), (2.0, 1.0), (-1.0, 0.0))
    ]
    w = best_weight(terms)
    grid = np.linspace(0, 1, 2001)
    best = grid[np.argmin([np.mean([t.crps(x) for t in terms]) for x in grid])]
    assert w == pytest.approx(best, abs=1e-3)
    flat = MixtureTerms(1.0, 2.0, 0.0, 0.0, 0.0)  # point forecasts: no curvature
    assert best_weight([flat]) == 1.0


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


def test_run_backtest_scores_every_model_and_baseline() -> None:
    sc = with_sets(scenario(horizon_months=6), "trend.common_progress=0.8")
    result = run_backtest(
        _origins(), sc, metric="eci", horizons=(3, 6), draws=300, seed=3, threshold=5.0
    )
    doc = result.to_dict()
    assert doc["origins"][0] == "2024-01-28" and doc["horizons"] == [3, 6]
    models = {(r["model"], r["horizon"]) for r in doc["scores"]}
    assert {m for m, _ in models} == {"trend", "compute", "ensemble", "persistence", "linear"}
    for row in doc["scores"]:
        assert {"model", "horizon", "crps", "brier", "coverage80", "skill"} <= set(row)
        assert 0 <= row["coverage80"] <= 1 and row["crps"] >= 0
        assert (row["skill"] is None) == (row["model"] == "persistence")
    assert sum(doc["pit_histogram"]["trend"]) == sum(
        1 for r in result.records if r.model == "trend"
    )
    again = run_backtest(
        _origins(), sc, metric="eci", horizons=(3, 6), draws=300, seed=3, threshold=5.0
    )
    assert again.to_dict() == doc  # reproducible to the last digit


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


def test_simulate_origin_reuses_one_simulation_for_the_grid() -> None:
    o = _origins()[0]
    sc = scenario(horizon_months=6)
    variants = {"x": with_sets(sc, "capability.efficiency_half_life_months=100")}
    sim, var = simulate_origin(o, sc, (3, 6), 200, 4, compute_scenarios=variants)
    assert sim.trend is not None and sim.trend.shape == (200, 3, 2)
    g = sim.gaps(o, "compute")
    assert g is not None and set(g) == {3, 6}
    assert set(var) == {"x"}


# ---- calibration helpers ------------------------------------------------------------------


def test_choose_and_the_one_se_rule() -> None:
    crps = np.array([[3.0, 2.0, 2.1], [3.2, 2.1, 2.0], [2.9, 1.9, 2.05]])
    c = choose((0.0, 0.5, 0.9), crps)
    assert c.best == 0.5 and 0.0 not in c.within and 0.9 in c.within


def test_half_life_posterior_is_the_prior_without_information() -> None:
    post = half_life_posterior(np.zeros((10, 8)), 3.0, 38.0, 0.7)
    assert post.median == pytest.approx(38.0, rel=0.05)
    assert post.posterior == pytest.approx(post.prior_weight)
    favour_long = np.tile(np.linspace(-2, 0, 8), (10, 1))
    assert half_life_posterior(favour_long, 10.0, 38.0, 0.7).median > 38.0


def test_effective_checks_counts_overlap() -> None:
    origins = _origins()
    assert effective_checks(origins, (3, 6)) == pytest.approx(6 / 3 + 3 / 6)


def test_interval_verdict() -> None:
    assert interval_verdict(0.8, 0.8, 24, 3) == "consistent"
    assert interval_verdict(0.2, 0.8, 24, 3) == "too narrow"
    assert interval_verdict(1.0, 0.5, 24, 3) == "too wide"
    assert interval_verdict(0.6, 0.8, 15, 12) == "consistent"  # ~1 independent check


def test_calibrated_fields_are_filled_or_refused() -> None:
    text = "name: x\nensemble:\n  compute_weight: calibrated\n"
    raw = fill_calibrated({"ensemble": {"compute_weight": "calibrated"}}, PRIORS, "note")
    assert raw["ensemble"]["compute_weight"] == 0.5 and raw["calibration"] == "note"
    with pytest.raises(ScenarioError, match="ensemble.compute_weight: 'calibrated' but"):
        parse_scenario(text, calibrated={"trend.common_progress": 0.5})
    bare = "name: x\n" + baseline_text().split("\n", 1)[1]
    sc = parse_scenario(bare)  # no calibration given: the uncalibrated values, said so
    assert sc.ensemble.compute_weight == 0.5 and sc.calibration == UNCALIBRATED_NOTE
    filled = parse_scenario(bare, calibrated={**PRIORS, "ensemble.compute_weight": 0.25})
    assert filled.ensemble.compute_weight == 0.25
    cal = Calibration.from_dict({"values": {"ensemble.compute_weight": 0.2}, "provenance": {}})
    assert cal.to_dict()["values"] == {"ensemble.compute_weight": 0.2}
