"""Sobol indices: the Ishigami known answer, and P(ahead | parameters) with common noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gapcast.model.compute import ComputeModel
from SALib.test_functions import Ishigami

from forecast_data import group, inputs, scenario
from gapcast.evaluate.sensitivity import (
    ProbabilityOutput,
    parameter_matrix,
    probability_sobol,
    sobol,
    uncertain,
)
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
    return scenario(
        horizon_months=24,
        training={
            "run_share": {"value": 0.02, "source": "t"},
            "run_months": {"value": 4.0, "source": "t"},
            # utilisation only scales every training run: it cancels out of every gap
            "utilization": {"dist": "uniform", "low": 0.2, "high": 0.6, "source": "t"},
        },
        capability={
            "beta": {"value": 9.0, "source": "t"},
            "progress": {"value": 10.0, "source": "t"},
            "group_term": {"dist": "uniform", "low": -6.0, "high": 6.0, "source": "t"},
            "efficiency_half_life_months": {"value": 24.0, "source": "t"},
            "release_noise": {"value": 2.0, "source": "t"},
        },
    )


def test_probability_indices_with_common_noise() -> None:
    sc = _sensitive_scenario()
    inp = inputs(challenger=group("China", 148.0, share=0.3))
    model = ComputeModel(sc, inp)  # type: ignore[arg-type]
    names = uncertain(model.space)
    assert names == ["training.utilization", "capability.group_term"]
    out = ProbabilityOutput({"compute": model}, {"compute": 1.0}, (12, 24), 16, seed=3)
    _, results = probability_sobol(out, model.space, base=256, seed=3)
    for res in results:
        idx = {i.name: i for i in res.indices}
        assert idx["training.utilization"].total == 0.0  # no path moves: exactly zero
        assert idx["capability.group_term"].total > 0.9
        assert 0.0 <= res.mean <= 1.0 and res.noise_share >= 0.0


def test_parameter_matrix_uses_quantiles_and_fixed_values() -> None:
    sc = _sensitive_scenario()
    model = ComputeModel(sc, inputs())  # type: ignore[arg-type]
    names = uncertain(model.space)
    u = np.array([[0.5, 0.25], [0.0001, 0.9999]])
    draws = parameter_matrix(model.space, names, u)
    np.testing.assert_allclose(draws["training.utilization"], [0.4, 0.2 + 0.4 * 0.0001])
    np.testing.assert_allclose(draws["capability.group_term"], [-3.0, -6.0 + 12 * 0.9999])
    assert (draws["capability.beta"] == 9.0).all()


def test_ensemble_output_reuses_the_trend_model_across_rows() -> None:
    sc = _sensitive_scenario()
    inp = inputs()
    trend, compute = TrendModel(sc, inp), ComputeModel(sc, inp)  # type: ignore[arg-type]
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
