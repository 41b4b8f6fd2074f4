"""The Monte Carlo engine with the trend model: moments, symmetry and invariance to chunk size
and worker count (the structural model's tests are in test_model_structural.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast_data import group, group_spec, inputs, scenario, with_sets
from gapcast.model import engine
from gapcast.model._outcomes import GAP_BINS
from gapcast.model.results import hist_quantile
from gapcast.model.trend import TrendModel

LN10 = math.log(10.0)


def test_trend_model_moments_match_compound_poisson() -> None:
    """E[F(t)] = F0 + lambda t mean(J); Var = lambda t mean(J^2) (+ bootstrap of sizes)."""
    steps = (1.0, 2.0, 3.0, 6.0)
    inp = inputs(group("United States", 150.0, steps=steps), group("China", 142.0, steps=steps))
    sc = with_sets(
        scenario(), "groups.leader.releases.rate=0.5", "groups.challenger.releases.rate=0.5"
    )
    paths = engine.simulate_paths(TrendModel(sc, inp), 40_000, seed=3)
    t = 24
    gain = paths[:, t, 0] - 150.0
    mean_j, mean_j2 = np.mean(steps), np.mean(np.square(steps))
    assert gain.mean() == pytest.approx(0.5 * t * mean_j, rel=0.02)
    # law of total variance with the bootstrap: Var = lt E[J^2] + (lt)^2 Var(mean of resample)
    boot_var = np.var(steps) / len(steps)
    expected_var = 0.5 * t * mean_j2 + (0.5 * t) ** 2 * boot_var
    assert gain.var() == pytest.approx(expected_var, rel=0.05)
    assert (np.diff(paths, axis=1) >= 0).all()


@pytest.mark.parametrize("kind", ["trend"])
def test_identical_groups_are_even(kind: str) -> None:
    same = {"steps": (1.0, 2.5, 4.0), "share": 0.4, "history": 12}
    inp = inputs(group("United States", 150.0, **same), group("China", 150.0, **same))
    spec = group_spec(
        "X",
        compute__growth={"dist": "lognormal", "median": 2.5, "sigma": 0.2, "source": "t"},
        releases__rate={"dist": "uniform", "low": 0.3, "high": 0.6, "source": "t"},
    )
    sc = scenario(
        groups={
            "leader": {**spec, "label": "United States"},
            "challenger": {**spec, "label": "China"},
        }
    )
    sc = with_sets(sc, "world.volatility=0.02")
    model = TrendModel(sc, inp)
    n = 20_000
    paths = engine.simulate_paths(model, n, seed=11)
    end = paths[:, -1, :]
    p = (end[:, 1] > end[:, 0]).mean() + 0.5 * (end[:, 1] == end[:, 0]).mean()
    assert abs(p - 0.5) < 4 * math.sqrt(0.25 / n)


def _compute_inputs_and_scenario() -> tuple[object, object]:
    sc = with_sets(
        scenario(),
        "world.volatility=0.03",
        "capability.release_noise=1.5",
        "groups.leader.releases.rate=0.5",
        "groups.challenger.releases.rate=0.35",
        "groups.challenger.compute.growth={dist: uniform, low: 2, high: 3.5}",
    )
    return sc, inputs()


@pytest.mark.parametrize("kind", ["trend"])
def test_chunk_and_worker_invariance_is_bitwise(kind: str) -> None:
    sc, inp = _compute_inputs_and_scenario()
    model = TrendModel(sc, inp)  # type: ignore[arg-type]
    n = 9_000
    ref = engine.run(model, n, 42, engine.EngineOptions(chunk=n, keep_draws=True))
    for chunk, workers in ((1000, 1), (4096, 1), (777, 2), (3000, 3), (100_000, 2)):
        other = engine.run(
            model, n, 42, engine.EngineOptions(chunk=chunk, workers=workers, keep_draws=True)
        )
        for name in ("ahead", "first", "gap", "level", "lag", "first_ahead"):
            assert np.array_equal(getattr(ref, name), getattr(other, name)), (name, chunk)
    assert ref.draws == n and ref.first.sum() == n
    different = engine.run(model, n, 43)
    assert not np.array_equal(ref.gap, different.gap)


def test_bins_are_consistent() -> None:
    hist = np.zeros(GAP_BINS.n)
    hist[GAP_BINS.n // 2] = 1.0
    assert hist_quantile(hist, GAP_BINS, 0.5) == pytest.approx(GAP_BINS.width / 2)
    assert GAP_BINS.centers()[GAP_BINS.n // 2] == pytest.approx(GAP_BINS.width / 2)
