r"""Variance-based (Sobol) sensitivity of P(challenger ahead within k months).

For a model output ``Y = f(theta)`` with independent inputs ``theta_1 .. theta_d``, the
first-order index of ``theta_i`` is the share of ``Var(Y)`` explained by ``theta_i`` alone
and the total-order index the share it takes part in (with any interaction):

.. math:: S_i = \frac{\operatorname{Var}(E[Y \mid \theta_i])}{\operatorname{Var}(Y)}, \qquad
          S_{T,i} = \frac{E[\operatorname{Var}(Y \mid \theta_{\sim i})]}{\operatorname{Var}(Y)}.

They are estimated with SALib: Saltelli's scheme on a scrambled Sobol' sequence
(``SALib.sample.sobol.sample``, ``N (d + 2)`` evaluations for ``N`` base samples, no
second-order terms), Saltelli (2010)'s estimator of ``S_i`` and Jansen's of ``S_{T,i}``
(``SALib.analyze.sobol.analyze``), with bootstrap confidence intervals. ``sobol`` does this
for any function of the unit hypercube (the Ishigami test checks it against the analytic
indices).

The output, and the aleatory noise
----------------------------------
A forecast's draws mix two kinds of randomness: the uncertain **parameters** ``theta`` of
the scenario (every non-fixed distribution: growth, serving shares, fitted coefficients,
release rates, ...) and the **noise** of each simulated path (stock shocks, release months,
release scatter, the trend model's jumps). The question "which assumption matters" is about
``theta``, so the output is the probability *given* ``theta``,

.. math:: P_k(\theta) = \Pr(\text{challenger ahead at some month} \le k \mid \theta)
          \approx \frac1M \sum_{m=1}^{M} \mathbf 1[\text{ahead within } k \mid \theta,
          \omega_m],

estimated for every ``theta`` by ``M`` inner draws of the noise ``omega_1 .. omega_M``, the
**same** for every ``theta`` (common random numbers: the engine's counter-based streams with
fixed draw keys). ``P_M(theta)`` is then a deterministic function of ``theta``: a parameter
that does not move any path gets an index of exactly 0, and the inner Monte Carlo error does
not enter as independent noise. What remains is ``P_M - P``, of variance about
``p (1 - p) / M`` at each ``theta``; ``noise_share`` (that variance averaged over ``theta``,
over ``Var(Y)``) bounds how much of ``Var(Y)`` it can account for, and is reported with the
indices. For the ensemble, ``P = w P_compute + (1 - w) P_trend`` with the scenario's weight.

Fitted coefficients drawn jointly (``beta``, ``gamma``, ``delta`` from ``N(theta_hat,
Sigma_hat)``) are correlated; Sobol indices need independent inputs, so the engine's
independent standardised draws are the inputs (Cholesky order: ``beta``; ``gamma`` given
``beta``; ``delta`` given both), as they are in every forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from gapcast.model._random import draw_keys
from gapcast.model.engine import Array, Draws, Model, Tallies
from gapcast.model.params import FIXED, ParamSpace

CONF_LEVEL = 0.95
RESAMPLES = 100
EPS = 1e-12


@dataclass(frozen=True)
class SobolIndex:
    """First- and total-order index of one input, with their confidence half-widths."""

    name: str
    first: float
    first_conf: float
    total: float
    total_conf: float

    def to_dict(self) -> dict[str, Any]:
        """Return the index with its 95% intervals."""
        return {
            "path": self.name,
            "first": self.first,
            "first_ci": [self.first - self.first_conf, self.first + self.first_conf],
            "total": self.total,
            "total_ci": [self.total - self.total_conf, self.total + self.total_conf],
        }


@dataclass(frozen=True)
class SobolOutput:
    """The indices of one output, sorted by total order (largest first)."""

    name: str
    mean: float
    variance: float
    indices: tuple[SobolIndex, ...]
    noise_share: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the output's summary and indices."""
        return {
            "output": self.name,
            "mean": self.mean,
            "variance": self.variance,
            "noise_share": self.noise_share,
            "indices": [i.to_dict() for i in self.indices],
        }


def sobol(
    evaluate: Callable[[Array], Array],
    names: Sequence[str],
    outputs: Sequence[str],
    *,
    base: int,
    seed: int,
    noise: Callable[[Array], Array] | None = None,
) -> tuple[SobolOutput, ...]:
    """Estimate first- and total-order Sobol indices of outputs over the unit hypercube.

    Parameters
    ----------
    evaluate
        Maps an ``n × d`` matrix of points in ``(0, 1)^d`` to ``n × len(outputs)`` outputs.
    names
        The ``d`` inputs.
    outputs
        Names of the outputs (columns of ``evaluate``'s result).
    base
        ``N``, the number of base samples (a power of two); ``N (d + 2)`` evaluations.
    seed
        Seed of the Sobol' sequence's scrambling and of the bootstrap.
    noise
        Optional: maps the outputs to the variance of their inner Monte Carlo error (per
        point and output), averaged into ``noise_share``.
    """
    d = len(names)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    u = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    u = np.clip(u, EPS, 1.0 - EPS)
    y = np.asarray(evaluate(u), dtype=np.float64).reshape(u.shape[0], len(outputs))
    noise_var = noise(y) if noise is not None else None
    out = []
    for j, name in enumerate(outputs):
        col = np.ascontiguousarray(y[:, j])
        var = float(col.var())
        share = float(noise_var[:, j].mean() / var) if noise_var is not None and var > 0 else 0.0
        if var <= 0:
            idx = tuple(SobolIndex(n, 0.0, 0.0, 0.0, 0.0) for n in names)
        else:
            res = sobol_analyze.analyze(
                problem,
                col,
                calc_second_order=False,
                num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL,
                seed=seed,
            )
            idx = tuple(
                SobolIndex(
                    n,
                    float(res["S1"][i]),
                    float(res["S1_conf"][i]),
                    float(res["ST"][i]),
                    float(res["ST_conf"][i]),
                )
                for i, n in enumerate(names)
            )
        ordered = tuple(sorted(idx, key=lambda s: -s.total))
        out.append(SobolOutput(name, float(col.mean()), var, ordered, share))
    return tuple(out)


def uncertain(space: ParamSpace) -> list[str]:
    """Return the paths of the non-fixed parameters of a parameter space, in order."""
    return [path for path, dist in space.items() if dist.kernel_spec().kind != FIXED]


def parameter_matrix(space: ParamSpace, names: Sequence[str], u: Array) -> Draws:
    """Return parameter values for points ``u`` (columns ``names``) of the unit hypercube.

    Uncertain parameters are ``F^{-1}(u)`` of their distributions; fixed ones their value.
    """
    paths = list(space)
    matrix = np.empty((u.shape[0], len(paths)))
    col = {n: j for j, n in enumerate(names)}
    for k, path in enumerate(paths):
        dist = space[path]
        if path in col:
            matrix[:, k] = dist.ppf(np.ascontiguousarray(u[:, col[path]]))
        else:
            matrix[:, k] = dist.ppf(np.full(1, 0.5))[0]
    return Draws(matrix, paths)


@dataclass(frozen=True)
class ProbabilityOutput:
    """P(ahead within ``k``) of one model or the ensemble, as a function of parameters."""

    models: dict[str, Model]
    weights: dict[str, float]
    within: tuple[int, ...]
    inner: int
    seed: int
    chunk: int = 2048
    counted: list[int] = field(default_factory=list, compare=False)

    def __call__(self, params: Draws) -> Array:
        """Return ``len(params) × len(within)`` probabilities (inner Monte Carlo, CRN).

        Each model is simulated once per distinct combination of *its own* parameters: in
        a Saltelli design most rows differ only in parameters a model ignores (the trend
        model reads two of them), so those rows share its result.
        """
        out = np.zeros((params.n, len(self.within)))
        for name, model in self.models.items():
            cols = [params.columns[path] for path in model.space]
            _, first, inverse = np.unique(
                params.matrix[:, cols], axis=0, return_index=True, return_inverse=True
            )
            prob = self._probability(model, Draws(params.matrix[first], list(params.columns)))
            out += self.weights[name] * prob[inverse.ravel()]
        return out

    def _probability(self, model: Model, params: Draws) -> Array:
        n = params.n
        keys_inner = draw_keys(self.seed, 0, self.inner)
        ks = np.asarray(self.within)
        out = np.empty((n, len(self.within)))
        for lo in range(0, n, self.chunk):
            hi = min(n, lo + self.chunk)
            rows = np.repeat(params.matrix[lo:hi], self.inner, axis=0)
            first = _first_ahead(
                model, np.tile(keys_inner, hi - lo), Draws(rows, list(params.columns))
            )
            self.counted.append(first.size)
            hit = (first >= 1)[:, None] & (first[:, None] <= ks[None, :])
            out[lo:hi] = hit.reshape(hi - lo, self.inner, len(self.within)).mean(axis=1)
        return out


def _first_ahead(model: Model, keys: NDArray[np.uint64], params: Draws) -> NDArray[np.int16]:
    """Return each draw's first month with the challenger ahead (``-1``: never)."""
    n = keys.shape[0]
    parts = max(1, min(nb.get_num_threads(), n))
    months = model.horizon + 1
    tallies = Tallies.zeros(parts, months, len(model.groups))
    first = np.empty(n, np.int16)
    model.simulate(keys, params, tallies, first, parallel=True)
    return first


def probability_sobol(
    output: ProbabilityOutput, space: ParamSpace, *, base: int, seed: int
) -> tuple[list[str], tuple[SobolOutput, ...]]:
    """Sobol indices of ``output`` w.r.t. every uncertain parameter of ``space``.

    Returns the parameters analysed and one ``SobolOutput`` per horizon of ``output``.
    """
    names = uncertain(space)

    def evaluate(u: Array) -> Array:
        return output(parameter_matrix(space, names, u))

    def noise(y: Array) -> Array:
        # variance of an M-draw estimate of a probability; a mixture adds the models'
        # variances with squared weights, bounded by the same p (1 - p) / M
        return y * (1.0 - y) / output.inner

    results = sobol(
        evaluate, names, [f"{k}" for k in output.within], base=base, seed=seed, noise=noise
    )
    return names, results


__all__ = [
    "CONF_LEVEL",
    "ProbabilityOutput",
    "SobolIndex",
    "SobolOutput",
    "parameter_matrix",
    "probability_sobol",
    "sobol",
    "uncertain",
]
