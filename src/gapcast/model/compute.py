"""The structural compute model: compute, how it is split, and what it buys.

For each draw, group ``b`` and month ``t`` (monthly rates are annual ones over 12)

.. math::

    \\ln K_b(t+1) &= \\ln K_b(t) + g_b(t)/12 + \\sigma \\varepsilon_{b,t}
                   \\quad (+\\text{dated shocks: } \\times f \\text{ or } + \\Delta K) \\\\
    \\ln D_b(t+1) &= \\ln D_b(t) + h_b/12, \\qquad D_b(0) = s_b(0) K_b(0) \\\\
    s_b(t) &= \\min(s_{\\max,b},\\ D_b(t)/K_b(t)) \\qquad\\text{(demand is served first)} \\\\
    R_b(t) &= (1 - s_b(t)) K_b(t), \\qquad T_b(t) = \\phi\\, R_b(t)\\, \\Delta\\, u\\, c_{H100} \\\\
    x_b(t+1) &= \\max\\bigl(x_b(t) + \\rho_b \\alpha/12,\\ x^*(t + 1 - L)\\bigr),
              \\quad x^*(t) = \\max_b x_b(t) \\\\
    \\hat P_b(t) &= \\beta\\,[\\log_{10} T_b(t) + x_b(t)] + \\delta\\,[b = \\text{challenger}] \\\\
    P_b(t) &= \\hat P_b(t) + v_0 + (v_b - v_0)\\, 2^{-t/\\tau} \\\\
    F_b(t) &= \\max\\bigl(F_b(t-1),\\ P_b(t) + \\sigma_r z_{b,t}\\bigr)
              \\ \\text{if a release, } \\Pr = 1 - e^{-\\lambda_b}; \\text{ else } F_b(t-1)

``x`` is algorithmic efficiency in ``log10`` effective-compute units, growing at the fitted
rate ``alpha = gamma / beta`` per year (times ``rho_b``); open-weight diffusion keeps every
group within ``L`` months of the best methods ``x*``. ``beta``, ``gamma`` and ``delta``
are drawn jointly from the fit (``gapcast.model.fit``).

Anchoring, and why the serving share's level matters
----------------------------------------------------
The residual ``v_b = P_b(0) - \\hat P_b(0)`` is what the compute story does not explain of
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

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.errors import ScenarioError
from gapcast.model._jit import jit
from gapcast.model._outcomes import BATCH, lag_months_mask, lags, tally_batch
from gapcast.model._random import draw_bits, normal, stream_key
from gapcast.model.engine import Array, Draws, Tallies, part_bounds
from gapcast.model.inputs import ForecastInputs, month_index
from gapcast.model.params import Gamma, Normal, ParamSpace, Sampler
from gapcast.model.scenarios import ROLES, Fitted, Scenario

H100_FLOPS = 989.4e12
"""Dense BF16 peak of one H100 SXM, FLOP/s (NVIDIA datasheet): one H100e."""
SECONDS_PER_MONTH = 365.25 * 86400 / 12
LN10 = math.log(10.0)
INV_LN10 = 1.0 / LN10

# group parameter columns (draws × groups × columns)
K0, GROWTH, S0, DEMAND, SMAX, REL_RATE, LAG0, RATE = range(8)
# common parameter columns (draws × columns)
BETA, GAMMA, DELTA, HALF_LIFE, NOISE, VOL, DIFF_L, LOGT = range(8)

_NOISE_STREAM = np.uint64(101)
_RELEASE_STREAM = np.uint64(102)
_RELEASE_NOISE_STREAM = np.uint64(103)
_U0 = np.uint64(0)
_U1 = np.uint64(1)

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


@jit(parallel=True)
def _prepare(
    P: Array,
    gcols: NDArray[np.int64],
    ccols: NDArray[np.int64],
    shcols: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gccols: NDArray[np.int64],
    share: Array,
    jidx: NDArray[np.int64],
    jmean: Array,
    jsd: Array,
    jchol: Array,
    gp: Array,
    cp: Array,
    sh: Array,
    gc: Array,
) -> None:
    """Fill the kernel's per-draw arrays from the parameter matrix (one pass over draws).

    The fitted coefficients listed in ``jidx`` (at most three: beta, gamma, delta) get the
    fit's joint covariance, ``theta = mean + L z`` with ``z`` their standardised draws.
    """
    k = jidx.shape[0]
    for d in nb.prange(P.shape[0]):
        stock = P[d, ccols[0]]
        for b in range(2):
            gp[d, b, K0] = stock * share[b] * P[d, gcols[b, 0]]
            gp[d, b, GROWTH] = math.log(P[d, gcols[b, 1]]) / 12.0
            gp[d, b, S0] = P[d, gcols[b, 2]]
            gp[d, b, DEMAND] = math.log(P[d, gcols[b, 3]]) / 12.0
            gp[d, b, SMAX] = P[d, gcols[b, 4]]
            gp[d, b, REL_RATE] = P[d, gcols[b, 5]]
            gp[d, b, LAG0] = P[d, gcols[b, 6]]
            gp[d, b, RATE] = P[d, gcols[b, 7]]
        c0, c1, c2 = P[d, ccols[6]], P[d, ccols[7]], P[d, ccols[8]]
        if k > 0:
            z0 = z1 = z2 = 0.0
            for a in range(k):
                i = jidx[a]
                za = ((c0 if i == 0 else (c1 if i == 1 else c2)) - jmean[a]) / jsd[a]
                if a == 0:
                    z0 = za
                elif a == 1:
                    z1 = za
                else:
                    z2 = za
            for a in range(k):
                v = jmean[a] + jchol[a, 0] * z0
                if a >= 1:
                    v += jchol[a, 1] * z1
                if a >= 2:
                    v += jchol[a, 2] * z2
                i = jidx[a]
                if i == 0:
                    c0 = v
                elif i == 1:
                    c1 = v
                else:
                    c2 = v
        cp[d, BETA] = max(c0, 1e-6)
        cp[d, GAMMA] = c1
        cp[d, DELTA] = c2
        cp[d, HALF_LIFE] = P[d, ccols[9]]
        cp[d, NOISE] = P[d, ccols[10]]
        cp[d, VOL] = P[d, ccols[1]]
        cp[d, DIFF_L] = P[d, ccols[2]]
        cp[d, LOGT] = math.log10(
            P[d, ccols[3]] * P[d, ccols[4]] * P[d, ccols[5]] * H100_FLOPS * SECONDS_PER_MONTH
        )
        for i in range(shcols.shape[0]):
            v = P[d, shcols[i]]
            sh[d, i] = v if sh_add[i] == 1 else math.log(v)
        for i in range(gccols.shape[0]):
            gc[d, i] = math.log(P[d, gccols[i]]) / 12.0


@jit(nogil=True)
def _draw(
    key: np.uint64,
    gp: Array,
    cp: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    f0: Array,
    since: Array,
    F: Array,
    best: Array,
) -> None:
    """Simulate one draw into ``F`` (months × groups); ``best`` is scratch (months).

    ``ln K`` and ``ln D`` are advanced additively every month; the serving share, research
    compute and potential (an ``exp`` and a ``log1p``) are only evaluated in months with a
    release, where they are needed.
    """
    months = F.shape[0]
    beta, delta = cp[BETA], cp[DELTA]
    alpha = cp[GAMMA] / beta / 12.0
    q = 0.5 ** (1.0 / cp[HALF_LIFE])
    noise, vol, lag_l, logt = cp[NOISE], cp[VOL], cp[DIFF_L], cp[LOGT]
    n_shocks = sh_month.shape[0]
    n_changes = gc_month.shape[0]
    # two groups held in scalars: index 0 leader, 1 challenger
    lk0 = math.log(gp[0, K0])
    lk1 = math.log(gp[1, K0])
    ld0 = lk0 + math.log(max(gp[0, S0], 1e-300))
    ld1 = lk1 + math.log(max(gp[1, S0], 1e-300))
    g0, g1 = gp[0, GROWTH], gp[1, GROWTH]
    h0, h1 = gp[0, DEMAND], gp[1, DEMAND]
    m0, m1 = gp[0, SMAX], gp[1, SMAX]
    a0, a1 = gp[0, REL_RATE] * alpha, gp[1, REL_RATE] * alpha
    x0 = -alpha * min(gp[0, LAG0], lag_l)
    x1 = -alpha * min(gp[1, LAG0], lag_l)
    cap0, cap1 = math.log(m0), math.log(m1)
    rest0, rest1 = math.log1p(-m0), math.log1p(-m1)
    r0 = _threshold(1.0 - math.exp(-gp[0, RATE]))
    r1 = _threshold(1.0 - math.exp(-gp[1, RATE]))
    bl = beta * INV_LN10
    base0 = beta * logt
    base1 = beta * logt + delta
    best[0] = max(x0, x1)
    v0 = (
        f0[0]
        + since[0] * _slope(lk0, ld0, g0, h0, m0, a0, beta)
        - (base0 + beta * (_logr(lk0, ld0, m0) / LN10 + x0))
    )
    v1 = (
        f0[1]
        + since[1] * _slope(lk1, ld1, g1, h1, m1, a1, beta)
        - (base1 + beta * (_logr(lk1, ld1, m1) / LN10 + x1))
    )
    excess = v1 - v0
    base0 += v0
    base1 += v0
    F[0, 0] = f0[0]
    F[0, 1] = f0[1]
    lev0, lev1 = f0[0], f0[1]
    k_noise = stream_key(key, _NOISE_STREAM)
    k_release = stream_key(key, _RELEASE_STREAM)
    k_scatter = stream_key(key, _RELEASE_NOISE_STREAM)
    dec = 1.0
    for t in range(1, months):
        ut = np.uint64(t)
        dec *= q
        for i in range(n_changes):
            if gc_month[i] == t:
                if gc_group[i] == 0:
                    g0 += gc[i]
                else:
                    g1 += gc[i]
        lk0 += g0
        lk1 += g1
        if vol > 0.0:
            lk0 += vol * normal(k_noise, ut + ut)
            lk1 += vol * normal(k_noise, ut + ut + _U1)
        for i in range(n_shocks):
            if sh_month[i] == t:
                if sh_group[i] == 0:
                    lk0 = _shock(lk0, sh[i], sh_add[i])
                else:
                    lk1 = _shock(lk1, sh[i], sh_add[i])
        ld0 += h0
        ld1 += h1
        o0 = x0 + a0
        o1 = x1 + a1
        top = max(o0, o1)
        best[t] = top
        back = t - lag_l
        if back <= 0.0:
            diffused = best[0] + alpha * back
        else:
            i = int(back)
            w = back - i
            diffused = best[i] * (1.0 - w) + best[min(i + 1, t)] * w
        x0 = max(o0, diffused)
        x1 = max(o1, diffused)
        if draw_bits(k_release, ut, _U0) < r0:
            p = base0 + bl * _logr_fast(lk0, ld0, m0, cap0, rest0) + beta * x0
            if noise > 0.0:
                p += noise * normal(k_scatter, ut + ut)
            lev0 = max(lev0, p)
        if draw_bits(k_release, ut, _U1) < r1:
            p = base1 + excess * dec + bl * _logr_fast(lk1, ld1, m1, cap1, rest1) + beta * x1
            if noise > 0.0:
                p += noise * normal(k_scatter, ut + ut + _U1)
            lev1 = max(lev1, p)
        F[t, 0] = lev0
        F[t, 1] = lev1


@jit(inline="always")
def _threshold(p: float) -> np.uint64:
    """Return ``t`` with ``P(bits < t) = p`` for 64 uniform random bits (p in [0, 1])."""
    x = p * 18446744073709551616.0
    if x >= 18446744073709549568.0:
        return np.uint64(0xFFFFFFFFFFFFFFFF)
    if x <= 0.0:
        return np.uint64(0)
    return np.uint64(x)


@jit(inline="always")
def _logr(lk: float, ld: float, smax: float) -> float:
    """Return ``ln R = ln K + ln(1 - min(s_max, D / K))``."""
    return lk + math.log1p(-min(smax, math.exp(ld - lk)))


@jit(inline="always")
def _logr_fast(lk: float, ld: float, smax: float, log_smax: float, log1m_smax: float) -> float:
    """``_logr`` without ``exp``/``log1p`` when the share is at its cap."""
    if ld - lk >= log_smax:
        return lk + log1m_smax
    return lk + math.log1p(-math.exp(ld - lk))


@jit(inline="always")
def _slope(lk: float, ld: float, g: float, h: float, smax: float, a: float, beta: float) -> float:
    """Return the potential's growth per month at t = 0 (never negative).

    ``d ln R / dt = (g - s h) / (1 - s)`` while the share is below its cap, ``g`` at it.
    """
    s = math.exp(ld - lk)
    dlogr = (g - s * h) / (1.0 - s) if s < smax else g
    return max(beta * (dlogr / LN10 + a), 0.0)


@jit(inline="always")
def _shock(lk: float, value: float, add: np.int64) -> float:
    if add == 1:
        return math.log(max(math.exp(lk) + value, 1.0))
    return lk + value


@jit(nogil=True)
def _tally_range(
    lo: int,
    hi: int,
    part: int,
    keys: NDArray[np.uint64],
    gp: Array,
    cp: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    f0: Array,
    since: Array,
    months: int,
    hist0: Array,
    hist1: Array,
    base: float,
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    Fb = np.empty((BATCH, months, 2))
    Lb = np.empty((BATCH, months))
    Lb[:] = 0.0
    at = lag_months_mask(months)
    best = np.empty(months)
    for start in range(lo, hi, BATCH):
        m = min(BATCH, hi - start)
        for k in range(m):
            d = start + k
            _draw(
                keys[d],
                gp[d],
                cp[d],
                sh[d],
                sh_month,
                sh_group,
                sh_add,
                gc[d],
                gc_month,
                gc_group,
                f0,
                since,
                Fb[k],
                best,
            )
            lags(Fb[k], hist0, hist1, at, Lb[k])
        tally_batch(Fb, Lb, at, m, base, part, ahead, first, gap, level, lag, first_out, start)


@jit(parallel=True)
def _tally_parallel(
    keys: NDArray[np.uint64],
    gp: Array,
    cp: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    f0: Array,
    since: Array,
    horizon: int,
    hist0: Array,
    hist1: Array,
    base: float,
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    for part in nb.prange(bounds.shape[0] - 1):
        _tally_range(
            bounds[part],
            bounds[part + 1],
            part,
            keys,
            gp,
            cp,
            sh,
            sh_month,
            sh_group,
            sh_add,
            gc,
            gc_month,
            gc_group,
            f0,
            since,
            horizon + 1,
            hist0,
            hist1,
            base,
            ahead,
            first,
            gap,
            level,
            lag,
            first_out,
        )


@jit(nogil=True)
def _tally_serial(
    keys: NDArray[np.uint64],
    gp: Array,
    cp: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    f0: Array,
    since: Array,
    horizon: int,
    hist0: Array,
    hist1: Array,
    base: float,
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
) -> None:
    for part in range(bounds.shape[0] - 1):
        _tally_range(
            bounds[part],
            bounds[part + 1],
            part,
            keys,
            gp,
            cp,
            sh,
            sh_month,
            sh_group,
            sh_add,
            gc,
            gc_month,
            gc_group,
            f0,
            since,
            horizon + 1,
            hist0,
            hist1,
            base,
            ahead,
            first,
            gap,
            level,
            lag,
            first_out,
        )


@jit(parallel=True)
def _paths(
    keys: NDArray[np.uint64],
    gp: Array,
    cp: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    f0: Array,
    since: Array,
    out: Array,
) -> None:
    for d in nb.prange(keys.shape[0]):
        best = np.empty(out.shape[1])
        _draw(
            keys[d],
            gp[d],
            cp[d],
            sh[d],
            sh_month,
            sh_group,
            sh_add,
            gc[d],
            gc_month,
            gc_group,
            f0,
            since,
            out[d],
            best,
        )


__all__ = ["ComputeModel", "Sampler", "compute_space", "fitted_release_rate"]
