r"""The structural model: compute, its split between serving and research, and what it buys.

For each draw, side ``b`` (0 the leader, 1 the challenger) and month ``t``, with the
estimated parameters from one posterior row (``gapcast.model.posterior``) and the scenario's
assumptions (annual multipliers over 12 in logs):

.. math::

    \ln K_b(t+1) &= \ln K_b(t) + \ln g_b(t)/12 + \sigma_K \varepsilon
                    \quad (+\text{dated shocks, growth changes}) \\
    x_b(t+1) &= x_b(t) + [\ln h_b - \ln g_b(t)]/12 + \sigma_s \eta, \qquad s_b = 1/(1 + e^{-x_b}) \\
    \ln R_b &= \ln K_b - \ln(1 + e^{x_b}), \qquad \ln \bar R_b(t) = \max_{u \le t} \ln R_b(u) \\
    C_b(t+1) &= C_b(t) + \theta_b + \lambda [\ln \bar R_b(t+1) - \ln \bar R_b(t)]
               + \kappa \max(0,\ C_{1-b}(t+1-L) - C_b(t)) + \sigma\, T_\nu \\
    F_b(t+1) &= \max(F_b(t),\ C_b(t+1) + \sigma_o z) \text{ in a release month (prob. }
               1 - e^{-r_b}\text{), else } F_b(t)

``K`` is the compute stock (H100e) from the cluster data's share times the world stock, ``x``
the logit of the serving share (a random walk whose drift is serving demand's growth ``h``
minus compute growth ``g``: the share rises when demand outgrows compute and falls when
compute outgrows demand; no cap), ``R`` research compute and ``R̄`` its running maximum,
``C`` the latent capability and ``F`` the observed frontier (month 0: the measured
frontier). Before month 0 the other side's capability is its measured monthly frontier.

Draws are grouped: ``inner`` consecutive draws share one *outer* draw (one posterior row and
one set of scenario values) and differ in their shocks and releases, so the spread of
P(ahead) across outer draws measures parameter uncertainty (``gapcast.model.headline``).
Holding a side's serving share (``hold``) sets ``s_b(t)`` to a value from month 1 on (month
0 keeps today's share, so research compute steps from today's level to the held one) and
keeps every random number, so two runs differ only by that path (common random numbers).
Only changes of research compute move capability (``λ`` multiplies the change of
``ln R̄``), so a share held at today's level leaves the path as it would be at a constant
share, a lower one adds a step up of ``ln((1 - v)/(1 - s_0))``, and a higher one stalls
research-driven progress until the stock has grown back to the previous maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.errors import ScenarioError
from gapcast.model import _structural_kernel as kern
from gapcast.model._random import draw_keys, stream_id, stream_key, uniforms
from gapcast.model.engine import Draws, EngineOptions, RunTotals, Tallies, part_bounds
from gapcast.model.inputs import ForecastInputs, month_index
from gapcast.model.params import Fixed, MonthlyRate, ParamSpace, Sampler, Uniform, sample_matrix
from gapcast.model.posterior import NAMES, ParamSummary, Posterior
from gapcast.model.trend import fitted_release_rate
from gapcast.scenario.fields import ROLES, Fitted, Scenario

Array = NDArray[np.float64]

MARGIN = 2.0
"""Sustained event: the challenger's frontier leads by at least this many ECI points ..."""
RUN_MONTHS = 3
"""... for at least this many consecutive months (docs/model.md says why)."""
OUTER = 500
"""Outer draws (posterior rows x scenario values) a run is split into."""
PARALLEL_MIN = 16_384
"""Draws in a chunk from which its kernel runs on every thread (fewer: one thread)."""
EVENTS = ("strict", "sustained")

_OUTER_STREAM = np.uint64(301)
_ROW_STREAM = stream_id("posterior.row")

GROUP_FIELDS = (
    "compute.share_adjust",
    "compute.growth",
    "serving.share",
    "serving.demand_growth",
    "serving.volatility",
    "releases.rate",
)


def inner_size(draws: int) -> int:
    """Return the draws per outer draw of a run of ``draws`` (at least 2)."""
    return max(2, -(-draws // OUTER))


def scenario_space(scenario: Scenario, inputs: ForecastInputs) -> ParamSpace:
    """Return the scenario's assumptions the simulation draws per outer draw."""
    space: ParamSpace = {
        "world.stock_h100e": scenario.world.stock_h100e,
        "world.volatility": scenario.world.volatility,
        "capability.catchup_lag_months": catchup_lag(scenario),
    }
    for role in ROLES:
        spec = scenario.group(role)
        for name in GROUP_FIELDS:
            section, key = name.split(".")
            dist = getattr(getattr(spec, section), key)
            path = f"groups.{role}.{name}"
            space[path] = release_rate(inputs, role) if isinstance(dist, Fitted) else dist
    for i, shock in enumerate(scenario.shocks):
        space[f"shocks.{i}"] = shock.factor if shock.factor is not None else shock.add_h100e  # type: ignore[assignment]
    for i, change in enumerate(scenario.growth_changes):
        space[f"growth_changes.{i}"] = change.factor
    return space


def release_rate(inputs: ForecastInputs, role: str) -> Sampler:
    """Return a side's fitted release rate ``r`` (a release month has probability ``1 - e^-r``).

    A release month is one with a *frontier-class* release, as the fit's state space counts
    them (``GroupData.release_months``); the simulation then lets a release move the frontier
    only when it beats it. Drawing release months at the rate of frontier *steps* instead
    (the trend model's rate, the fallback where the months were not measured) would select
    twice and hold back a leader whose frontier sits above its latent state (docs/model.md).
    """
    group = inputs.leader if role == "leader" else inputs.challenger
    if group.release_months is None:
        return fitted_release_rate(inputs, role)
    n, months = group.release_months
    return MonthlyRate(
        n, months, f"fitted: a frontier-class release in {n} of {months} months (as the fit counts)"
    )


def catchup_lag(scenario: Scenario) -> Sampler:
    """Return the catch-up lag ``L``: the scenario's value, else the fit's fixed assumption."""
    given = scenario.capability.catchup_lag_months
    if given is not None:
        return given
    if scenario.estimation is None:
        raise ScenarioError(
            "capability.catchup_lag_months", "required when the scenario has no `estimation`"
        )
    return Fixed(value=float(scenario.estimation.catch_up_lag_months), source="estimation")


def capability_priors(scenario: Scenario) -> dict[str, Sampler]:
    """Return the prior of each estimated parameter: the scenario's value, else the fit's prior."""
    given = scenario.capability.overrides()
    fit = scenario.estimation.priors() if scenario.estimation is not None else {}
    out: dict[str, Sampler] = {}
    for name in ESTIMATED:
        dist = given.get(name, fit.get(name))
        if dist is None:
            raise ScenarioError(
                f"capability ({name})", "required when the scenario has no `estimation`"
            )
        out[name] = dist
    return out


ESTIMATED = (
    "lambda",
    "kappa",
    "theta_leader",
    "theta_challenger",
    "shock_scale",
    "shock_df",
    "obs_sd",
)
"""The posterior's parameters other than the two latent states."""


def prior_posterior(
    scenario: Scenario, inputs: ForecastInputs, size: int, rng: np.random.Generator
) -> Posterior:
    """Return ``size`` draws from the priors as a ``Posterior`` (method ``prior``).

    Each parameter's prior is the scenario's ``capability`` value where given, else the fit's
    prior (``estimation``). The latent states start at the measured frontiers plus the own
    progress since each side's last frontier step, with the release noise as their
    uncertainty.
    """
    samples: dict[str, Array] = {}
    for name, dist in capability_priors(scenario).items():
        samples[name] = np.asarray(dist.ppf(rng.random(size)), np.float64)
    for role, g in zip(ROLES, inputs.groups, strict=True):
        theta = samples[f"theta_{role}"]
        samples[f"state_{role}"] = (
            g.frontier + theta * g.months_since_step + samples["obs_sd"] * rng.standard_normal(size)
        )
    summaries = tuple(_summary(name, v, float(v.std())) for name, v in samples.items())
    return Posterior(
        {n: samples[n] for n in NAMES},
        "prior",
        inputs.as_of,
        summaries,
        notes=("drawn from the priors (no fit of this data)",),
    )


def with_overrides(post: Posterior, scenario: Scenario, rng: np.random.Generator) -> Posterior:
    """Return ``post`` with each parameter the scenario gives (``capability``) redrawn from it.

    The overridden columns are independent of the rest: a scenario value is an assumption,
    not a conditional of the posterior. Their summaries carry the value's own sd as the
    prior sd, so they read ``prior``, never ``estimated``.
    """
    given = scenario.capability.overrides()
    if not given:
        return post
    samples = {n: np.asarray(post.samples[n], np.float64) for n in NAMES}
    for name, dist in given.items():
        samples[name] = np.asarray(dist.ppf(rng.random(post.size)), np.float64)
    summaries = tuple(
        _summary(s.name, samples[s.name], float(samples[s.name].std())) if s.name in given else s
        for s in post.summaries
    )
    note = f"scenario values replace the fit for: {', '.join(sorted(given))}"
    return Posterior(
        samples,
        post.method,
        post.as_of,
        summaries,
        post.divergences,
        (*post.notes, note),
    )


def _summary(name: str, v: Array, prior_sd: float) -> ParamSummary:
    return ParamSummary(
        name,
        float(v.mean()),
        float(v.std()),
        float(np.quantile(v, 0.05)),
        float(np.quantile(v, 0.95)),
        prior_sd,
    )


def t_table() -> Array:
    """Return ``T_nu(z)``: rows ``DF_GRID``, columns the ``z`` grid (see the kernel)."""
    return kern.T_TABLE


def _df_index(df: Array) -> tuple[NDArray[np.int64], Array]:
    """Return each ``nu``'s row in ``DF_GRID`` and the weight of the next row (log scale)."""
    grid = np.log(kern.DF_GRID)
    x = np.clip(np.log(np.maximum(df, kern.DF_GRID[0])), grid[0], grid[-1])
    i = np.minimum(np.searchsorted(grid, x, side="right") - 1, grid.shape[0] - 2)
    w = (x - grid[i]) / (grid[i + 1] - grid[i])
    return i.astype(np.int64), w


def _threshold(p: Array) -> NDArray[np.uint64]:
    """Return ``t`` with ``P(64 random bits < t) = p``."""
    x = np.clip(p, 0.0, 1.0) * 18446744073709551616.0
    out = np.empty(p.shape, np.uint64)
    full = x >= 18446744073709549568.0
    out[full] = np.uint64(0xFFFFFFFFFFFFFFFF)
    out[~full] = x[~full].astype(np.uint64)
    return out


def _logit(p: Array) -> Array:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(q) - np.log1p(-q), np.float64)


Arrays = tuple[Array, NDArray[np.int64], NDArray[np.uint64], Array, Array, NDArray[np.int64]]
"""A chunk's arrays ``P, dfi, thr, shocks, changes`` (``StructuralModel.prepare``), a row per
outer draw, and ``row``: each draw's row."""


def simulate_tally(
    model: StructuralModel,
    keys: NDArray[np.uint64],
    arrays: Arrays,
    *,
    first_global: int,
    inner: int,
    hz: NDArray[np.int64],
    parts: int,
    tallies: Tallies,
    sfirst: NDArray[np.int64],
    outer: NDArray[np.int64],
    first_out: NDArray[np.int16],
    sus_out: NDArray[np.int16],
    parallel: bool,
    reference: bool = False,
) -> None:
    """Simulate the draws with ``keys`` and add them to the tallies (the kernel's ``tally``).

    ``parallel`` runs the ``parts`` slices on Numba's threads, else on the calling thread;
    ``reference`` runs the former scalar kernel instead (benchmarks and tests).
    """
    P, dfi, thr, sh, gc, row = arrays
    tab, f0, h0, h1 = model._common()
    n = keys.shape[0]
    args = (
        keys, row, P, dfi, thr, tab, f0, h0, h1, model._free, sh, model._sh_month,
        model._sh_group, model._sh_add, gc, model._gc_month, model._gc_group,
        model.horizon + 1, model.base, MARGIN, RUN_MONTHS, first_global, inner, hz,
        tallies.ahead, tallies.first, tallies.gap, tallies.level, tallies.lag, sfirst, outer,
        first_out, sus_out, reference,
    )  # fmt: skip
    kernel = kern.tally if parallel else kern.tally_serial
    kernel(part_bounds(n, parts), args)


@dataclass
class StructuralTotals(RunTotals):
    """A structural run's tallies: the engine's, the sustained event and outer draws."""

    sfirst: NDArray[np.int64] | None = None
    """Draws whose sustained event first completes in month t (index H + 1: never)."""
    outer: NDArray[np.int64] | None = None
    """Draws per outer draw x event (strict, sustained) x horizon with the event by then."""
    outer_n: NDArray[np.int64] | None = None
    """Draws in each outer draw."""
    horizons: tuple[int, ...] = ()
    sustained_first: NDArray[np.int16] | None = None


class StructuralModel:
    """The structural model (see the module docstring)."""

    name = "structural"

    def __init__(
        self,
        scenario: Scenario,
        inputs: ForecastInputs,
        posterior: Posterior | None = None,
        *,
        hold: Mapping[str, float] | None = None,
        seed: int = 0,
    ) -> None:
        self.scenario = scenario
        self.inputs = inputs
        self.horizon = scenario.horizon_months
        self.groups = (inputs.leader.label, inputs.challenger.label)
        self.base = inputs.leader.frontier
        self.posterior = posterior or prior_posterior(
            scenario, inputs, 4000, np.random.default_rng(seed)
        )
        self.space: ParamSpace = scenario_space(scenario, inputs)
        self.hold = dict(hold or {})
        for role, value in self.hold.items():
            if role not in ROLES or not 0.0 < value < 1.0:
                raise ValueError(f"hold: {role}={value} (a side and a share in (0, 1))")
        self._rows = self.posterior.matrix()
        self._f0 = np.array([g.frontier for g in inputs.groups])
        self._share = np.array([g.compute_share for g in inputs.groups])
        self._hist = [np.ascontiguousarray(g.history, dtype=np.float64) for g in inputs.groups]
        self._free = np.array(
            [_logit(np.array([self.hold[r]]))[0] if r in self.hold else np.nan for r in ROLES]
        )
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

    # ---- parameters -----------------------------------------------------------------
    def outer_params(self, seed: int, first: int, n: int) -> tuple[Draws, NDArray[np.int64]]:
        """Return the scenario values and posterior rows of outer draws ``first .. + n``."""
        keys = draw_keys(seed, first, n)
        okeys = np.array([stream_key(k, _OUTER_STREAM) for k in keys], dtype=np.uint64)
        paths = list(self.space)
        matrix = sample_matrix(self.space, okeys, {p: stream_id(p) for p in paths})
        rows = np.minimum(
            (uniforms(okeys, _ROW_STREAM) * self.posterior.size).astype(np.int64),
            self.posterior.size - 1,
        )
        return Draws(matrix, paths), rows

    def prepare(
        self, params: Draws, rows: NDArray[np.int64]
    ) -> tuple[Array, NDArray[np.int64], NDArray[np.uint64], Array, Array]:
        """Turn outer draws into the kernel's arrays ``P, dfi, thr, shocks, changes``."""
        n = params.n
        P = np.empty((n, kern.NCOL))
        post = self._rows[rows]
        col = {name: j for j, name in enumerate(NAMES)}
        stock = params["world.stock_h100e"]
        for b, role in enumerate(ROLES):
            g = f"groups.{role}."
            k0 = stock * self._share[b] * params[g + "compute.share_adjust"]
            P[:, (kern.LK0, kern.LK1)[b]] = np.log(k0)
            P[:, (kern.G0, kern.G1)[b]] = np.log(params[g + "compute.growth"]) / 12.0
            P[:, (kern.X0, kern.X1)[b]] = _logit(params[g + "serving.share"])
            P[:, (kern.LH0, kern.LH1)[b]] = np.log(params[g + "serving.demand_growth"]) / 12.0
            P[:, (kern.SS0, kern.SS1)[b]] = params[g + "serving.volatility"]
            P[:, (kern.TH0, kern.TH1)[b]] = post[:, col[f"theta_{role}"]]
            P[:, (kern.C0, kern.C1)[b]] = post[:, col[f"state_{role}"]]
        P[:, kern.VOL] = params["world.volatility"]
        P[:, kern.LAM] = post[:, col["lambda"]]
        P[:, kern.KAP] = np.clip(post[:, col["kappa"]], 0.0, 1.0)
        P[:, kern.SIG] = np.maximum(post[:, col["shock_scale"]], 0.0)
        P[:, kern.OBS] = np.maximum(post[:, col["obs_sd"]], 0.0)
        dfi, P[:, kern.DFW] = _df_index(post[:, col["shock_df"]])
        P[:, kern.LAG] = np.maximum(np.rint(params["capability.catchup_lag_months"]), 1.0)
        rates = np.column_stack([params[f"groups.{role}.releases.rate"] for role in ROLES])
        thr = _threshold(-np.expm1(-np.maximum(rates, 0.0)))
        shocks = np.empty((n, len(self.scenario.shocks)))
        for i, s in enumerate(self.scenario.shocks):
            v = params[f"shocks.{i}"]
            shocks[:, i] = v if s.add_h100e is not None else np.log(v)
        changes = np.empty((n, len(self.scenario.growth_changes)))
        for i in range(changes.shape[1]):
            changes[:, i] = np.log(params[f"growth_changes.{i}"]) / 12.0
        return P, dfi, np.ascontiguousarray(thr), shocks, changes

    def chunk_arrays(self, seed: int, start: int, n: int, inner: int) -> Arrays:
        """Return the arrays of draws ``start .. start + n - 1``: a row per outer draw."""
        o_lo = start // inner
        o_hi = (start + n - 1) // inner
        params, rows = self.outer_params(seed, o_lo, o_hi - o_lo + 1)
        return (*self.prepare(params, rows), np.arange(start, start + n) // inner - o_lo)

    def _common(self) -> tuple[Array, Array, Array, Array]:
        return t_table(), self._f0, self._hist[0], self._hist[1]

    # ---- simulation -----------------------------------------------------------------
    def paths(
        self,
        seed: int,
        draws: int,
        first: int = 0,
        inner: int | None = None,
        *,
        reference: bool = False,
    ) -> Array:
        """Return observed frontiers and latent capabilities, ``2 x draws x months x 2``.

        ``reference`` runs the former scalar kernel (the same paths to rounding).
        """
        inner_ = inner or inner_size(draws)
        P, dfi, thr, sh, gc, row = self.chunk_arrays(seed, first, draws, inner_)
        keys = draw_keys(seed, first, draws)
        out = np.empty((draws, self.horizon + 1, 2))
        latent = np.empty_like(out)
        tab, f0, h0, h1 = self._common()
        kern.paths(
            keys, row, P, dfi, thr, tab, f0, h0, h1, self._free, sh, self._sh_month,
            self._sh_group, self._sh_add, gc, self._gc_month, self._gc_group, out, latent,
            reference,
        )  # fmt: skip
        return np.stack([out, latent])


class EngineModel:
    """The structural model behind the engine's ``Model`` protocol (one draw, one outer draw).

    For the generic tools that take any engine model (Sobol sensitivity, what-if, sweeps):
    every draw has its own scenario values and its own posterior row, picked by the
    parameter ``posterior.row`` (a uniform number, so Sobol indices treat the estimated
    parameters as one group). The headline uses ``run`` instead, which groups draws.
    """

    name = "structural"

    def __init__(
        self,
        scenario: Scenario,
        inputs: ForecastInputs,
        posterior: Posterior | None = None,
        *,
        hold: Mapping[str, float] | None = None,
    ) -> None:
        self.model = StructuralModel(scenario, inputs, posterior, hold=hold)
        self.scenario = scenario
        self.inputs = inputs
        self.horizon = self.model.horizon
        self.groups = self.model.groups
        self.base = self.model.base
        self.space: ParamSpace = {
            **self.model.space,
            "posterior.row": Uniform(
                low=0.0, high=1.0, source=f"row of the posterior ({self.model.posterior.method})"
            ),
        }

    def _arrays(self, params: Draws) -> Arrays:
        size = self.model.posterior.size
        rows = np.minimum((params["posterior.row"] * size).astype(np.int64), size - 1)
        return (*self.model.prepare(params, rows), np.arange(params.n))

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
        n = keys.shape[0]
        simulate_tally(
            self.model, keys, self._arrays(params), first_global=0, inner=n + 1,
            hz=np.array([self.horizon], np.int64), parts=tallies.ahead.shape[0],
            tallies=tallies, sfirst=np.zeros((tallies.ahead.shape[0], self.horizon + 2), np.int64),
            outer=np.zeros((tallies.ahead.shape[0], 1, 2, 1), np.int64), first_out=first_out,
            sus_out=np.empty(n, np.int16), parallel=parallel,
        )  # fmt: skip

    def paths(self, keys: NDArray[np.uint64], params: Draws) -> Array:
        """Return the observed frontiers, draws x months x groups."""
        m = self.model
        P, dfi, thr, sh, gc, row = self._arrays(params)
        out = np.empty((keys.shape[0], m.horizon + 1, 2))
        latent = np.empty_like(out)
        tab, f0, h0, h1 = m._common()
        kern.paths(
            keys, row, P, dfi, thr, tab, f0, h0, h1, m._free, sh, m._sh_month, m._sh_group,
            m._sh_add, gc, m._gc_month, m._gc_group, out, latent, False,
        )  # fmt: skip
        return out


def run(
    model: StructuralModel,
    draws: int,
    seed: int,
    options: EngineOptions | None = None,
    *,
    reference: bool = False,
) -> StructuralTotals:
    """Run ``draws`` draws of the structural model; totals identical for any chunking/workers.

    ``reference`` runs the former scalar kernel (``_structural_reference``) instead of the
    vectorised one: the same paths to rounding, for tests and ``bench_engine``.
    """
    opts = options or EngineOptions()
    if draws < 1:
        raise ValueError("draws must be at least 1")
    chunk = max(1, opts.chunk)
    months = model.horizon + 1
    inner = inner_size(draws)
    n_outer = -(-draws // inner)
    horizons = tuple(sorted({k for k in (12, 36, 60) if k <= model.horizon} | {model.horizon}))
    hz = np.array(horizons, np.int64)
    base = RunTotals.zeros(months, 2)
    totals = StructuralTotals(base.draws, base.ahead, base.first, base.gap, base.level, base.lag)
    sfirst = np.zeros(months + 1, np.int64)
    outer = np.zeros((n_outer, 2, hz.shape[0]), np.int64)
    first_ahead = np.empty(draws, np.int16) if opts.keep_draws else None
    sus_first = np.empty(draws, np.int16) if opts.keep_draws else None

    Acc = tuple[Tallies, NDArray[np.int64], NDArray[np.int64]]

    def zeros(parts: int) -> Acc:
        return (
            Tallies.zeros(parts, months, 2),
            np.zeros((parts, months + 1), np.int64),
            np.zeros((parts, n_outer, 2, hz.shape[0]), np.int64),
        )

    def one(start: int, parallel: bool, acc: Acc) -> Acc:
        """Simulate the chunk at ``start`` and add it to ``acc`` (a slice per thread)."""
        n = min(chunk, draws - start)
        keys = draw_keys(seed, start, n)
        parts = max(1, min(nb.get_num_threads() if parallel else 1, n, acc[1].shape[0]))
        out = np.empty(n, np.int16)
        sus = np.empty(n, np.int16)
        simulate_tally(
            model, keys, model.chunk_arrays(seed, start, n, inner), first_global=start,
            inner=inner, hz=hz, parts=parts, tallies=acc[0], sfirst=acc[1], outer=acc[2],
            first_out=out, sus_out=sus, parallel=parallel, reference=reference,
        )  # fmt: skip
        if first_ahead is not None and sus_first is not None:
            first_ahead[start : start + n] = out
            sus_first[start : start + n] = sus
        return acc

    def done(start: int) -> None:
        if opts.progress is not None:
            opts.progress(min(chunk, draws - start))

    def add(acc: Acc, n: int) -> None:
        totals.add(acc[0], n)
        np.add(sfirst, acc[1].sum(axis=0), out=sfirst)
        np.add(outer, acc[2].sum(axis=0), out=outer)

    starts = list(range(0, draws, chunk))
    if opts.workers <= 1:
        # one set of tallies for every chunk, summed once at the end: a fresh set per
        # chunk cost its zeroing, page faults and sum (about 4% of a 1,000,000-draw run)
        # a small run (a slider's provisional answer) is cheaper on one thread than
        # through the thread pool, and leaves the other core to concurrent requests
        parallel = [min(chunk, draws - start) >= PARALLEL_MIN for start in starts]
        acc = zeros(max(1, nb.get_num_threads()) if any(parallel) else 1)
        for start, par in zip(starts, parallel, strict=True):
            one(start, par, acc)
            done(start)
        add(acc, draws)
    else:
        with ThreadPoolExecutor(max_workers=opts.workers) as pool:
            futures = [(s, pool.submit(lambda s: one(s, False, zeros(1)), s)) for s in starts]
            for start, fut in futures:
                add(fut.result(), min(chunk, draws - start))
                done(start)
    outer_n = np.full(n_outer, inner, np.int64)
    outer_n[-1] = draws - inner * (n_outer - 1)
    totals.first_ahead = first_ahead
    totals.sfirst = sfirst
    totals.outer = outer
    totals.outer_n = outer_n
    totals.horizons = horizons
    totals.sustained_first = sus_first
    return totals


def lambda_summary(posterior: Posterior) -> dict[str, object]:
    """Return λ's mean, 90% interval and status (``estimated`` only when the fit narrowed it)."""
    lam = np.asarray(posterior.samples["lambda"], np.float64)
    summary = posterior.summary("lambda")
    lo, hi = float(np.quantile(lam, 0.05)), float(np.quantile(lam, 0.95))
    status = "prior"
    if posterior.method != "prior" and summary is not None:
        status = summary.status
    return {"mean": float(lam.mean()), "ci90": [lo, hi], "status": status}


def data_can_tell(lam: Mapping[str, object]) -> bool:
    """Return whether λ is estimated and its 90% interval excludes 0."""
    ci: Any = lam["ci90"]
    lo, hi = float(ci[0]), float(ci[1])
    return bool(lam["status"] == "estimated" and (lo > 0.0 or hi < 0.0))


__all__ = [
    "EVENTS",
    "EngineModel",
    "MARGIN",
    "OUTER",
    "RUN_MONTHS",
    "StructuralModel",
    "StructuralTotals",
    "data_can_tell",
    "inner_size",
    "lambda_summary",
    "prior_posterior",
    "run",
    "scenario_space",
    "t_table",
]
