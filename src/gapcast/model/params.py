"""Parameter distributions: what a scenario says about each uncertain quantity.

Every distribution is sampled by its quantile function, ``x = F^{-1}(u)``, from a uniform
``u``: the engine draws ``u`` from the parameter's own counter-based stream
(``gapcast.model._random``), so two scenarios that differ in one parameter see exactly the
same values of every other parameter (common random numbers), and a parameter whose
distribution is shifted upwards is larger in every draw (quantile coupling).

Distributions (the ``dist`` field of a scenario entry)
-------------------------------------------------------
``fixed``       ``value``
``uniform``     ``low``, ``high``
``normal``      ``mean``, ``sd`` (> 0)
``lognormal``   ``median`` (> 0), ``sigma`` (> 0, the sd of ``ln x``)
``beta``        ``a``, ``b`` (> 0), on [0, 1]
``triangular``  ``low`` <= ``mode`` <= ``high``
All but ``fixed`` and ``triangular`` may instead be given as ``interval90: [lo, hi]``, the
5th and 95th percentiles; the native parameters are then solved for (beta numerically).
Every entry carries ``source``: where the numbers come from (a PRIORS.md row, the data).

Beta and gamma quantiles have no closed form; they are tabulated once per distribution on a
grid of ``z = Phi^{-1}(u)`` (8193 points on [-8.5, 8.5]) and interpolated linearly in ``z``,
which is accurate to about 1e-7 (tested against SciPy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, Protocol

import numba as nb
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from scipy import optimize, special

from gapcast.model._jit import jit
from gapcast.model._random import ndtri, uniform, uniforms

Z90 = 1.6448536269514722
"""Standard normal 95th percentile: a 90% interval spans ``2 * Z90`` sd."""

FIXED, UNIFORM, NORMAL, LOGNORMAL, TRIANGULAR, TABLE = 0, 1, 2, 3, 4, 5
_GRID = np.linspace(-8.5, 8.5, 8193)
Array = NDArray[np.float64]


@dataclass(frozen=True)
class KernelSpec:
    """How the Numba sampler draws a distribution: a kind code and its parameters."""

    kind: int
    p0: float = 0.0
    p1: float = 0.0
    p2: float = 0.0
    table: Array | None = None


class Sampler(Protocol):
    """What the engine needs from a distribution."""

    @property
    def source(self) -> str:
        """Where the numbers come from."""
        ...

    def ppf(self, u: Array) -> Array:
        """Return the quantiles at probabilities ``u``."""
        ...

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        ...

    def describe(self) -> str:
        """Return a one-line human description."""
        ...


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1, description="Where the numbers come from.")

    def ppf(self, u: Array) -> Array:
        """Return the quantiles at probabilities ``u``."""
        spec = self.kernel_spec()
        return _ppf_numpy(spec, np.asarray(u, dtype=np.float64))

    def sample(self, rng: np.random.Generator, size: int) -> Array:
        """Draw ``size`` values with ``rng`` (by the quantile function)."""
        return self.ppf(rng.random(size))

    def quantile(self, q: float) -> float:
        """Return one quantile."""
        return float(self.ppf(np.array([q]))[0])

    def interval(self) -> tuple[float, float]:
        """Return the 5th and 95th percentiles."""
        return self.quantile(0.05), self.quantile(0.95)

    def kernel_spec(self) -> KernelSpec:  # pragma: no cover - overridden
        """Return the Numba sampling recipe."""
        raise NotImplementedError

    def describe(self) -> str:
        """Return a one-line human description (median and 90% interval)."""
        lo, hi = self.interval()
        return f"{self.dist} median {_g(self.quantile(0.5))}, 90% [{_g(lo)}, {_g(hi)}]"  # type: ignore[attr-defined]

    def bounds(self) -> tuple[float, float]:
        """Return the support ``(lo, hi)``."""
        return -math.inf, math.inf


class Fixed(_Dist):
    """A known value."""

    dist: Literal["fixed"] = "fixed"
    value: float

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        return KernelSpec(FIXED, self.value)

    def describe(self) -> str:
        """Return ``fixed <value>``."""
        return f"fixed {_g(self.value)}"

    def bounds(self) -> tuple[float, float]:
        """Return ``(value, value)``."""
        return self.value, self.value


class Uniform(_Dist):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"] = "uniform"
    low: float
    high: float
    interval90: tuple[float, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_interval(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("interval90") is not None:
            lo, hi = _interval(data)
            pad = 0.05 * (hi - lo) / 0.9
            data = {**data, "low": lo - pad, "high": hi + pad}
        return data

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.high > self.low:
            raise ValueError(f"high ({_g(self.high)}) must be above low ({_g(self.low)})")
        return self

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        return KernelSpec(UNIFORM, self.low, self.high)

    def bounds(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return self.low, self.high


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``."""

    dist: Literal["normal"] = "normal"
    mean: float
    sd: float = Field(gt=0)
    interval90: tuple[float, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_interval(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("interval90") is not None:
            lo, hi = _interval(data)
            data = {**data, "mean": (lo + hi) / 2, "sd": (hi - lo) / (2 * Z90)}
        return data

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        return KernelSpec(NORMAL, self.mean, self.sd)


class LogNormal(_Dist):
    """Lognormal: ``ln x ~ Normal(ln median, sigma)``."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)
    interval90: tuple[float, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_interval(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("interval90") is not None:
            lo, hi = _interval(data)
            if lo <= 0:
                raise ValueError(f"interval90 of a lognormal must be positive, not {_g(lo)}")
            data = {**data, "median": math.sqrt(lo * hi), "sigma": math.log(hi / lo) / (2 * Z90)}
        return data

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        return KernelSpec(LOGNORMAL, math.log(self.median), self.sigma)

    def bounds(self) -> tuple[float, float]:
        """Return ``(0, inf)``."""
        return 0.0, math.inf


class Beta(_Dist):
    """Beta on [0, 1] with shapes ``a`` and ``b``."""

    dist: Literal["beta"] = "beta"
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    interval90: tuple[float, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_interval(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("interval90") is not None:
            lo, hi = _interval(data)
            if not 0 < lo < hi < 1:
                raise ValueError(
                    f"interval90 of a beta must lie inside (0, 1), not [{_g(lo)}, {_g(hi)}]"
                )
            a, b = beta_from_interval(lo, hi)
            data = {**data, "a": a, "b": b}
        return data

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe (a tabulated quantile function)."""
        return KernelSpec(TABLE, table=_beta_table(self.a, self.b))

    def bounds(self) -> tuple[float, float]:
        """Return ``(0, 1)``."""
        return 0.0, 1.0


class Triangular(_Dist):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.high > self.low):
            raise ValueError(
                f"need low <= mode <= high and low < high, got "
                f"{_g(self.low)}, {_g(self.mode)}, {_g(self.high)}"
            )
        return self

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe."""
        return KernelSpec(TRIANGULAR, self.low, self.mode, self.high)

    def bounds(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return self.low, self.high


DIST_NAMES = ("fixed", "uniform", "normal", "lognormal", "beta", "triangular")
"""The distributions a scenario may name."""


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("dist", "fixed" if "value" in value else None)
        return str(tag) if tag is not None else None
    return getattr(value, "dist", None)


Distribution = Annotated[
    Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Beta, Tag("beta")]
    | Annotated[Triangular, Tag("triangular")],
    Discriminator(
        _tag, custom_error_type="unknown_distribution", custom_error_message="not a distribution"
    ),
]
"""Any scenario distribution, chosen by its ``dist`` field (``fixed`` if only ``value``)."""


class _Tabulated:
    """A distribution sampled through a tabulated quantile function (not in scenarios)."""

    label = ""

    def table(self) -> Array:  # pragma: no cover - every subclass defines it
        """Return the quantiles at the standard normal grid ``ndtr(_GRID)``."""
        raise NotImplementedError

    def ppf(self, u: Array) -> Array:
        """Return the quantiles at probabilities ``u``."""
        return _ppf_numpy(self.kernel_spec(), np.asarray(u, dtype=np.float64))

    def kernel_spec(self) -> KernelSpec:
        """Return the Numba sampling recipe (a tabulated quantile function)."""
        return KernelSpec(TABLE, table=self.table())

    def describe(self) -> str:
        """Return a one-line human description."""
        lo, med, hi = self.ppf(np.array([0.05, 0.5, 0.95]))
        return f"{self.label} median {_g(med)}, 90% [{_g(lo)}, {_g(hi)}]"


@dataclass(frozen=True)
class Gamma(_Tabulated):
    """Gamma with ``shape`` and ``rate`` (a posterior for a Poisson rate)."""

    shape: float
    rate: float
    source: str
    label = "gamma"

    def table(self) -> Array:
        """Return the gamma quantiles at the grid."""
        return _gamma_table(self.shape, self.rate)


@dataclass(frozen=True)
class MonthlyRate(_Tabulated):
    """A release rate ``r`` from ``n`` months with a release among ``T``.

    A month has a release with probability ``p = 1 - e^{-r}``; with Jeffreys' prior ``p`` has
    the posterior ``Beta(n + 1/2, T - n + 1/2)``, so ``r = -ln(1 - p)``.
    """

    months_with: int
    months: int
    source: str
    label = "release rate a month,"

    def table(self) -> Array:
        """Return ``-ln(1 - p)`` at the grid's quantiles of ``p``."""
        key = ("monthly", self.months_with, self.months)
        if key not in _TABLES:
            a, b = self.months_with + 0.5, self.months - self.months_with + 0.5
            p = special.betaincinv(a, b, special.ndtr(_GRID))
            _TABLES[key] = np.asarray(-np.log1p(-np.minimum(p, 1.0 - 1e-12)), dtype=np.float64)
        return _TABLES[key]


ParamSpace = dict[str, Sampler]
"""Ordered mapping of parameter path to its distribution."""


@lru_cache(maxsize=512)
def beta_from_interval(lo: float, hi: float) -> tuple[float, float]:
    """Return beta shapes ``(a, b)`` whose 5th and 95th percentiles are ``lo`` and ``hi``.

    Memoised: every scenario parse (each dashboard slider move) asks for the same few.
    """
    mid = (lo + hi) / 2
    sd = (hi - lo) / (2 * Z90)
    k = max(mid * (1 - mid) / sd**2 - 1, 0.5)
    start = np.log([mid * k, (1 - mid) * k])

    def resid(x: Array) -> Array:
        a, b = np.exp(x)
        return np.array([special.betaincinv(a, b, 0.05) - lo, special.betaincinv(a, b, 0.95) - hi])

    sol = optimize.least_squares(resid, start, xtol=1e-14, ftol=1e-14, gtol=1e-14)
    a, b = np.exp(sol.x)
    return float(a), float(b)


def sample_matrix(
    space: ParamSpace, keys: NDArray[np.uint64], streams: dict[str, np.uint64]
) -> Array:
    """Draw every parameter of ``space``: a draws × parameters matrix (columns in order).

    Parameter ``path`` uses stream ``streams[path]``; one fused, parallel pass over draws.
    """
    specs = [dist.kernel_spec() for dist in space.values()]
    k = len(specs)
    kinds = np.array([sp.kind for sp in specs], dtype=np.int64)
    coef = np.array([[sp.p0, sp.p1, sp.p2] for sp in specs], dtype=np.float64).reshape(k, 3)
    width = max([sp.table.shape[0] for sp in specs if sp.table is not None], default=1)
    tables = np.zeros((k, width))
    for j, sp in enumerate(specs):
        if sp.table is not None:
            tables[j, : sp.table.shape[0]] = sp.table
    ids = np.array([streams[path] for path in space], dtype=np.uint64)
    out = np.empty((keys.shape[0], k))
    _sample_all(keys, ids, kinds, coef, tables, out)
    return out


def sample_space(
    space: ParamSpace, keys: NDArray[np.uint64], streams: dict[str, np.uint64]
) -> dict[str, Array]:
    """Draw every parameter of ``space``; map each path to its values (one per draw)."""
    matrix = sample_matrix(space, keys, streams)
    return {path: matrix[:, j] for j, path in enumerate(space)}


_EMPTY = np.zeros(1)


@jit(parallel=True, nogil=True)
def _sample_all(
    keys: NDArray[np.uint64],
    ids: NDArray[np.uint64],
    kinds: NDArray[np.int64],
    coef: Array,
    tables: Array,
    out: Array,
) -> None:
    zero = np.uint64(0)
    n = keys.shape[0]
    blocks = (n + 255) // 256
    for blk in nb.prange(blocks):
        lo = blk * 256
        hi = min(lo + 256, n)
        for j in range(ids.shape[0]):
            kind = kinds[j]
            if kind == FIXED:
                for d in range(lo, hi):
                    out[d, j] = coef[j, 0]
                continue
            table = tables[j]
            p0, p1, p2 = coef[j, 0], coef[j, 1], coef[j, 2]
            for d in range(lo, hi):
                u = uniform(keys[d], ids[j], zero, zero)
                out[d, j] = _transform(u, kind, p0, p1, p2, table)


@jit(inline="always")
def _transform(u: float, kind: int, p0: float, p1: float, p2: float, table: Array) -> float:
    if kind == UNIFORM:
        return p0 + (p1 - p0) * u
    if kind == NORMAL:
        return p0 + p1 * ndtri(u)
    if kind == LOGNORMAL:
        return math.exp(p0 + p1 * ndtri(u))
    if kind == TRIANGULAR:
        cut = (p1 - p0) / (p2 - p0)
        if u < cut:
            return p0 + math.sqrt(u * (p2 - p0) * (p1 - p0))
        return p2 - math.sqrt((1.0 - u) * (p2 - p0) * (p2 - p1))
    if kind == TABLE:
        pos = (ndtri(u) + 8.5) / 17.0 * (table.shape[0] - 1)
        if pos <= 0.0:
            return float(table[0])
        i = int(pos)
        if i >= table.shape[0] - 1:
            return float(table[table.shape[0] - 1])
        w = pos - i
        return float(table[i] * (1.0 - w) + table[i + 1] * w)
    return p0


@jit()
def _ppf_loop(u: Array, kind: int, p0: float, p1: float, p2: float, table: Array) -> Array:
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = _transform(u[i], kind, p0, p1, p2, table)
    return out


def _ppf_numpy(spec: KernelSpec, u: Array) -> Array:
    flat = np.ascontiguousarray(u.ravel())
    if spec.kind == FIXED:
        return np.full(u.shape, spec.p0)
    table = spec.table if spec.table is not None else _EMPTY
    return _ppf_loop(flat, spec.kind, spec.p0, spec.p1, spec.p2, table).reshape(u.shape)


_TABLES: dict[tuple[str, float, float], Array] = {}


def _beta_table(a: float, b: float) -> Array:
    key = ("beta", a, b)
    if key not in _TABLES:
        _TABLES[key] = np.asarray(special.betaincinv(a, b, special.ndtr(_GRID)), dtype=np.float64)
    return _TABLES[key]


def _gamma_table(shape: float, rate: float) -> Array:
    key = ("gamma", shape, rate)
    if key not in _TABLES:
        _TABLES[key] = np.asarray(
            special.gammaincinv(shape, special.ndtr(_GRID)) / rate, dtype=np.float64
        )
    return _TABLES[key]


def _interval(data: dict[str, Any]) -> tuple[float, float]:
    raw = data["interval90"]
    try:
        lo, hi = (float(x) for x in raw)
    except (TypeError, ValueError):
        raise ValueError(f"interval90 must be two numbers [lo, hi], not {raw!r}") from None
    if not hi > lo:
        raise ValueError(f"interval90 needs lo < hi, got [{_g(lo)}, {_g(hi)}]")
    return lo, hi


def _g(x: float) -> str:
    return f"{x:.4g}"


__all__ = [
    "DIST_NAMES",
    "Beta",
    "Distribution",
    "Fixed",
    "Gamma",
    "KernelSpec",
    "LogNormal",
    "Normal",
    "ParamSpace",
    "Sampler",
    "Triangular",
    "Uniform",
    "beta_from_interval",
    "sample_matrix",
    "sample_space",
    "uniforms",
]
