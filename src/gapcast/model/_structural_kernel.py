"""Numba kernel of the structural model (equations in ``gapcast.model.structural``).

Layout: month-outer, draws-inner. A block of up to ``BATCH`` draws keeps its state in small
arrays (one slot per draw); each month runs a loop over the block's draws whose body is
straight-line arithmetic in log space on per-draw constants prepared beforehand (``P``), so
LLVM can keep the loop in registers and vectorise its arithmetic. The random numbers are the
engine's counter-based streams (``gapcast.model._random``): a number depends only on the
draw's key, the stream and the month, so results do not depend on the block, chunk or
thread a draw lands in.

The Student-t shocks are ``T_nu(z)``, the ``t`` quantile of ``Phi(z)`` for a standard normal
``z``, read from a table (``t_table``) on a grid of ``z`` and of ``nu`` and interpolated
linearly in both: one normal and four table reads instead of a chi-square draw.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.model._jit import jit
from gapcast.model._outcomes import BATCH, lag_months_mask, lags, tally_batch
from gapcast.model._random import _KN, _MASK7, _S32, _WN, _normal_slow, draw_bits, mix64, stream_key

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
def _softplus(x: float) -> float:
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
def _normals(skeys: NDArray[np.uint64], i: np.uint64, m: int, out: Array) -> None:
    """Write ``normal(skeys[k], i)`` for ``k < m`` into ``out`` (bit-identical to ``normal``).

    The first loop is the ziggurat's fast path for every draw at once, branch-free so that
    it vectorises (64-bit multiplies and table gathers); the second redoes the ~1% of draws
    the fast path rejects, on the scalar slow path.
    """
    base = _K2 * i
    for k in range(m):
        z = mix64(skeys[k] + base)
        hz = float(np.int64(z >> _S32) - np.int64(_HALF))
        iz = np.int64(z & _MASK7)
        out[k] = hz * _WN[iz] if abs(hz) < _KN[iz] else np.nan
    for k in range(m):
        if np.isnan(out[k]):
            z = mix64(skeys[k] + base)
            hz = float(np.int64(z >> _S32) - np.int64(_HALF))
            out[k] = _normal_slow(skeys[k], i, hz, int(z & _MASK7))


@jit(nogil=True)
def _block(
    lo: int,
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
    Fb: Array,
    Cp: Array,
    st: Array,
    kk: NDArray[np.uint64],
) -> None:
    """Simulate draws ``lo .. lo + m - 1`` into ``Fb`` (block x months x 2).

    ``free[b]`` is NaN for a side whose serving share follows its random walk, else the
    logit of the share it is held at from month 1 on (month 0 keeps today's share).

    ``Cp`` (months x 2 x block) keeps the latent capabilities for the catch-up lag; ``st``
    (10 x block) and ``kk`` (5 x block) are scratch for the state and the stream keys.
    """
    months = Fb.shape[1]
    n0 = hist0.shape[0]
    n1 = hist1.shape[0]
    hold0 = free[0]
    hold1 = free[1]
    n_sh = sh_month.shape[0]
    n_gc = gc_month.shape[0]
    # state rows: ln K (2), logit s (2), ln Rbar (2), C (2), F (2)
    for k in range(m):
        d = lo + k
        key = keys[d]
        kk[0, k] = stream_key(key, _K_STREAM)
        kk[1, k] = stream_key(key, _S_STREAM)
        kk[2, k] = stream_key(key, _C_STREAM)
        kk[3, k] = stream_key(key, _REL_STREAM)
        kk[4, k] = stream_key(key, _OBS_STREAM)
        st[0, k] = P[d, LK0]
        st[1, k] = P[d, LK1]
        st[2, k] = P[d, X0]
        st[3, k] = P[d, X1]
        st[4, k] = P[d, LK0] - _softplus(P[d, X0])
        st[5, k] = P[d, LK1] - _softplus(P[d, X1])
        st[6, k] = P[d, C0]
        st[7, k] = P[d, C1]
        st[8, k] = f0[0]
        st[9, k] = f0[1]
        Cp[0, 0, k] = P[d, C0]
        Cp[0, 1, k] = P[d, C1]
        Fb[k, 0, 0] = f0[0]
        Fb[k, 0, 1] = f0[1]
    g = np.empty((2, m))
    for k in range(m):
        g[0, k] = P[lo + k, G0]
        g[1, k] = P[lo + k, G1]
    rn = np.empty((8, m))
    for t in range(1, months):
        ut = np.uint64(t)
        u2 = ut + ut
        for i in range(n_gc):
            if gc_month[i] == t:
                b = gc_group[i]
                for k in range(m):
                    g[b, k] += gc[lo + k, i]
        # this month's random numbers, a stream at a time (rows: K0 K1 S0 S1 C0 C1 O0 O1)
        _normals(kk[0], u2, m, rn[0])
        _normals(kk[0], u2 + _U1, m, rn[1])
        if math.isnan(hold0):
            _normals(kk[1], u2, m, rn[2])
        if math.isnan(hold1):
            _normals(kk[1], u2 + _U1, m, rn[3])
        _normals(kk[2], u2, m, rn[4])
        _normals(kk[2], u2 + _U1, m, rn[5])
        _normals(kk[4], u2, m, rn[6])
        _normals(kk[4], u2 + _U1, m, rn[7])
        # compute stock: ln K += g + vol * e
        for k in range(m):
            vol = P[lo + k, VOL]
            st[0, k] += g[0, k] + vol * rn[0, k]
            st[1, k] += g[1, k] + vol * rn[1, k]
        for i in range(n_sh):
            if sh_month[i] == t:
                r = sh_group[i]
                for k in range(m):
                    v = sh[lo + k, i]
                    if sh_add[i] == 1:
                        st[r, k] = math.log(max(math.exp(st[r, k]) + v, 1.0))
                    else:
                        st[r, k] += v
        back = t - 1
        for k in range(m):
            d = lo + k
            # serving share: logit random walk, drift = demand growth - compute growth
            if math.isnan(hold0):
                x0 = st[2, k] + P[d, LH0] - g[0, k] + P[d, SS0] * rn[2, k]
            else:
                x0 = hold0
            if math.isnan(hold1):
                x1 = st[3, k] + P[d, LH1] - g[1, k] + P[d, SS1] * rn[3, k]
            else:
                x1 = hold1
            st[2, k] = x0
            st[3, k] = x1
            # research compute R = (1 - s) K and its running maximum, in logs
            r0 = max(st[4, k], st[0, k] - _softplus(x0))
            r1 = max(st[5, k], st[1, k] - _softplus(x1))
            dr0 = r0 - st[4, k]
            dr1 = r1 - st[5, k]
            st[4, k] = r0
            st[5, k] = r1
            # catch-up to the other side's capability L months back
            u = back + 1 - int(P[d, LAG])
            if u >= 0:
                o0 = Cp[u, 1, k]
                o1 = Cp[u, 0, k]
            else:
                o0 = hist1[max(n1 + u, 0)] if n1 > 0 else Cp[0, 1, k]
                o1 = hist0[max(n0 + u, 0)] if n0 > 0 else Cp[0, 0, k]
            c0 = st[6, k]
            c1 = st[7, k]
            lam = P[d, LAM]
            kap = P[d, KAP]
            sig = P[d, SIG]
            w = P[d, DFW]
            j = dfi[d]
            c0n = c0 + P[d, TH0] + lam * dr0 + kap * max(0.0, o0 - c0)
            c1n = c1 + P[d, TH1] + lam * dr1 + kap * max(0.0, o1 - c1)
            c0n += sig * _student(rn[4, k], tab, j, w)
            c1n += sig * _student(rn[5, k], tab, j, w)
            st[6, k] = c0n
            st[7, k] = c1n
            Cp[t, 0, k] = c0n
            Cp[t, 1, k] = c1n
            # releases observe C with noise; the observed frontier is their running max
            obs = P[d, OBS]
            f0_ = st[8, k]
            f1_ = st[9, k]
            if draw_bits(kk[3, k], ut, _U0) < thr[d, 0]:
                f0_ = max(f0_, c0n + obs * rn[6, k])
            if draw_bits(kk[3, k], ut, _U1) < thr[d, 1]:
                f1_ = max(f1_, c1n + obs * rn[7, k])
            st[8, k] = f0_
            st[9, k] = f1_
            Fb[k, t, 0] = f0_
            Fb[k, t, 1] = f1_


@jit(nogil=True)
def _events(
    Fb: Array,
    m: int,
    margin: float,
    run_len: int,
    strict_first: NDArray[np.int16],
    start: int,
    first_global: int,
    inner: int,
    hz: NDArray[np.int64],
    part: int,
    sfirst: NDArray[np.int64],
    outer: NDArray[np.int64],
    sus_out: NDArray[np.int16],
) -> None:
    """Tally the sustained event and both events per outer draw for ``m`` draws of ``Fb``.

    Sustained: the challenger's frontier at least ``margin`` above the leader's for
    ``run_len`` consecutive months; its month is the last month of the first such run.
    ``outer[part, o, e, h]`` counts draws of outer draw ``o`` with event ``e`` (0 strict,
    1 sustained) by month ``hz[h]``.
    """
    months = Fb.shape[1]
    nh = hz.shape[0]
    for k in range(m):
        run = 0
        first = -1
        for t in range(1, months):
            if Fb[k, t, 1] - Fb[k, t, 0] >= margin:
                run += 1
                if run >= run_len:
                    first = t
                    break
            else:
                run = 0
        sfirst[part, first if first >= 0 else months] += 1
        sus_out[start + k] = first
        o = (first_global + start + k) // inner
        fs = strict_first[start + k]
        for h in range(nh):
            if 0 < fs <= hz[h]:
                outer[part, o, 0, h] += 1
            if 0 < first <= hz[h]:
                outer[part, o, 1, h] += 1


@jit(nogil=True)
def _range(
    lo: int,
    hi: int,
    part: int,
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
    months: int,
    base: float,
    margin: float,
    run_len: int,
    first_global: int,
    inner: int,
    hz: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    sfirst: NDArray[np.int64],
    outer: NDArray[np.int64],
    first_out: NDArray[np.int16],
    sus_out: NDArray[np.int16],
) -> None:
    Fb = np.empty((BATCH, months, 2))
    Lb = np.zeros((BATCH, months))
    Cp = np.empty((months, 2, BATCH))
    st = np.empty((10, BATCH))
    kk = np.empty((5, BATCH), dtype=np.uint64)
    at = lag_months_mask(months)
    for start in range(lo, hi, BATCH):
        m = min(BATCH, hi - start)
        _block(
            start,
            m,
            keys,
            P,
            dfi,
            thr,
            tab,
            f0,
            hist0,
            hist1,
            free,
            sh,
            sh_month,
            sh_group,
            sh_add,
            gc,
            gc_month,
            gc_group,
            Fb,
            Cp,
            st,
            kk,
        )
        for k in range(m):
            lags(Fb[k], hist0, hist1, at, Lb[k])
        tally_batch(Fb, Lb, at, m, base, part, ahead, first, gap, level, lag, first_out, start)
        _events(
            Fb, m, margin, run_len, first_out, start, first_global, inner, hz, part, sfirst,
            outer, sus_out,
        )  # fmt: skip


@jit(parallel=True)
def tally(
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
    months: int,
    base: float,
    margin: float,
    run_len: int,
    first_global: int,
    inner: int,
    hz: NDArray[np.int64],
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    sfirst: NDArray[np.int64],
    outer: NDArray[np.int64],
    first_out: NDArray[np.int16],
    sus_out: NDArray[np.int16],
) -> None:
    """Simulate and tally every draw, ``prange`` over the slices in ``bounds``."""
    for part in nb.prange(bounds.shape[0] - 1):
        _range(
            bounds[part], bounds[part + 1], part, keys, P, dfi, thr, tab, f0, hist0, hist1,
            free, sh, sh_month, sh_group, sh_add, gc, gc_month, gc_group, months, base,
            margin, run_len, first_global, inner, hz, ahead, first, gap, level, lag, sfirst,
            outer, first_out, sus_out,
        )  # fmt: skip


@jit(nogil=True)
def tally_serial(
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
    months: int,
    base: float,
    margin: float,
    run_len: int,
    first_global: int,
    inner: int,
    hz: NDArray[np.int64],
    bounds: NDArray[np.int64],
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    sfirst: NDArray[np.int64],
    outer: NDArray[np.int64],
    first_out: NDArray[np.int16],
    sus_out: NDArray[np.int16],
) -> None:
    """``tally`` on the calling thread (for worker threads)."""
    for part in range(bounds.shape[0] - 1):
        _range(
            bounds[part], bounds[part + 1], part, keys, P, dfi, thr, tab, f0, hist0, hist1,
            free, sh, sh_month, sh_group, sh_add, gc, gc_month, gc_group, months, base,
            margin, run_len, first_global, inner, hz, ahead, first, gap, level, lag, sfirst,
            outer, first_out, sus_out,
        )  # fmt: skip


@jit(parallel=True)
def paths(
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
    out: Array,
    latent: Array,
) -> None:
    """Write the observed frontiers (``out``) and latent capabilities (``latent``), d x t x 2."""
    n = keys.shape[0]
    months = out.shape[1]
    nblocks = (n + BATCH - 1) // BATCH
    for blk in nb.prange(nblocks):
        lo = blk * BATCH
        m = min(BATCH, n - lo)
        Fb = np.empty((BATCH, months, 2))
        Cp = np.empty((months, 2, BATCH))
        st = np.empty((10, BATCH))
        kk = np.empty((5, BATCH), dtype=np.uint64)
        _block(
            lo, m, keys, P, dfi, thr, tab, f0, hist0, hist1, free, sh, sh_month, sh_group,
            sh_add, gc, gc_month, gc_group, Fb, Cp, st, kk,
        )  # fmt: skip
        for k in range(m):
            for t in range(months):
                out[lo + k, t, 0] = Fb[k, t, 0]
                out[lo + k, t, 1] = Fb[k, t, 1]
                latent[lo + k, t, 0] = Cp[t, 0, k]
                latent[lo + k, t, 1] = Cp[t, 1, k]
