r"""The capability relation, fitted on the data: capability against training compute and date.

For every model with a score on the metric (ECI) and a training-compute estimate, ordinary
least squares on

.. math:: y_i = c + \beta \log_{10} C_i + \gamma (t_i - 2023) + \delta\, \mathbb 1[i \in
          \text{challenger}] + \eta\, \mathbb 1[i \in \text{other}] + \varepsilon_i,

with ``C_i`` the training compute in FLOP and ``t_i`` the release date in decimal years.
``beta`` is the scaling of capability with compute (points per 10x), ``gamma`` the drift at
fixed compute (algorithms, data, post-training: points per year), ``delta`` the challenger's
offset from the leader at equal compute and date (the reference group is the leader;
``other`` collects every other country). Standard errors are the classical OLS ones,
``s^2 (X'X)^{-1}``; intervals are Student-t 95%. The compute model draws
``(beta, gamma, delta)`` jointly from ``N(theta_hat, Sigma_hat)``.

In the model ``P = c + beta log10(T A)`` the algorithmic efficiency ``A`` grows by
``10^(gamma / beta)`` per year: the fitted ``gamma`` plays the part of algorithmic progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from gapcast.errors import InsufficientDataError

REFERENCE_YEAR = 2023.0
"""Year at which the date term is zero."""

TERMS = ("intercept", "log10_flop", "year", "challenger", "other")
"""Design columns, in order (``other`` is dropped when no other group has data)."""

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Coefficient:
    """One fitted coefficient with its standard error and 95% interval."""

    name: str
    estimate: float
    se: float
    lo: float
    hi: float

    def to_dict(self) -> dict[str, Any]:
        """Return the coefficient as plain numbers."""
        return {"estimate": self.estimate, "se": self.se, "ci95": [self.lo, self.hi]}


@dataclass(frozen=True)
class CapabilityFit:
    """The fitted relation ``y = c + beta log10 C + gamma (t - 2023) + delta [+ eta]``."""

    terms: tuple[str, ...]
    estimate: Array
    cov: Array
    resid_sd: float
    n: int
    r2: float
    dof: int
    n_by_group: dict[str, int]
    resid_mean_by_group: dict[str, float]

    def has(self, name: str) -> bool:
        """Say whether the fit has a coefficient."""
        return _ALIASES.get(name, name) in self.terms

    def coefficient(self, name: str) -> Coefficient:
        """Return one coefficient (``beta``, ``gamma``, ``delta``, ... or a term name)."""
        term = _ALIASES.get(name, name)
        i = self.terms.index(term)
        se = float(np.sqrt(self.cov[i, i]))
        t = _t975(self.dof)
        est = float(self.estimate[i])
        return Coefficient(name, est, se, est - t * se, est + t * se)

    def joint(self, names: tuple[str, ...]) -> tuple[Array, Array]:
        """Return the mean vector and covariance of a subset of coefficients."""
        idx = [self.terms.index(_ALIASES.get(n, n)) for n in names]
        return self.estimate[idx].copy(), self.cov[np.ix_(idx, idx)].copy()

    @property
    def algorithmic_rate(self) -> float:
        """Implied algorithmic efficiency growth per year, ``10^(gamma / beta)``."""
        return float(10 ** (self.coefficient("gamma").estimate / self.coefficient("beta").estimate))

    def to_dict(self) -> dict[str, Any]:
        """Return the fit as a JSON-ready mapping."""
        names = [_NAMES.get(t, t) for t in self.terms]
        return {
            "model": "y = c + beta*log10(FLOP) + gamma*(year - 2023) + delta*[challenger]"
            + (" + eta*[other]" if "other" in self.terms else ""),
            "coefficients": {n: self.coefficient(n).to_dict() for n in names},
            "covariance": {"terms": names, "matrix": self.cov.tolist()},
            "resid_sd": self.resid_sd,
            "r2": self.r2,
            "n": self.n,
            "dof": self.dof,
            "n_by_group": dict(self.n_by_group),
            "resid_mean_by_group": dict(self.resid_mean_by_group),
            "algorithmic_rate_per_year": self.algorithmic_rate,
        }


_ALIASES = {
    "c": "intercept",
    "beta": "log10_flop",
    "gamma": "year",
    "delta": "challenger",
    "eta": "other",
}
_NAMES = {v: k for k, v in _ALIASES.items()}


def fit_capability(
    value: Array,
    log10_flop: Array,
    year: Array,
    group: NDArray[np.str_],
    *,
    group_terms: bool = True,
) -> CapabilityFit:
    """Fit capability on log10 training compute, date and group by OLS.

    Parameters
    ----------
    value
        The metric's score of each model (ECI).
    log10_flop
        ``log10`` of each model's training compute in FLOP.
    year
        Release date in decimal years.
    group
        ``"leader"``, ``"challenger"`` or ``"other"`` for each model.
    group_terms
        Include the ``challenger`` and ``other`` offsets (default). Without them the
        per-group residual means show how far each group sits from the common relation.

    Returns
    -------
    CapabilityFit
        Estimates, covariance, residual sd and per-group residual means.
    """
    y = np.asarray(value, dtype=np.float64)
    x1 = np.asarray(log10_flop, dtype=np.float64)
    x2 = np.asarray(year, dtype=np.float64) - REFERENCE_YEAR
    grp = np.asarray(group).astype(str)
    ok = np.isfinite(y) & np.isfinite(x1) & np.isfinite(x2)
    y, x1, x2, grp = y[ok], x1[ok], x2[ok], grp[ok]
    columns = [
        np.ones_like(y),
        x1,
        x2,
        (grp == "challenger").astype(float),
        (grp == "other").astype(float),
    ]
    terms = list(TERMS)
    if not (grp == "other").any() or not group_terms:
        columns.pop()
        terms.pop()
    if not group_terms:
        columns.pop()
        terms.pop()
    X = np.column_stack(columns)
    n, k = X.shape
    if n < k + 3 or not (grp == "challenger").any() or not (grp == "leader").any():
        raise InsufficientDataError(
            f"the capability fit needs models with both a score and a training-compute "
            f"estimate from each group; found {n} ({int((grp == 'leader').sum())} leader, "
            f"{int((grp == 'challenger').sum())} challenger)"
        )
    xtx_inv = np.linalg.inv(X.T @ X)
    est = xtx_inv @ X.T @ y
    resid = y - X @ est
    dof = n - k
    s2 = float(resid @ resid) / dof
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    groups = ("leader", "challenger", "other")
    return CapabilityFit(
        terms=tuple(terms),
        estimate=est,
        cov=s2 * (xtx_inv + xtx_inv.T) / 2,
        resid_sd=float(np.sqrt(s2)),
        n=n,
        r2=r2,
        dof=dof,
        n_by_group={g: int((grp == g).sum()) for g in groups},
        resid_mean_by_group={g: float(resid[grp == g].mean()) for g in groups if (grp == g).any()},
    )


@lru_cache(maxsize=64)
def _t975(dof: int) -> float:
    """Return Student's t 97.5th percentile (asked for once per coefficient and output)."""
    return float(stats.t.ppf(0.975, dof))
