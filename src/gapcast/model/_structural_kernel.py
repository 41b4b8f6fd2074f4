"""Numba kernel of the structural model (equations in ``gapcast.model.structural``).

Layout: month-outer, draws-inner. A block of up to ``BATCH`` draws keeps its per-draw
constants, its state and the month's random numbers in one flat scratch array (a row per
quantity, a slot per draw); each month runs a few loops over the block's draws whose bodies
are branch-free arithmetic (selects, table gathers, no calls), so LLVM vectorises them
(eight draws per AVX-512 instruction). The model's one transcendental, ``ln(1 + e^x)`` of
the serving share's logit, is evaluated by ``_softplus`` with polynomials instead of
``math.exp``/``math.log1p`` (scalar library calls that keep a loop scalar; Numba has no
vector math library here); it agrees with them to a few units in the last place. No
fast-math beyond ``contract`` (``_block`` fuses a multiply and an add into one rounding,
in vector lanes and in the scalar remainder alike; no reassociation, no approximations):
a draw's arithmetic is the same whichever lane, remainder or block it lands in, so results
stay bitwise identical for any chunking (tested).
``gapcast.model._structural_reference`` keeps the former scalar kernel, which the tests and
``benchmarks/bench_engine.py`` compare this one with.

The parameter arrays hold a row per outer draw and ``row[d]`` is draw ``d``'s: a block
copies its rows into a small scratch before it runs. The block's frontiers stay in the
months x groups x draws layout the tallies read (``gapcast.model._outcomes``), so they too
loop over contiguous rows.

Table gathers are slow on the CPU this was measured on (Zen 4), which decided two
choices: ``ln(1 + e^x)`` keeps its one division (table-driven ``exp`` and ``log1p`` with
four gathers and five fewer multiply-adds ran 2.7 against 2.1 ns a call), and a blended
Student-t row per outer draw was dropped (LLVM does not vectorise gathers from a scratch
array that might alias the loop's stores, which halved the kernel's speed; the
compiled-in ``T_TABLE`` is a constant, so gathers from it vectorise).

The random numbers are the engine's counter-based streams (``gapcast.model._random``): a
number depends only on the draw's key, the stream and the month, so results do not depend
on the block, chunk or thread a draw lands in. The Student-t shocks are ``T_nu(z)``, the
``t`` quantile of ``Phi(z)`` for a standard normal ``z``, read from a table (``T_TABLE``)
on a grid of ``z`` and of ``nu`` and interpolated linearly in both.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from gapcast.model._jit import jit
from gapcast.model._outcomes import BATCH, lag_months_mask, lags, tally_batch
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
from gapcast.model._structural_reference import (
    _C_STREAM,
    _K_STREAM,
    _OBS_STREAM,
    _REL_STREAM,
    _S_STREAM,
    _U0,
    _U1,
    C0,
    C1,
    DF_GRID,
    DFW,
    G0,
    G1,
    KAP,
    LAG,
    LAM,
    LH0,
    LH1,
    LK0,
    LK1,
    NCOL,
    OBS,
    SIG,
    SS0,
    SS1,
    TH0,
    TH1,
    VOL,
    X0,
    X1,
    Z_LO,
    Z_N,
    Z_STEP,
    _student,
    block_reference,
)

Array = NDArray[np.float64]

__all__ = [
    "C0",
    "C1",
    "DFW",
    "DF_GRID",
    "G0",
    "G1",
    "KAP",
    "LAG",
    "LAM",
    "LH0",
    "LH1",
    "LK0",
    "LK1",
    "NCOL",
    "OBS",
    "SIG",
    "SS0",
    "SS1",
    "TH0",
    "TH1",
    "T_TABLE",
    "VOL",
    "X0",
    "X1",
    "Z_LO",
    "Z_N",
    "Z_STEP",
    "max_lag",
    "paths",
    "tally",
    "tally_serial",
]


def _copy_function(fn: Any, name: str) -> Any:
    """Return a copy of ``fn`` named ``name``.

    Numba's on-disk cache keys a function by its name and line, not by its compile options,
    so the serial and the parallel compilations of one body need two names.
    """
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = fn.__doc__
    return copy


T_TABLE = np.ascontiguousarray(
    stats.t.ppf(special.ndtr(Z_LO + Z_STEP * np.arange(Z_N))[None, :], DF_GRID[:, None]),
    np.float64,
)
"""``T_nu(z)``: rows ``DF_GRID``, columns the ``z`` grid (compiled into the kernel)."""

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LN2 = math.log(2.0)
_LOG2E = 1.0 / math.log(2.0)
_SQRT2M1 = math.sqrt(2.0) - 1.0
_POW2NEG = 2.0 ** -np.arange(64.0)
_EXP_C = 1.0 / np.array([math.factorial(j) for j in range(14)], dtype=np.float64)
_SP_FLOOR = -40.0
"""``_softplus`` treats ``|x| > 40`` as 40: ``e^-40 = 4e-18`` is below rounding of the sums."""


@jit(inline="always")
def _exp_neg(a: float) -> float:
    """``e^a`` for ``-40 <= a <= 0`` (Cody-Waite reduction, degree-13 Taylor, table ``2^-k``)."""
    k = np.floor(a * _LOG2E + 0.5)
    r = (a - k * _LN2_HI) - k * _LN2_LO
    p = _EXP_C[13]
    p = p * r + _EXP_C[12]
    p = p * r + _EXP_C[11]
    p = p * r + _EXP_C[10]
    p = p * r + _EXP_C[9]
    p = p * r + _EXP_C[8]
    p = p * r + _EXP_C[7]
    p = p * r + _EXP_C[6]
    p = p * r + _EXP_C[5]
    p = p * r + _EXP_C[4]
    p = p * r + _EXP_C[3]
    p = p * r + _EXP_C[2]
    p = p * r + 1.0
    p = p * r + 1.0
    return float(p * _POW2NEG[int(-k)])


@jit(inline="always")
def _log1p_unit(y: float) -> float:
    """``ln(1 + y)`` for ``0 <= y <= 1``: ``2 atanh(s)`` series with ``|s| <= 0.1716``."""
    big = y > _SQRT2M1
    s = (y - 1.0) / (y + 3.0) if big else y / (y + 2.0)
    s2 = s * s
    p = 1.0 / 23.0
    p = p * s2 + 1.0 / 21.0
    p = p * s2 + 1.0 / 19.0
    p = p * s2 + 1.0 / 17.0
    p = p * s2 + 1.0 / 15.0
    p = p * s2 + 1.0 / 13.0
    p = p * s2 + 1.0 / 11.0
    p = p * s2 + 1.0 / 9.0
    p = p * s2 + 1.0 / 7.0
    p = p * s2 + 1.0 / 5.0
    p = p * s2 + 1.0 / 3.0
    p = p * s2 + 1.0
    v = 2.0 * s * p
    return v + _LN2 if big else v


@jit(inline="always")
def _softplus(x: float) -> float:
    """``ln(1 + e^x)`` without overflow or library calls; ``ln(1 - s) = -softplus(logit s)``."""
    return max(x, 0.0) + _log1p_unit(_exp_neg(max(-abs(x), _SP_FLOOR)))


_K2 = np.uint64(0xD1B54A32D192ED03)
_HALF = np.uint64(2147483648)


_B = BATCH
"""Row length of a block's scratch: row ``r`` of a flat array is ``[r * _B, r * _B + m)``.

One flat array with compile-time row offsets, not one array per quantity: LLVM then sees
every load and store of a loop at a constant distance from each other (no run-time alias
checks, which it caps) and vectorises the loop."""

# rows of W (float64): per-draw constants, then the state, then this month's numbers
(
    _WLH0, _WLH1, _WSS0, _WSS1, _WVOL, _WLAM, _WKAP, _WSIG, _WOBS, _WDFW, _WTH0, _WTH1, _WJ,
    _WK0, _WK1, _WX0, _WX1, _WR0, _WR1, _WC0, _WC1, _WF0, _WF1, _WG0, _WG1,
    _WN0, _WN1, _WN2, _WN3, _WN4, _WN5, _WN6, _WN7, _WO0, _WO1,
) = range(35)  # fmt: skip
_NW = 35
# rows of U (uint64): the five stream keys, then the two release thresholds
_UK0, _UK1, _UK2, _UREL, _UOBS, _UT0, _UT1 = range(7)
_NU = 7
_NSTREAM = np.array([_UK0, _UK0, _UK1, _UK1, _UK2, _UK2, _UOBS, _UOBS], np.int64)
"""Row of ``U`` with the stream key of each normal row ``_WN0 + s``."""


@jit(nogil=True)
def _normals(
    skeys: NDArray[np.uint64], i: np.uint64, m: int, out: Array, rej: NDArray[np.bool_]
) -> None:
    """Write ``normal(skeys[k], i)`` for ``k < m`` into ``out`` (bit-identical to ``normal``).

    The first loop is the ziggurat's fast path for every draw at once, branch-free so that
    it vectorises; it flags in ``rej`` and counts the 0.4% of draws the fast path rejects,
    which the second loop redoes on the scalar slow path. That loop reads the flags eight
    at a time (``rej`` seen as 64-bit words): with 128 draws a block has a rejection in
    most months, and a flag-by-flag scan to the last one cost more than the slow path.
    """
    base = _K2 * i
    left = 0
    for k in range(m):
        z = mix64(skeys[k] + base)
        hz = float(np.int64(z >> _S32) - np.int64(_HALF))
        iz = np.int64(z & _MASK_LAYER)
        out[k] = hz * _WN[iz]
        r = abs(hz) >= _KN[iz]
        rej[k] = r
        left += r
    if left == 0:
        return
    words = rej.view(np.uint64)
    for w in range((m + 7) // 8):
        if words[w] == 0:
            continue
        for k in range(8 * w, min(8 * w + 8, m)):
            if rej[k]:
                z = mix64(skeys[k] + base)
                hz = float(np.int64(z >> _S32) - np.int64(_HALF))
                out[k] = _normal_slow(skeys[k], i, hz, int(z & _MASK_LAYER))


@jit(nogil=True, fastmath={"contract"})
def _block(
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
    """Simulate the block's ``m`` draws (``m <= BATCH``): frontiers into ``Ft``.

    ``Ft`` is months x 2 x block. ``free[b]`` is NaN for a side whose serving share follows
    its random walk, else the logit of the share it is held at from month 1 on (month 0
    keeps today's share). ``Cp`` (pad + months x 2 x block) receives the latent
    capabilities from row ``pad`` on; rows before ``pad`` hold the other side's measured
    history (``pad`` is at least the longest catch-up lag), so the lagged term is one read
    whatever the month. The Student-t table is the compiled-in ``T_TABLE`` (``tab`` is the
    same table, kept for the reference kernel's signature).
    """
    months = Ft.shape[0]
    n0 = hist0.shape[0]
    n1 = hist1.shape[0]
    hold0 = free[0]
    hold1 = free[1]
    free0 = math.isnan(hold0)
    free1 = math.isnan(hold1)
    n_sh = sh_month.shape[0]
    n_gc = gc_month.shape[0]
    W = np.zeros(_NW * _B)
    U = np.empty(_NU * _B, np.uint64)
    lag = np.empty(_B, np.int64)
    for k in range(m):
        key = keys[k]
        U[_UK0 * _B + k] = stream_key(key, _K_STREAM)
        U[_UK1 * _B + k] = stream_key(key, _S_STREAM)
        U[_UK2 * _B + k] = stream_key(key, _C_STREAM)
        U[_UREL * _B + k] = stream_key(key, _REL_STREAM)
        U[_UOBS * _B + k] = stream_key(key, _OBS_STREAM)
        U[_UT0 * _B + k] = thr[k, 0]
        U[_UT1 * _B + k] = thr[k, 1]
        lag[k] = int(P[k, LAG])
        W[_WLH0 * _B + k] = P[k, LH0]
        W[_WLH1 * _B + k] = P[k, LH1]
        W[_WSS0 * _B + k] = P[k, SS0]
        W[_WSS1 * _B + k] = P[k, SS1]
        W[_WVOL * _B + k] = P[k, VOL]
        W[_WLAM * _B + k] = P[k, LAM]
        W[_WKAP * _B + k] = P[k, KAP]
        W[_WSIG * _B + k] = P[k, SIG]
        W[_WOBS * _B + k] = P[k, OBS]
        W[_WDFW * _B + k] = P[k, DFW]
        W[_WTH0 * _B + k] = P[k, TH0]
        W[_WTH1 * _B + k] = P[k, TH1]
        W[_WJ * _B + k] = dfi[k]
        W[_WK0 * _B + k] = P[k, LK0]
        W[_WK1 * _B + k] = P[k, LK1]
        W[_WX0 * _B + k] = P[k, X0]
        W[_WX1 * _B + k] = P[k, X1]
        W[_WR0 * _B + k] = P[k, LK0] - _softplus(P[k, X0])
        W[_WR1 * _B + k] = P[k, LK1] - _softplus(P[k, X1])
        W[_WC0 * _B + k] = P[k, C0]
        W[_WC1 * _B + k] = P[k, C1]
        W[_WF0 * _B + k] = f0[0]
        W[_WF1 * _B + k] = f0[1]
        W[_WG0 * _B + k] = P[k, G0]
        W[_WG1 * _B + k] = P[k, G1]
        Cp[pad, 0, k] = P[k, C0]
        Cp[pad, 1, k] = P[k, C1]
        Ft[0, 0, k] = f0[0]
        Ft[0, 1, k] = f0[1]
    for r in range(pad):
        u = r - pad
        for k in range(m):
            Cp[r, 0, k] = hist0[max(n0 + u, 0)] if n0 > 0 else P[k, C0]
            Cp[r, 1, k] = hist1[max(n1 + u, 0)] if n1 > 0 else P[k, C1]
    one_lag = True
    for k in range(1, m):
        one_lag = one_lag and lag[k] == lag[0]
    rej = np.zeros(_B, np.bool_)
    for t in range(1, months):
        ut = np.uint64(t)
        u2 = ut + ut
        for i in range(n_gc):
            if gc_month[i] == t:
                b = (_WG0 + gc_group[i]) * _B
                for k in range(m):
                    W[b + k] += gc[k, i]
        # this month's normals, a stream at a time (rows N0..N7: K0 K1 S0 S1 C0 C1 O0 O1)
        for s in range(8):
            if (s == 2 and not free0) or (s == 3 and not free1):
                continue
            key = _NSTREAM[s] * _B
            r = (_WN0 + s) * _B
            _normals(U[key : key + m], u2 + np.uint64(s & 1), m, W[r : r + m], rej)
        # compute stock: ln K += g + vol * e
        for k in range(m):
            vol = W[_WVOL * _B + k]
            W[_WK0 * _B + k] += W[_WG0 * _B + k] + vol * W[_WN0 * _B + k]
            W[_WK1 * _B + k] += W[_WG1 * _B + k] + vol * W[_WN1 * _B + k]
        for i in range(n_sh):
            if sh_month[i] == t:
                r = (_WK0 + sh_group[i]) * _B
                for k in range(m):
                    v = sh[k, i]
                    if sh_add[i] == 1:
                        W[r + k] = math.log(max(math.exp(W[r + k]) + v, 1.0))
                    else:
                        W[r + k] += v
        # the other side's capability L months back: a row copy when the block's draws
        # share their lag (they come from one or two outer draws in a large run), else a
        # gather (a loop of its own, which stays scalar)
        now = pad + t
        if one_lag:
            back = now - lag[0]
            for k in range(m):
                W[_WO0 * _B + k] = Cp[back, 1, k]
                W[_WO1 * _B + k] = Cp[back, 0, k]
        else:
            for k in range(m):
                W[_WO0 * _B + k] = Cp[now - lag[k], 1, k]
                W[_WO1 * _B + k] = Cp[now - lag[k], 0, k]
        for k in range(m):
            # serving share: logit random walk, drift = demand growth - compute growth
            x0 = W[_WX0 * _B + k] + W[_WLH0 * _B + k] - W[_WG0 * _B + k]
            x0 += W[_WSS0 * _B + k] * W[_WN2 * _B + k]
            x1 = W[_WX1 * _B + k] + W[_WLH1 * _B + k] - W[_WG1 * _B + k]
            x1 += W[_WSS1 * _B + k] * W[_WN3 * _B + k]
            x0 = x0 if free0 else hold0
            x1 = x1 if free1 else hold1
            W[_WX0 * _B + k] = x0
            W[_WX1 * _B + k] = x1
            # research compute R = (1 - s) K and its running maximum, in logs
            p0 = W[_WR0 * _B + k]
            p1 = W[_WR1 * _B + k]
            r0 = max(p0, W[_WK0 * _B + k] - _softplus(x0))
            r1 = max(p1, W[_WK1 * _B + k] - _softplus(x1))
            W[_WR0 * _B + k] = r0
            W[_WR1 * _B + k] = r1
            # capability: drift, research, catch-up, Student-t shock
            c0 = W[_WC0 * _B + k]
            c1 = W[_WC1 * _B + k]
            lam = W[_WLAM * _B + k]
            kap = W[_WKAP * _B + k]
            sig = W[_WSIG * _B + k]
            w = W[_WDFW * _B + k]
            j = int(W[_WJ * _B + k])
            c0n = c0 + W[_WTH0 * _B + k] + lam * (r0 - p0)
            c0n += kap * max(0.0, W[_WO0 * _B + k] - c0)
            c1n = c1 + W[_WTH1 * _B + k] + lam * (r1 - p1)
            c1n += kap * max(0.0, W[_WO1 * _B + k] - c1)
            c0n += sig * _student(W[_WN4 * _B + k], T_TABLE, j, w)
            c1n += sig * _student(W[_WN5 * _B + k], T_TABLE, j, w)
            W[_WC0 * _B + k] = c0n
            W[_WC1 * _B + k] = c1n
            # releases observe C with noise; the observed frontier is their running max
            obs = W[_WOBS * _B + k]
            e0 = max(W[_WF0 * _B + k], c0n + obs * W[_WN6 * _B + k])
            e1 = max(W[_WF1 * _B + k], c1n + obs * W[_WN7 * _B + k])
            rel = U[_UREL * _B + k]
            if draw_bits(rel, ut, _U0) < U[_UT0 * _B + k]:
                W[_WF0 * _B + k] = e0
            if draw_bits(rel, ut, _U1) < U[_UT1 * _B + k]:
                W[_WF1 * _B + k] = e1
        for k in range(m):
            Cp[now, 0, k] = W[_WC0 * _B + k]
            Cp[now, 1, k] = W[_WC1 * _B + k]
            Ft[t, 0, k] = W[_WF0 * _B + k]
            Ft[t, 1, k] = W[_WF1 * _B + k]


@jit(nogil=True)
def _events(
    Ft: Array,
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
    """Tally the sustained event and both events per outer draw for draws ``k < m`` of ``Ft``.

    Sustained: the challenger's frontier at least ``margin`` above the leader's for
    ``run_len`` consecutive months; its month is the last month of the first such run.
    ``outer[part, o, e, h]`` counts draws of outer draw ``o`` with event ``e`` (0 strict,
    1 sustained) by month ``hz[h]``. Month-outer over the block's contiguous rows (the
    loop over draws vectorises); a draw's month is kept from the first run that completes.
    """
    months = Ft.shape[0]
    nh = hz.shape[0]
    run = np.zeros(m, np.int64)
    sf = np.empty(m, np.int64)
    sf[:] = months
    for t in range(1, months):
        for k in range(m):
            r = run[k] + 1 if Ft[t, 1, k] - Ft[t, 0, k] >= margin else 0
            run[k] = r
            sf[k] = t if r >= run_len and sf[k] == months else sf[k]
    for k in range(m):
        first = sf[k] if sf[k] < months else -1
        sfirst[part, sf[k]] += 1
        sus_out[start + k] = first
        o = (first_global + start + k) // inner
        fs = strict_first[start + k]
        for h in range(nh):
            if 0 < fs <= hz[h]:
                outer[part, o, 0, h] += 1
            if 0 < first <= hz[h]:
                outer[part, o, 1, h] += 1


@jit(nogil=True)
def max_lag(P: Array) -> int:
    """Return the longest catch-up lag of the draws in ``P`` (at least 1)."""
    pad = 1
    for d in range(P.shape[0]):
        pad = max(pad, int(P[d, LAG]))
    return pad


@jit(nogil=True)
def _scratch(P: Array, sh: Array, gc: Array) -> tuple[Array, Any, Any, Array, Array]:
    """Return a block's copies of the per-draw arrays (``_simulate`` fills them)."""
    return (
        np.empty((BATCH, P.shape[1])),
        np.empty(BATCH, np.int64),
        np.empty((BATCH, 2), np.uint64),
        np.empty((BATCH, sh.shape[1])),
        np.empty((BATCH, gc.shape[1])),
    )


@jit(nogil=True)
def _simulate(
    reference: bool,
    lo: int,
    m: int,
    keys: NDArray[np.uint64],
    row: NDArray[np.int64],
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
    scratch: tuple[Array, Any, Any, Array, Array],
) -> None:
    """Run ``_block`` or, with ``reference``, the former scalar kernel on draws ``lo .. + m``.

    ``P, dfi, thr, sh, gc`` hold one row per outer draw and ``row[d]`` is draw ``d``'s; the
    block's rows are copied into ``scratch`` first (a run's draws share few outer draws,
    so a copy per draw of the whole run would only move memory).
    """
    Pb, dfib, thrb, shb, gcb = scratch
    for k in range(m):
        o = row[lo + k]
        Pb[k, :] = P[o]
        dfib[k] = dfi[o]
        thrb[k, :] = thr[o]
        shb[k, :] = sh[o]
        gcb[k, :] = gc[o]
    kb = keys[lo : lo + m]
    if reference:
        block_reference(
            m, kb, Pb, dfib, thrb, tab, f0, hist0, hist1, free, shb, sh_month, sh_group,
            sh_add, gcb, gc_month, gc_group, pad, Ft, Cp,
        )  # fmt: skip
    else:
        _block(
            m, kb, Pb, dfib, thrb, tab, f0, hist0, hist1, free, shb, sh_month, sh_group,
            sh_add, gcb, gc_month, gc_group, pad, Ft, Cp,
        )  # fmt: skip


@jit(nogil=True)
def _range(
    lo: int,
    hi: int,
    part: int,
    keys: NDArray[np.uint64],
    row: NDArray[np.int64],
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
    reference: bool,
) -> None:
    """Simulate and tally draws ``lo .. hi - 1`` into the tallies of ``part``.

    ``row[d]`` is draw ``d``'s row of ``P, dfi, thr, sh, gc`` (see ``_simulate``).
    """
    pad = max_lag(P)
    Ft = np.empty((months, 2, BATCH))
    Cp = np.empty((pad + months, 2, BATCH))
    Lb = np.zeros((months, BATCH))
    scratch = _scratch(P, sh, gc)
    at = lag_months_mask(months)
    for start in range(lo, hi, BATCH):
        m = min(BATCH, hi - start)
        _simulate(
            reference, start, m, keys, row, P, dfi, thr, tab, f0, hist0, hist1, free, sh,
            sh_month, sh_group, sh_add, gc, gc_month, gc_group, pad, Ft, Cp, scratch,
        )  # fmt: skip
        lags(Ft, m, hist0, hist1, at, Lb)
        tally_batch(Ft, Lb, at, m, base, part, ahead, first, gap, level, lag, first_out, start)
        _events(
            Ft, m, margin, run_len, first_out, start, first_global, inner, hz, part, sfirst,
            outer, sus_out,
        )  # fmt: skip


def _tally(bounds: NDArray[np.int64], args: tuple[Any, ...]) -> None:
    """Simulate and tally every draw, one slice of ``bounds`` per part (``prange``).

    ``args`` are ``_range``'s arguments after ``part`` (see ``structural.simulate_tally``).
    Compiled twice: ``tally`` runs the slices on Numba's threads, ``tally_serial`` on the
    calling thread (for worker threads, which must not start threads of their own).
    """
    for part in nb.prange(bounds.shape[0] - 1):
        _range(bounds[part], bounds[part + 1], part, *args)


tally = jit(parallel=True, nogil=True)(_tally)
tally_serial = jit(nogil=True)(_copy_function(_tally, "tally_serial"))


@jit(parallel=True, nogil=True)
def paths(
    keys: NDArray[np.uint64],
    row: NDArray[np.int64],
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
    reference: bool,
) -> None:
    """Write the observed frontiers (``out``) and latent capabilities (``latent``), d x t x 2.

    ``row[d]`` is draw ``d``'s row of ``P, dfi, thr, sh, gc`` (see ``_simulate``).
    """
    n = keys.shape[0]
    months = out.shape[1]
    nblocks = (n + BATCH - 1) // BATCH
    pad = max_lag(P)
    for blk in nb.prange(nblocks):
        lo = blk * BATCH
        m = min(BATCH, n - lo)
        Ft = np.empty((months, 2, BATCH))
        Cp = np.empty((pad + months, 2, BATCH))
        _simulate(
            reference, lo, m, keys, row, P, dfi, thr, tab, f0, hist0, hist1, free, sh,
            sh_month, sh_group, sh_add, gc, gc_month, gc_group, pad, Ft, Cp,
            _scratch(P, sh, gc),
        )  # fmt: skip
        for k in range(m):
            for t in range(months):
                out[lo + k, t, 0] = Ft[t, 0, k]
                out[lo + k, t, 1] = Ft[t, 1, k]
                latent[lo + k, t, 0] = Cp[pad + t, 0, k]
                latent[lo + k, t, 1] = Cp[pad + t, 1, k]
