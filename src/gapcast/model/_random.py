r"""Counter-based random numbers for the Monte Carlo kernels (Numba).

Every random number the engine uses is a pure function of ``(draw key, stream, i, j)``:

.. math:: u = \bigl(\operatorname{mix}(\operatorname{mix}(k + K_1 s) + K_2 i + K_3 j)
          \gg 11 + \tfrac12\bigr) \, 2^{-53} \in (0, 1),

where ``mix`` is the SplitMix64 finaliser (Steele, Lea & Flood 2014) and ``k`` the draw's
key: per stream, a SplitMix64 sequence seeded by the mixed stream key.
Draw keys come from ``numpy.random.SeedSequence``: the draws are cut into fixed blocks of
``BLOCK`` draws and block ``b`` takes its two key words from
``SeedSequence(seed, spawn_key=(b,))``. So a number depends only on the seed, the draw's
global index and what it is used for, never on the chunk size, the number of workers or on
which other numbers were consumed before it: every parameter and every monthly shock is its
own stream, which gives common random numbers across scenarios for free (the same draw sees
the same shocks whatever the parameter values).
"""

from __future__ import annotations

import hashlib
import math

import numba as nb
import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from gapcast.model._jit import jit

BLOCK = 4096
"""Draws per seed block (part of the reproducibility contract: never change it)."""

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xD1B54A32D192ED03)
_K3 = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 2.0**-53


@jit(inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """Return the SplitMix64 finaliser of ``z`` (a bijection on 64-bit words)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@jit(inline="always")
def stream_key(key: np.uint64, stream: np.uint64) -> np.uint64:
    """Return the key of one stream of a draw (kernels compute it once per draw)."""
    return mix64(key + _K1 * stream)


@jit(inline="always")
def draw_uniform(skey: np.uint64, i: np.uint64, j: np.uint64) -> float:
    """Return the uniform number ``(i, j)`` of a stream key: one SplitMix64 round."""
    z = mix64(skey + _K2 * i + _K3 * j)
    return (float(z >> _S11) + 0.5) * _INV53


@jit(inline="always")
def draw_bits(skey: np.uint64, i: np.uint64, j: np.uint64) -> np.uint64:
    """Return the 64 random bits ``(i, j)`` of a stream key."""
    return mix64(skey + _K2 * i + _K3 * j)


ZIG_LAYERS = 1024
"""Layers of the ziggurat. Marsaglia & Tsang used 128, whose fast path rejects 2.8% of
numbers; with 1024 it rejects 0.4%. In the structural kernel, which vectorises the fast path
across a block of draws, the scalar slow path was a third of the time of all its normals;
the tables (16 KiB for the fast path) stay in the first-level cache."""

ZIG_R = 4.038849846109505
"""The base strip's edge for ``ZIG_LAYERS`` layers: ``ziggurat_r(1024)``, solved once here
rather than at every start (a test checks the two agree)."""


def _f(x: float) -> float:
    return math.exp(-0.5 * x * x)


def _layer_edges(r: float, layers: int) -> tuple[float, list[float]]:
    """Return the area ``v`` of each layer and the edges from ``r`` inwards (``x_{n-1} .. x_1``).

    Stops early (fewer edges) when the layers reach the top before ``x_1``, i.e. ``r`` is
    too small for ``layers``.
    """
    v = r * _f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    edges = [r]
    for _ in range(layers - 2):
        y = v / edges[-1] + _f(edges[-1])
        if y >= 1.0:
            break
        edges.append(math.sqrt(-2.0 * math.log(y)))
    return v, edges


def _closure(r: float, layers: int) -> float:
    """How far the top layer misses ``f(0) = 1`` (positive: layers too wide, ``r`` too small)."""
    v, edges = _layer_edges(r, layers)
    if len(edges) < layers - 1:
        return float(layers - len(edges))
    return v / edges[-1] + _f(edges[-1]) - 1.0


def ziggurat_r(layers: int) -> float:
    """Return the base strip's edge ``r`` for which ``layers`` layers of equal area close."""
    return float(optimize.brentq(_closure, 2.0, 6.0, args=(layers,), xtol=1e-15, rtol=1e-15))


def _ziggurat_tables(
    layers: int, r: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return Marsaglia & Tsang's (2000) ziggurat tables ``kn, wn, fn`` for ``layers``.

    Their construction for any number of layers, from the base strip's edge ``r`` that
    closes equal-area layers (``ziggurat_r``; 3.442619855899 for their 128).
    """
    v, edges = _layer_edges(r, layers)
    m1 = 2147483648.0
    kn = np.zeros(layers)
    wn = np.zeros(layers)
    fn = np.zeros(layers)
    q = v / _f(r)
    kn[0] = (r / q) * m1
    wn[0] = q / m1
    fn[0] = 1.0
    # edges[j] is x_{layers - 1 - j}: layer i spans x_{i-1} .. x_i
    x = [0.0] + edges[::-1]
    for i in range(1, layers):
        wn[i] = x[i] / m1
        fn[i] = _f(x[i])
        kn[i] = (x[i - 1] / x[i]) * m1
    return kn, wn, fn


_KN, _WN, _FN = _ziggurat_tables(ZIG_LAYERS, ZIG_R)
_S32 = np.uint64(32)
_MASK_LAYER = np.uint64(ZIG_LAYERS - 1)


@jit(inline="always")
def _signed32(z: np.uint64) -> float:
    return float(np.int64(z >> _S32) - 2147483648)


@jit(inline="always")
def normal(skey: np.uint64, i: np.uint64) -> float:
    """Return the standard normal number ``i`` of a stream key (exact ziggurat).

    Marsaglia & Tsang's ziggurat with ``ZIG_LAYERS`` layers; the layer comes from the low 10
    bits and the signed 32-bit abscissa from the high 32 bits of one 64-bit hash, so 99.6%
    of calls cost one hash and one comparison. Rejections draw further hashes ``(i, 1),
    (i, 2), ...``.
    """
    z = draw_bits(skey, i, np.uint64(0))
    hz = _signed32(z)
    iz = int(z & _MASK_LAYER)
    if abs(hz) < _KN[iz]:
        return float(hz * _WN[iz])
    return _normal_slow(skey, i, hz, iz)


@jit()
def _normal_slow(skey: np.uint64, i: np.uint64, hz: float, iz: int) -> float:
    j = np.uint64(0)
    while True:
        x = float(hz * _WN[iz])
        if iz == 0:
            while True:
                j += np.uint64(1)
                u1 = (float(draw_bits(skey, i, j) >> _S11) + 0.5) * _INV53
                j += np.uint64(1)
                u2 = (float(draw_bits(skey, i, j) >> _S11) + 0.5) * _INV53
                x = -math.log(u1) / ZIG_R
                y = -math.log(u2)
                if y + y >= x * x:
                    break
            return ZIG_R + x if hz > 0 else -ZIG_R - x
        j += np.uint64(1)
        u = (float(draw_bits(skey, i, j) >> _S11) + 0.5) * _INV53
        if _FN[iz] + u * (_FN[iz - 1] - _FN[iz]) < math.exp(-0.5 * x * x):
            return x
        j += np.uint64(1)
        z = draw_bits(skey, i, j)
        hz = _signed32(z)
        iz = int(z & _MASK_LAYER)
        if abs(hz) < _KN[iz]:
            return float(hz * _WN[iz])


@jit(inline="always")
def uniform(key: np.uint64, stream: np.uint64, i: np.uint64, j: np.uint64) -> float:
    """Return the uniform number in (0, 1) of draw ``key`` for ``(stream, i, j)``."""
    return draw_uniform(stream_key(key, stream), i, j)


@jit()
def ndtri(p: float) -> float:
    """Return the standard normal quantile of ``p`` (Wichura's AS241, PPND16).

    Accurate to about 1e-16 relative; ``p`` must lie in (0, 1).
    """
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (
            (
                (
                    (
                        (
                            (2509.0809287301226727 * r + 33430.575583588128105) * r
                            + 67265.770927008700853
                        )
                        * r
                        + 45921.953931549871457
                    )
                    * r
                    + 13731.693765509461125
                )
                * r
                + 1971.5909503065514427
            )
            * r
            + 133.14166789178437745
        ) * r + 3.387132872796366608
        den = (
            (
                (
                    (
                        (
                            (5226.495278852545561 * r + 28729.085735721942674) * r
                            + 39307.89580009271061
                        )
                        * r
                        + 21213.794301586595867
                    )
                    * r
                    + 5394.1960214247511077
                )
                * r
                + 687.1870074920579083
            )
            * r
            + 42.313330701600911252
        ) * r + 1.0
        return q * num / den
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        num = (
            (
                (
                    (
                        (
                            (7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
                            + 0.24178072517745061177
                        )
                        * r
                        + 1.27045825245236838258
                    )
                    * r
                    + 3.64784832476320460504
                )
                * r
                + 5.7694972214606914055
            )
            * r
            + 4.6303378461565452959
        ) * r + 1.42343711074968357734
        den = (
            (
                (
                    (
                        (
                            (1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
                            + 0.0151986665636164571966
                        )
                        * r
                        + 0.14810397642748007459
                    )
                    * r
                    + 0.68976733498510000455
                )
                * r
                + 1.6763848301838038494
            )
            * r
            + 2.05319162663775882187
        ) * r + 1.0
    else:
        r -= 5.0
        num = (
            (
                (
                    (
                        (
                            (2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                            + 0.0012426609473880784386
                        )
                        * r
                        + 0.026532189526576123093
                    )
                    * r
                    + 0.29656057182850489123
                )
                * r
                + 1.7848265399172913358
            )
            * r
            + 5.4637849111641143699
        ) * r + 6.6579046435011037772
        den = (
            (
                (
                    (
                        (
                            (2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                            + 1.8463183175100546818e-5
                        )
                        * r
                        + 7.868691311456132591e-4
                    )
                    * r
                    + 0.0148753612908506148525
                )
                * r
                + 0.13692988092273580531
            )
            * r
            + 0.59983220655588793769
        ) * r + 1.0
    x = num / den
    return -x if q < 0.0 else x


@jit()
def poisson_quantile(u: float, lam: float) -> int:
    """Return the smallest ``k`` with ``P(N <= k) >= u`` for ``N ~ Poisson(lam)``.

    Monotone in ``u`` and in ``lam`` (common random numbers); capped at 64.
    """
    term = math.exp(-lam)
    cdf = term
    k = 0
    while cdf < u and k < 64:
        k += 1
        term *= lam / k
        cdf += term
    return k


@jit()
def _draw_keys(words: NDArray[np.uint64], first: int, n: int, out: NDArray[np.uint64]) -> None:
    for i in range(n):
        g = first + i
        block = g // BLOCK - first // BLOCK
        local = np.uint64(g % BLOCK)
        out[i] = mix64(words[block, 0] ^ mix64(words[block, 1] + local))


def stream_id(name: str) -> np.uint64:
    """Return the 64-bit stream number of a named quantity (stable across runs)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def draw_keys(seed: int, first: int, n: int) -> NDArray[np.uint64]:
    """Return the keys of draws ``first .. first + n - 1`` for ``seed``.

    Block ``b`` (draws ``b * BLOCK`` to ``(b + 1) * BLOCK - 1``) takes two words from
    ``SeedSequence(seed, spawn_key=(b,))``, which is the ``b``-th child of
    ``SeedSequence(seed).spawn``; each draw's key mixes them with its index in the block.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    b0, b1 = first // BLOCK, (first + n - 1) // BLOCK
    words: NDArray[np.uint64] = np.asarray(
        np.stack(
            [
                np.random.SeedSequence(seed, spawn_key=(b,)).generate_state(2, np.uint64)
                for b in range(b0, b1 + 1)
            ]
        ),
        dtype=np.uint64,
    )
    out = np.empty(n, dtype=np.uint64)
    _draw_keys(words, first, n, out)
    return out


@jit(parallel=True, nogil=True)
def uniforms(keys: NDArray[np.uint64], stream: np.uint64) -> NDArray[np.float64]:
    """Return one uniform number per draw key for ``stream``."""
    out = np.empty(keys.shape[0])
    zero = np.uint64(0)
    for d in nb.prange(keys.shape[0]):
        out[d] = uniform(keys[d], stream, zero, zero)
    return out
