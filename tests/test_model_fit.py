"""The capability fit: known coefficients, intervals and group terms."""

from __future__ import annotations

import numpy as np
import pytest

from gapcast.errors import InsufficientDataError
from gapcast.model.fit import fit_capability


def _data(rng: np.random.Generator, n: int = 400) -> tuple[np.ndarray, ...]:
    flop = rng.uniform(22, 27, n)
    year = rng.uniform(2023, 2026, n)
    group = rng.choice(["leader", "challenger", "other"], n, p=[0.5, 0.4, 0.1])
    y = (
        -120
        + 9 * flop
        + 11 * (year - 2023)
        + 2.0 * (group == "challenger")
        - 1.0 * (group == "other")
        + rng.normal(0, 3, n)
    )
    return y, flop, year, group


def test_recovers_known_coefficients(rng: np.random.Generator) -> None:
    fit = fit_capability(*_data(rng))
    for name, true in (("c", -120), ("beta", 9), ("gamma", 11), ("delta", 2), ("eta", -1)):
        c = fit.coefficient(name)
        assert c.lo < true < c.hi, name
    assert fit.resid_sd == pytest.approx(3, rel=0.1)
    assert fit.algorithmic_rate == pytest.approx(10 ** (11 / 9), rel=0.1)
    out = fit.to_dict()
    assert set(out["coefficients"]) == {"c", "beta", "gamma", "delta", "eta"}
    mean, cov = fit.joint(("beta", "gamma"))
    assert mean.shape == (2,) and cov.shape == (2, 2) and cov[0, 1] == cov[1, 0]


def test_matches_lstsq_and_exact_intervals(rng: np.random.Generator) -> None:
    y, flop, year, group = _data(rng, 60)
    fit = fit_capability(y, flop, year, group)
    X = np.column_stack(
        [np.ones_like(y), flop, year - 2023, group == "challenger", group == "other"]
    ).astype(float)
    est, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(fit.estimate, est, rtol=1e-9)
    resid = y - X @ est
    s2 = resid @ resid / (60 - 5)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
    assert fit.coefficient("beta").se == pytest.approx(se[1])


def test_without_group_terms_reports_group_residuals(rng: np.random.Generator) -> None:
    fit = fit_capability(*_data(rng), group_terms=False)
    assert not fit.has("delta")
    assert fit.resid_mean_by_group["challenger"] > fit.resid_mean_by_group["leader"]


def test_too_few_models() -> None:
    with pytest.raises(InsufficientDataError, match="found 3"):
        fit_capability(
            np.array([1.0, 2, 3]),
            np.array([22.0, 23, 24]),
            np.array([2023.0, 2024, 2025]),
            np.array(["leader", "challenger", "leader"]),
        )
