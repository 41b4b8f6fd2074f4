"""Sobol indices: the Ishigami known answer, and P(ahead | parameters) with common noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from SALib.test_functions import Ishigami

from forecast_data import group, inputs, scenario, with_sets
from gapcast.evaluate.sensitivity import (
    ProbabilityOutput,
    parameter_matrix,
    probability_sobol,
    sobol,
    uncertain,
)
from gapcast.model.structural import EngineModel
from gapcast.model.trend import TrendModel

A, B = 7.0, 0.1


def ishigami_indices() -> tuple[list[float], list[float]]:
    """The analytic first- and total-order indices of Ishigami-Homma (Saltelli et al. 2008)."""
    pi = math.pi
    v1 = 0.5 * (1 + B * pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return [v1 / var, v2 / var, 0.0], [(v1 + v13) / var, v2 / var, v13 / var]


def test_ishigami_known_answer() -> None:
    def evaluate(u: np.ndarray) -> np.ndarray:
        return Ishigami.evaluate(-math.pi + 2 * math.pi * u, A, B)[:, None]

    (out,) = sobol(evaluate, ["x1", "x2", "x3"], ["y"], base=2**13, seed=7)
    got = {i.name: i for i in out.indices}
    first, total = ishigami_indices()
    for k, name in enumerate(("x1", "x2", "x3")):
        assert got[name].first == pytest.approx(first[k], abs=0.03)
        assert got[name].total == pytest.approx(total[k], abs=0.03)
        assert got[name].first_conf > 0 and got[name].total_conf > 0
    assert [i.name for i in out.indices] == ["x1", "x2", "x3"]  # by total order
    assert first[1] == pytest.approx(0.4424, abs=1e-4) and total[2] == pytest.approx(
        0.2437, abs=1e-4
    )


def _sensitive_scenario() -> object:
    # every capability prior fixed and no release noise (the prior latent states then carry
    # no noise either): the posterior's rows are all alike, so `posterior.row` moves no
    # path; the challenger's compute growth decides the race
    return with_sets(
        scenario(horizon_months=24),
        "groups.challenger.compute.growth={dist: uniform, low: 1.5, high: 4.0}",
        "capability.shock_scale=0.5",
    )


def test_probability_indices_with_common_noise() -> None:
    sc = _sensitive_scenario()
    inp = inputs(challenger=group("China", 148.0, share=0.3))
    model = EngineModel(sc, inp)  # type: ignore[arg-type]
    names = uncertain(model.space)
    assert names == ["groups.challenger.compute.growth", "posterior.row"]
    out = ProbabilityOutput({"structural": model}, {"structural": 1.0}, (12, 24), 16, seed=3)
    _, results = probability_sobol(out, model.space, base=256, seed=3)
    for res in results:
        idx = {i.name: i for i in res.indices}
        assert idx["posterior.row"].total == 0.0  # no path moves: exactly zero
        assert idx["groups.challenger.compute.growth"].total > 0.9
        assert 0.0 <= res.mean <= 1.0 and res.noise_share >= 0.0


def test_parameter_matrix_uses_quantiles_and_fixed_values() -> None:
    sc = _sensitive_scenario()
    model = EngineModel(sc, inputs())  # type: ignore[arg-type]
    names = uncertain(model.space)
    u = np.array([[0.5, 0.25], [0.0001, 0.9999]])
    draws = parameter_matrix(model.space, names, u)
    np.testing.assert_allclose(
        draws["groups.challenger.compute.growth"], [2.75, 1.5 + 2.5 * 0.0001]
    )
    np.testing.assert_allclose(draws["posterior.row"], [0.25, 0.9999])
    assert (draws["world.stock_h100e"] == 16e6).all()


def test_weighted_outputs_reuse_the_trend_model_across_rows() -> None:
    sc = _sensitive_scenario()
    inp = inputs()
    trend, compute = TrendModel(sc, inp), EngineModel(sc, inp)  # type: ignore[arg-type]
    out = ProbabilityOutput(
        {"trend": trend, "compute": compute}, {"trend": 0.4, "compute": 0.6}, (24,), 8, seed=1
    )
    names = uncertain(compute.space)
    u = np.array([[0.3, 0.5], [0.7, 0.5], [0.3, 0.9]])  # trend's parameters never change
    p = out(parameter_matrix(compute.space, names, u))
    assert p.shape == (3, 1)
    assert out.counted[0] == 8  # one distinct trend row
    only_t = ProbabilityOutput({"trend": trend}, {"trend": 1.0}, (24,), 8, seed=1)
    only_c = ProbabilityOutput({"compute": compute}, {"compute": 1.0}, (24,), 8, seed=1)
    draws = parameter_matrix(compute.space, names, u)
    np.testing.assert_allclose(p, 0.4 * only_t(draws) + 0.6 * only_c(draws))
