"""What would it take: root finding on probabilities with common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast_data import group, inputs, scenario, with_sets
from gapcast.evaluate.whatif import solve
from gapcast.model import engine
from gapcast.model.results import Distributions
from gapcast.model.structural import EngineModel


def test_solve_a_smooth_curve() -> None:
    res = solve(lambda x: x * x, 0.25, 0.0, 1.0, path="x", xtol=1e-10)
    assert res.reached and res.value == pytest.approx(0.5, abs=1e-8)
    assert res.p_value == pytest.approx(0.25)
    assert len(res.grid) == 9 and res.grid[0] == (0.0, 0.0)
    assert "X = 0.5 gives a 25% chance of being ahead within 60 months" in res.message()


def test_solve_a_decreasing_step_function() -> None:
    draws = np.random.default_rng(1).uniform(size=1000)
    res = solve(lambda x: float((draws > x).mean()), 0.3, 0.0, 1.0, xtol=1e-9)
    assert res.value is not None
    assert float((draws > res.value).mean()) == pytest.approx(0.3, abs=1e-3)
    assert res.value == pytest.approx(np.quantile(draws, 0.7), abs=2e-3)


def test_out_of_reach_gives_both_ends() -> None:
    res = solve(lambda x: 0.1 + 0.1 * x, 0.5, 0.0, 1.0, path="groups.challenger.serving.share")
    assert not res.reached and res.value is None
    assert (res.p_lo, res.p_hi) == (pytest.approx(0.1), pytest.approx(0.2))
    doc = res.to_dict()
    assert doc["reached"] is False and doc["p_at_range"] == [pytest.approx(0.1), pytest.approx(0.2)]
    assert "out of reach" in doc["message"]
    with pytest.raises(ValueError, match="empty range"):
        solve(math.sin, 0.5, 1.0, 1.0)


def test_probability_is_monotone_in_compute_growth_with_common_random_numbers() -> None:
    base = with_sets(
        scenario(horizon_months=24),
        "capability.shock_scale=1.0",
        "capability.release_noise=1.0",
    )
    inp = inputs(challenger=group("China", 148.0, share=0.3))

    def p(x: float) -> float:
        sc = with_sets(base, f"groups.challenger.compute.growth={x}")
        dist = Distributions.from_totals(engine.run(EngineModel(sc, inp), 2000, 11))
        return float(dist.within()[24])

    grid = np.linspace(1.5, 4.0, 6)
    values = [p(x) for x in grid]
    assert values == sorted(values)  # faster growth never lowers the probability
    res = solve(p, 0.6, 1.5, 4.0, grid=3, xtol=1e-6)
    assert res.reached and 1.5 < (res.value or 0) < 4.0
    assert p(res.value - 1e-5) < 0.6 <= p(res.value + 1e-5)  # type: ignore[operator]
