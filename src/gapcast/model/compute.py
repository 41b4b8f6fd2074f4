r"""The structural compute model: compute, how it is split, and what it buys.

For each draw, group ``b`` and month ``t`` (monthly rates are annual ones over 12)

.. math::

    \ln K_b(t+1) &= \ln K_b(t) + g_b(t)/12 + \sigma \varepsilon_{b,t}
                   \quad (+\text{dated shocks: } \times f \text{ or } + \Delta K) \\
    \ln D_b(t+1) &= \ln D_b(t) + h_b/12, \qquad D_b(0) = s_b(0) K_b(0) \\
    s_b(t) &= \min(s_{\max,b},\ D_b(t)/K_b(t)) \qquad\text{(demand is served first)} \\
    R_b(t) &= (1 - s_b(t)) K_b(t), \qquad T_b(t) = \phi\, R_b(t)\, \Delta\, u\, c_{H100} \\
    x_b(t+1) &= \max\bigl(x_b(t) + \rho_b \alpha/12,\ x^*(t + 1 - L)\bigr),
              \quad x^*(t) = \max_b x_b(t) \\
    \hat P_b(t) &= \beta\,[\log_{10} T_b(t) + x_b(t)] + \delta\,[b = \text{challenger}] \\
    P_b(t) &= \hat P_b(t) + v_0 + (v_b - v_0)\, 2^{-t/\tau} \\
    F_b(t) &= \max\bigl(F_b(t-1),\ P_b(t) + \sigma_r z_{b,t}\bigr)
              \ \text{if a release, } \Pr = 1 - e^{-\lambda_b}; \text{ else } F_b(t-1)

``x`` is algorithmic efficiency in ``log10`` effective-compute units, growing at the fitted
rate ``alpha = gamma / beta`` per year (times ``rho_b``); open-weight diffusion keeps every
group within ``L`` months of the best methods ``x*``. ``beta``, ``gamma`` and ``delta``
are drawn jointly from the fit (``gapcast.model.fit``).

Anchoring, and why the serving share's level matters
----------------------------------------------------
The residual ``v_b = P_b(0) - \hat P_b(0)`` is what the compute story does not explain of
each group's measured frontier (``P_b(0)`` is the measured frontier plus the potential's
growth since the group's last frontier step). The leader's residual ``v_0`` is kept: it
absorbs every constant common to both groups (``c``, ``phi``, ``Delta``, utilisation, the
world stock), which therefore cancel out of the gap. The challenger's *excess* residual
``v_1 - v_0`` decays with half-life ``tau`` months. So:

- ``tau -> infinity``: each group is calibrated to its own frontier and only growth rates
  matter; the serving share then acts only through its dynamics (a group near its cap whose
  demand outgrows its compute sees research compute grow as ``(g - s h)/(1 - s)``).
- finite ``tau``: the gap moves from the measured gap towards the compute-implied gap
  ``beta log10(T_0 / T_1) + alpha beta (lag) - delta``; a higher serving share means less
  research compute, a larger compute-implied gap, and a lower probability.

The data's group term ``delta`` (challenger's offset at equal compute and date) is the
persistent part; the rest of the initial gap that compute, algorithms and ``delta`` do not
account for is treated as transient. docs/model.md discusses the choice.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gapcast.errors import ScenarioError
from gapcast.model._compute_kernel import (
    BETA,
    DELTA,
    DIFF_L,
    GAMMA,
    H100_FLOPS,
    K0,
    LAG0,
    LN10,
    S0,
    SECONDS_PER_MONTH,
    SMAX,
    _paths,
    _prepare,
    _tally_parallel,
    _tally_serial,
)
from gapcast.model.engine import Array, Draws, Tallies, part_bounds
from gapcast.model.inputs import ForecastInputs, month_index
from gapcast.model.params import Gamma, Normal, ParamSpace, Sampler
from gapcast.scenario.files import ROLES, Fitted, Scenario

COMMON_FIELDS = (
    "world.stock_h100e",
    "world.volatility",
    "world.diffusion_lag_months",
    "training.run_share",
    "training.run_months",
    "training.utilization",
    "capability.beta",
    "capability.progress",
    "capability.group_term",
    "capability.efficiency_half_life_months",
    "capability.release_noise",
)
"""Shared parameters, in the column order ``_prepare`` reads them."""

GROUP_FIELDS = (
    "compute.share_adjust",
    "compute.growth",
    "serving.share",
    "serving.demand_growth",
    "serving.max_share",
    "algorithms.relative_rate",
    "algorithms.lag_months",
    "releases.rate",
)


def fitted_release_rate(inputs: ForecastInputs, role: str) -> Gamma:
    """Return the posterior of a group's frontier-step rate per month.

    With ``n`` steps in ``E`` months and Jeffreys' prior, ``lambda ~ Gamma(n + 1/2, E)``.
    """
    steps = (inputs.leader if role == "leader" else inputs.challenger).steps
    return Gamma(
        steps.n + 0.5,
        max(steps.exposure_months, 1e-9),
        f"fitted: {steps.n} frontier steps in {steps.exposure_months:g} months",
    )


def compute_space(scenario: Scenario, inputs: ForecastInputs) -> ParamSpace:
    """Return every parameter of the compute model with its distribution."""
    space: ParamSpace = {}
    for name in ("stock_h100e", "volatility", "diffusion_lag_months"):
        space[f"world.{name}"] = getattr(scenario.world, name)
    for name in ("run_share", "run_months", "utilization"):
        space[f"training.{name}"] = getattr(scenario.training, name)
    cap = scenario.capability
    for name, coef in (("beta", "beta"), ("progress", "gamma"), ("group_term", "delta")):
        dist = getattr(cap, name)
        if isinstance(dist, Fitted):
            if not inputs.fit.has(coef):
                raise ScenarioError(
                    f"capability.{name}",
                    f"'fitted' but the fit has no {coef} term; give a distribution",
                )
            c = inputs.fit.coefficient(coef)
            space[f"capability.{name}"] = Normal(
                mean=c.estimate, sd=max(c.se, 1e-12), source=f"fitted ({inputs.fit.n} models)"
            )
        else:
            space[f"capability.{name}"] = dist
    space["capability.efficiency_half_life_months"] = cap.efficiency_half_life_months
    space["capability.release_noise"] = cap.release_noise
    for role in ROLES:
        spec = scenario.group(role)
        for name in GROUP_FIELDS:
            section, key = name.split(".")
            dist = getattr(getattr(spec, section), key)
            path = f"groups.{role}.{name}"
            space[path] = fitted_release_rate(inputs, role) if isinstance(dist, Fitted) else dist
    for i, shock in enumerate(scenario.shocks):
        space[f"shocks.{i}"] = shock.factor if shock.factor is not None else shock.add_h100e  # type: ignore[assignment]
    for i, change in enumerate(scenario.growth_changes):
        space[f"growth_changes.{i}"] = change.factor
    return space


class ComputeModel:
    """The structural compute model (see the module docstring)."""

    name = "compute"

    def __init__(self, scenario: Scenario, inputs: ForecastInputs) -> None:
        self.scenario = scenario
        self.inputs = inputs
        self.horizon = scenario.horizon_months
        self.groups = (inputs.leader.label, inputs.challenger.label)
        self.base = inputs.leader.frontier
        self.space: ParamSpace = compute_space(scenario, inputs)
        self._f0 = np.array([g.frontier for g in inputs.groups])
        self._since = np.array([g.months_since_step for g in inputs.groups])
        self._share = np.array([g.compute_share for g in inputs.groups])
        self._hist = [np.ascontiguousarray(g.history, dtype=np.float64) for g in inputs.groups]
        role_index = {r: i for i, r in enumerate(ROLES)}
        self._sh_month = np.array(
            [month_index(inputs.as_of, s.date) for s in scenario.shocks], dtype=np.int64
        )
        self._sh_group = np.array([role_index[s.group] for s in scenario.shocks], np.int64)
        self._sh_add = np.array([s.add_h100e is not None for s in scenario.shocks], np.int64)
        self._gc_month = np.array(
            [max(month_index(inputs.as_of, c.date), 1) for c in scenario.growth_changes],
            dtype=np.int64,
        )
        self._gc_group = np.array([role_index[c.group] for c in scenario.growth_changes], np.int64)
        cap = scenario.capability
        joint = [
            i
            for i, name in enumerate(("beta", "progress", "group_term"))
            if isinstance(getattr(cap, name), Fitted)
        ]
        if len(joint) < 2:
            joint = []
        coefs = tuple(("beta", "gamma", "delta")[i] for i in joint)
        mean, cov = inputs.fit.joint(coefs) if joint else (np.zeros(0), np.zeros((0, 0)))
        self._jidx = np.array(joint, dtype=np.int64)
        self._jmean = mean
        self._jsd = np.sqrt(np.maximum(np.diag(cov), 1e-24))
        self._jchol = _cholesky(cov)

    def prepare(self, params: Draws) -> tuple[Array, Array, Array, Array]:
        """Turn sampled parameters into the kernel's arrays (group, common, shocks, growth)."""
        n = params.n
        col = params.columns
        gcols = np.array(
            [[col[f"groups.{role}.{name}"] for name in GROUP_FIELDS] for role in ROLES],
            dtype=np.int64,
        )
        ccols = np.array([col[path] for path in COMMON_FIELDS], dtype=np.int64)
        shcols = np.array(
            [col[f"shocks.{i}"] for i in range(len(self.scenario.shocks))], dtype=np.int64
        )
        gccols = np.array(
            [col[f"growth_changes.{i}"] for i in range(len(self.scenario.growth_changes))],
            dtype=np.int64,
        )
        gp = np.empty((n, 2, 8))
        cp = np.empty((n, 8))
        shocks = np.empty((n, shcols.shape[0]))
        changes = np.empty((n, gccols.shape[0]))
        _prepare(
            params.matrix,
            gcols,
            ccols,
            shcols,
            self._sh_add,
            gccols,
            self._share,
            self._jidx,
            self._jmean,
            self._jsd,
            self._jchol,
            gp,
            cp,
            shocks,
            changes,
        )
        return gp, cp, shocks, changes

    def simulate(
        self,
        keys: NDArray[np.uint64],
        params: Draws,
        tallies: Tallies,
        first_out: NDArray[np.int16],
        *,
        parallel: bool,
    ) -> None:
        """Simulate the draws with ``keys`` and add them to ``tallies``."""
        gp, cp, sh, gc = self.prepare(params)
        bounds = part_bounds(keys.shape[0], tallies.ahead.shape[0])
        kernel = _tally_parallel if parallel else _tally_serial
        kernel(
            keys,
            gp,
            cp,
            sh,
            self._sh_month,
            self._sh_group,
            self._sh_add,
            gc,
            self._gc_month,
            self._gc_group,
            self._f0,
            self._since,
            self.horizon,
            self._hist[0],
            self._hist[1],
            self.base,
            bounds,
            tallies.ahead,
            tallies.first,
            tallies.gap,
            tallies.level,
            tallies.lag,
            first_out,
        )

    def paths(self, keys: NDArray[np.uint64], params: Draws) -> Array:
        """Return the frontier paths, draws × months × groups."""
        gp, cp, sh, gc = self.prepare(params)
        out = np.empty((keys.shape[0], self.horizon + 1, 2))
        _paths(
            keys,
            gp,
            cp,
            sh,
            self._sh_month,
            self._sh_group,
            self._sh_add,
            gc,
            self._gc_month,
            self._gc_group,
            self._f0,
            self._since,
            out,
        )
        return out

    def potentials(self, params: Draws) -> dict[str, Array]:
        """Return the initial-gap decomposition per draw (points; leader minus challenger).

        ``compute``: ``beta log10(T_0(0) / T_1(0))``; ``algorithms``: ``beta (x_0 - x_1)``;
        ``group_term``: ``-delta``; ``residual``: what is left of the measured gap.
        """
        gp, cp, _, _ = self.prepare(params)
        logr = np.log(gp[:, :, K0]) + np.log1p(-np.minimum(gp[:, :, S0], gp[:, :, SMAX]))
        alpha = cp[:, GAMMA] / cp[:, BETA] / 12.0
        lag = np.minimum(gp[:, 1, LAG0], cp[:, DIFF_L]) - np.minimum(gp[:, 0, LAG0], cp[:, DIFF_L])
        compute = cp[:, BETA] * (logr[:, 0] - logr[:, 1]) / LN10
        algorithms = cp[:, BETA] * alpha * lag
        measured = self._f0[0] - self._f0[1]
        return {
            "compute": compute,
            "algorithms": algorithms,
            "group_term": -cp[:, DELTA],
            "residual": measured - compute - algorithms + cp[:, DELTA],
            "log10_research_ratio": (logr[:, 0] - logr[:, 1]) / LN10,
        }


def _cholesky(cov: Array) -> Array:
    """Cholesky factor of a covariance (diagonal where it is not positive definite)."""
    if cov.size == 0:
        return np.zeros((0, 0))
    try:
        return np.asarray(np.linalg.cholesky(cov), dtype=np.float64)
    except np.linalg.LinAlgError:
        return np.diag(np.sqrt(np.maximum(np.diag(cov), 0.0)))


__all__ = [
    "COMMON_FIELDS",
    "GROUP_FIELDS",
    "H100_FLOPS",
    "SECONDS_PER_MONTH",
    "ComputeModel",
    "Sampler",
    "compute_space",
    "fitted_release_rate",
]
