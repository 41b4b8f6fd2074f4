"""The former scalar kernel of the structural model, kept as the reference.

``block_reference`` is the structural kernel as it was before the vectorised one
(``gapcast.model._structural_kernel``): the same equations, the same counter-based random
numbers, evaluated draw by draw with ``math.exp``/``math.log1p`` for ``ln(1 + e^x)`` and
reading the per-draw constants in place. The tests check that the vectorised kernel gives
its paths to rounding, and ``benchmarks/bench_engine.py`` times both. This module also
holds what both kernels share: the columns of the per-draw constants ``P``, the Student-t
table's grid and ``_student``, and the stream numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from gapcast.model._jit import jit
from gapcast.model._random import (
    _KN,
    _MASK_LAYER,
    _S32,
    _WN,
    _normal_slow,
    draw_bits,
    mix64,
    stream_key,
)

Array = NDArray[np.float64]

# per-draw columns of P (draws x NCOL)
(
    LK0,
    LK1,
    G0,
    G1,
    X0,
    X1,
    LH0,
    LH1,
    SS0,
    SS1,
    VOL,
    LAM,
    KAP,
    TH0,
    TH1,
    SIG,
    OBS,
    DFW,
    C0,
    C1,
    LAG,
) = range(21)
NCOL = 21

Z_LO, Z_STEP, Z_N = -7.0, 1.0 / 32.0, 449
"""Grid of ``z`` of the Student-t table: -7 to 7 by 1/32."""
DF_GRID = np.geomspace(1.0, 256.0, 129)
"""Degrees of freedom of the table's rows (log-spaced); beyond 256 the last row (~normal)."""

_K_STREAM = np.uint64(201)
_S_STREAM = np.uint64(202)
_C_STREAM = np.uint64(203)
_REL_STREAM = np.uint64(204)
_OBS_STREAM = np.uint64(205)
_U0 = np.uint64(0)
_U1 = np.uint64(1)


@jit(inline="always")
def _softplus_libm(x: float) -> float:
    """``ln(1 + e^x)`` without overflow; ``ln(1 - s) = -softplus(logit s)``."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@jit(inline="always")
def _student(z: float, tab: Array, i: int, w: float) -> float:
    """Return ``T_nu(z)`` from row ``i`` (weight ``1 - w``) and ``i + 1`` (weight ``w``)."""
    u = (z - Z_LO) / Z_STEP
    if u < 0.0:
        u = 0.0
    if u > Z_N - 1.000001:
        u = Z_N - 1.000001
    j = int(u)
    f = u - j
    a = tab[i, j] + f * (tab[i, j + 1] - tab[i, j])
    b = tab[i + 1, j] + f * (tab[i + 1, j + 1] - tab[i + 1, j])
    return float(a + w * (b - a))


_K2 = np.uint64(0xD1B54A32D192ED03)
_K3 = np.uint64(0x8CB92BA72F3D8DD7)
_HALF = np.uint64(2147483648)


@jit(nogil=True)
def _normals_scalar(skeys: NDArray[np.uint64], i: np.uint64, m: int, out: Array) -> None:
    """Write ``normal(skeys[k], i)`` for ``k < m`` into ``out`` (bit-identical to ``normal``).

    The first loop is the ziggurat's fast path for every draw at once, branch-free so that
    it vectorises (64-bit multiplies and table gathers); the second redoes the ~1% of draws
    the fast path rejects, on the scalar slow path.
    """
    base = _K2 * i
    for k in range(m):
        z = mix64(skeys[k] + base)
        hz = float(np.int64(z >> _S32) - np.int64(_HALF))
        iz = np.int64(z & _MASK_LAYER)
        out[k] = hz * _WN[iz] if abs(hz) < _KN[iz] else np.nan
    for k in range(m):
        if np.isnan(out[k]):
            z = mix64(skeys[k] + base)
            hz = float(np.int64(z >> _S32) - np.int64(_HALF))
            out[k] = _normal_slow(skeys[k], i, hz, int(z & _MASK_LAYER))


@jit(nogil=True)
def block_reference(
    m: int,
    keys: NDArray[np.uint64],
    P: Array,
    dfi: NDArray[np.int64],
    thr: NDArray[np.uint64],
    tab: Array,
    f0: Array,
    hist0: Array,
    hist1: Array,
    free: Array,
    sh: Array,
    sh_month: NDArray[np.int64],
    sh_group: NDArray[np.int64],
    sh_add: NDArray[np.int64],
    gc: Array,
    gc_month: NDArray[np.int64],
    gc_group: NDArray[np.int64],
    pad: int,
    Ft: Array,
    Cp: Array,
) -> None:
    """Simulate the block's ``m`` draws: frontiers into ``Ft`` (months x 2 x block).

    ``free[b]`` is NaN for a side whose serving share follows its random walk, else the
    logit of the share it is held at from month 1 on (month 0 keeps today's share).
    ``Cp`` (pad + months x 2 x block) receives the latent capabilities from row ``pad`` on.
    """
    months = Ft.shape[0]
    st = np.empty((10, m))
    kk = np.empty((5, m), dtype=np.uint64)
    n0 = hist0.shape[0]
    n1 = hist1.shape[0]
    hold0 = free[0]
    hold1 = free[1]
    n_sh = sh_month.shape[0]
    n_gc = gc_month.shape[0]
    # state rows: ln K (2), logit s (2), ln Rbar (2), C (2), F (2)
    for k in range(m):
        key = keys[k]
        kk[0, k] = stream_key(key, _K_STREAM)
        kk[1, k] = stream_key(key, _S_STREAM)
        kk[2, k] = stream_key(key, _C_STREAM)
        kk[3, k] = stream_key(key, _REL_STREAM)
        kk[4, k] = stream_key(key, _OBS_STREAM)
        st[0, k] = P[k, LK0]
        st[1, k] = P[k, LK1]
        st[2, k] = P[k, X0]
        st[3, k] = P[k, X1]
        st[4, k] = P[k, LK0] - _softplus_libm(P[k, X0])
        st[5, k] = P[k, LK1] - _softplus_libm(P[k, X1])
        st[6, k] = P[k, C0]
        st[7, k] = P[k, C1]
        st[8, k] = f0[0]
        st[9, k] = f0[1]
        Cp[pad, 0, k] = P[k, C0]
        Cp[pad, 1, k] = P[k, C1]
        Ft[0, 0, k] = f0[0]
        Ft[0, 1, k] = f0[1]
    g = np.empty((2, m))
    for k in range(m):
        g[0, k] = P[k, G0]
        g[1, k] = P[k, G1]
    rn = np.empty((8, m))
    for t in range(1, months):
        ut = np.uint64(t)
        u2 = ut + ut
        for i in range(n_gc):
            if gc_month[i] == t:
                b = gc_group[i]
                for k in range(m):
                    g[b, k] += gc[k, i]
        # this month's random numbers, a stream at a time (rows: K0 K1 S0 S1 C0 C1 O0 O1)
        _normals_scalar(kk[0], u2, m, rn[0])
        _normals_scalar(kk[0], u2 + _U1, m, rn[1])
        if math.isnan(hold0):
            _normals_scalar(kk[1], u2, m, rn[2])
        if math.isnan(hold1):
            _normals_scalar(kk[1], u2 + _U1, m, rn[3])
        _normals_scalar(kk[2], u2, m, rn[4])
        _normals_scalar(kk[2], u2 + _U1, m, rn[5])
        _normals_scalar(kk[4], u2, m, rn[6])
        _normals_scalar(kk[4], u2 + _U1, m, rn[7])
        # compute stock: ln K += g + vol * e
        for k in range(m):
            vol = P[k, VOL]
            st[0, k] += g[0, k] + vol * rn[0, k]
            st[1, k] += g[1, k] + vol * rn[1, k]
        for i in range(n_sh):
            if sh_month[i] == t:
                r = sh_group[i]
                for k in range(m):
                    v = sh[k, i]
                    if sh_add[i] == 1:
                        st[r, k] = math.log(max(math.exp(st[r, k]) + v, 1.0))
                    else:
                        st[r, k] += v
        back = t - 1
        for k in range(m):
            # serving share: logit random walk, drift = demand growth - compute growth
            if math.isnan(hold0):
                x0 = st[2, k] + P[k, LH0] - g[0, k] + P[k, SS0] * rn[2, k]
            else:
                x0 = hold0
            if math.isnan(hold1):
                x1 = st[3, k] + P[k, LH1] - g[1, k] + P[k, SS1] * rn[3, k]
            else:
                x1 = hold1
            st[2, k] = x0
            st[3, k] = x1
            # research compute R = (1 - s) K and its running maximum, in logs
            r0 = max(st[4, k], st[0, k] - _softplus_libm(x0))
            r1 = max(st[5, k], st[1, k] - _softplus_libm(x1))
            dr0 = r0 - st[4, k]
            dr1 = r1 - st[5, k]
            st[4, k] = r0
            st[5, k] = r1
            # catch-up to the other side's capability L months back
            u = back + 1 - int(P[k, LAG])
            if u >= 0:
                o0 = Cp[pad + u, 1, k]
                o1 = Cp[pad + u, 0, k]
            else:
                o0 = hist1[max(n1 + u, 0)] if n1 > 0 else Cp[pad, 1, k]
                o1 = hist0[max(n0 + u, 0)] if n0 > 0 else Cp[pad, 0, k]
            c0 = st[6, k]
            c1 = st[7, k]
            lam = P[k, LAM]
            kap = P[k, KAP]
            sig = P[k, SIG]
            w = P[k, DFW]
            j = dfi[k]
            c0n = c0 + P[k, TH0] + lam * dr0 + kap * max(0.0, o0 - c0)
            c1n = c1 + P[k, TH1] + lam * dr1 + kap * max(0.0, o1 - c1)
            c0n += sig * _student(rn[4, k], tab, j, w)
            c1n += sig * _student(rn[5, k], tab, j, w)
            st[6, k] = c0n
            st[7, k] = c1n
            Cp[pad + t, 0, k] = c0n
            Cp[pad + t, 1, k] = c1n
            # releases observe C with noise; the observed frontier is their running max
            obs = P[k, OBS]
            f0_ = st[8, k]
            f1_ = st[9, k]
            if draw_bits(kk[3, k], ut, _U0) < thr[k, 0]:
                f0_ = max(f0_, c0n + obs * rn[6, k])
            if draw_bits(kk[3, k], ut, _U1) < thr[k, 1]:
                f1_ = max(f1_, c1n + obs * rn[7, k])
            st[8, k] = f0_
            st[9, k] = f1_
            Ft[t, 0, k] = f0_
            Ft[t, 1, k] = f1_
