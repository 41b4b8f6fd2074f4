"""Numba kernels of the compute model (see ``gapcast.model.compute`` for the equations).

Per draw, ``_draw`` simulates both groups' frontiers for every month in scalars; the tally
kernels run it over slices of draws (``prange`` over slices, or serially on one thread) and
add each batch's outcomes to integer tallies (``gapcast.model._outcomes``). ``_prepare``
turns the sampled parameter matrix into the per-draw arrays ``gp`` (draws × groups × 8) and
``cp`` (draws × 8) indexed by the column constants below.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.model._jit import jit
from gapcast.model._outcomes import BATCH, lag_months_mask, lags, tally_batch
from gapcast.model._random import draw_bits, normal, stream_key

Array = NDArray[np.float64]

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
