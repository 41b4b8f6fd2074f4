"""What the kernels record of each simulated draw: integer tallies, never floating sums.

For a block of draws' frontier paths ``F`` (months × groups × draws, month 0 = the as-of
month; one layout for every kernel, so a month's row is contiguous) this adds, per draw,

- ``ahead[t]``: 1 if the challenger is strictly ahead at month ``t``;
- ``first[t]``: 1 at the first month ``t >= 1`` it is ahead (``first[H + 1]`` if never);
- ``gap[t, bin]``: the gap ``F_leader - F_challenger`` in points, binned;
- ``level[t, g, bin]``: each frontier relative to the leader's as-of frontier, binned;
- ``lag[t, bin]``: the lag in months, binned: ``t - u`` where ``u`` is when the leader first
  reached the challenger's level at ``t`` (history before as-of included, linear between
  months); negative when the challenger is ahead (then ``u`` is when the challenger reached
  the leader's level). Censored at the start of the recorded history. Tallied at the reported
  horizons ``LAG_MONTHS`` and the last month only (a lag costs a pass over the months).

Counts are integers, so a total does not depend on how draws were split between chunks or
threads. Quantiles come from the histograms (bin width 0.1 points or months, linear within
a bin), so they are exact to 0.1; values beyond a histogram's range are counted in its edge
bin (gap +-200 points, levels -100 to +400 points from the leader's as-of frontier, lags
-150 to +250 months).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gapcast.model._jit import jit


@dataclass(frozen=True)
class Bins:
    """Fixed histogram bins: ``n`` bins of ``width`` from ``lo`` (edges clamp)."""

    lo: float
    width: float
    n: int

    def centers(self) -> NDArray[np.float64]:
        """Return the bin centres."""
        return np.asarray(self.lo + (np.arange(self.n) + 0.5) * self.width, dtype=np.float64)


# plain module constants, so Numba compiles them in
GAP_LO, GAP_W, GAP_N = -200.0, 0.1, 4000
LEVEL_LO, LEVEL_W, LEVEL_N = -100.0, 0.1, 5000
LAG_LO, LAG_W, LAG_N = -150.0, 0.1, 4000
GAP_BINS = Bins(GAP_LO, GAP_W, GAP_N)
LEVEL_BINS = Bins(LEVEL_LO, LEVEL_W, LEVEL_N)
LAG_BINS = Bins(LAG_LO, LAG_W, LAG_N)


@jit(inline="always")
def _bin(x: float, lo: float, inv_width: float, n: int) -> int:
    z = (x - lo) * inv_width
    if z < 0.0:
        return 0
    if z >= n:
        return n - 1
    return int(z)


BATCH = 128
"""Draws simulated before their tallies are added month by month (cache locality)."""


LAG_MONTHS = (12, 36, 60)
"""Months at which lags are tallied (and the last month): the reported horizons."""


@jit()
def lag_months_mask(months: int) -> NDArray[np.bool_]:
    """Return the mask over months ``0 .. months - 1`` at which lags are tallied."""
    mask = np.zeros(months, dtype=np.bool_)
    for t in LAG_MONTHS:
        if t < months:
            mask[t] = True
    mask[months - 1] = True
    return mask


@jit(inline="always")
def _value(hist: NDArray[np.float64], F: NDArray[np.float64], col: int, k: int, i: int) -> float:
    m = hist.shape[0]
    return float(hist[i]) if i < m else float(F[i - m, col, k])


@jit(inline="always")
def _reach(
    hist: NDArray[np.float64],
    F: NDArray[np.float64],
    col: int,
    k: int,
    t: int,
    v: float,
    above: int,
) -> float:
    """Month (may be negative) at which a group's non-decreasing frontier first reached ``v``.

    The series is ``hist`` (months ``-len(hist) .. -1``) followed by ``F[0 .. t, col, k]``,
    of which the last ``above`` months are at or above ``v`` (``lags`` counts them); when
    all are, the history is searched back from its end. Linear interpolation between the
    two months around the crossing; ``-len(hist)`` when the history already starts at or
    above ``v`` (censored).
    """
    m = hist.shape[0]
    lo = m + t + 1 - above
    if lo == m:
        while lo > 0 and hist[lo - 1] >= v:
            lo -= 1
    if lo == 0:
        return float(-m)
    prev = _value(hist, F, col, k, lo - 1)
    here = _value(hist, F, col, k, lo)
    if here <= prev:
        return float(lo - m)
    return float((lo - 1 - m) + (v - prev) / (here - prev))


@jit(nogil=True)
def lags(
    F: NDArray[np.float64],
    m: int,
    hist0: NDArray[np.float64],
    hist1: NDArray[np.float64],
    at: NDArray[np.bool_],
    out: NDArray[np.float64],
) -> None:
    """Write the signed lag in months ``out[t, k]`` at the months ``at`` of draws ``k < m``.

    ``F`` is a block's frontiers, months x groups x draws. The group behind is looked up in
    the other's series: as the series do not decrease, the month it was reached follows
    from how many months up to ``t`` are at or above its level, which one pass over the
    block's contiguous rows counts for every draw at once (a loop LLVM vectorises, where a
    search per draw would wait on each of its loads).
    """
    months = F.shape[0]
    level = np.empty(m, np.float64)
    above0 = np.empty(m, np.int64)
    above1 = np.empty(m, np.int64)
    for t in range(months):
        if not at[t]:
            continue
        for k in range(m):
            level[k] = min(F[t, 0, k], F[t, 1, k])
            above0[k] = 0
            above1[k] = 0
        for s in range(t + 1):
            # both groups' counts: a per-draw choice of row would keep the loop scalar
            for k in range(m):
                above0[k] += F[s, 0, k] >= level[k]
                above1[k] += F[s, 1, k] >= level[k]
        for k in range(m):
            if F[t, 1, k] > F[t, 0, k]:
                out[t, k] = -(t - _reach(hist1, F, 1, k, t, level[k], above1[k]))
            else:
                out[t, k] = t - _reach(hist0, F, 0, k, t, level[k], above0[k])


@jit(nogil=True)
def tally_batch(
    F: NDArray[np.float64],
    L: NDArray[np.float64],
    at: NDArray[np.bool_],
    m: int,
    base: float,
    part: int,
    ahead: NDArray[np.int64],
    first: NDArray[np.int64],
    gap: NDArray[np.int32],
    level: NDArray[np.int32],
    lag: NDArray[np.int32],
    first_out: NDArray[np.int16],
    start: int,
) -> None:
    """Add draws ``k < m`` of a block to the tallies of ``part``, month by month.

    ``F`` is the block's frontiers (months x groups x draws) and ``L`` its lags (months x
    draws). Each month first computes every draw's bin in a loop over the draws that LLVM
    vectorises (a row of ``F`` is contiguous), then adds them to the histogram.
    """
    months = F.shape[0]
    groups = F.shape[1]
    fa = np.empty(m, np.int64)
    idx = np.empty(m, np.int64)
    fa[:] = months
    for t in range(months):
        n_ahead = 0
        for k in range(m):
            lead = F[t, 0, k]
            chal = F[t, 1, k]
            up = chal > lead
            n_ahead += up
            fa[k] = t if up and t >= 1 and fa[k] == months else fa[k]
            idx[k] = _bin(lead - chal, GAP_LO, 1.0 / GAP_W, GAP_N)
        ahead[part, t] += n_ahead
        for k in range(m):
            gap[part, t, idx[k]] += 1
        if at[t]:
            for k in range(m):
                idx[k] = _bin(L[t, k], LAG_LO, 1.0 / LAG_W, LAG_N)
            for k in range(m):
                lag[part, t, idx[k]] += 1
        for col in range(groups):
            for k in range(m):
                idx[k] = _bin(F[t, col, k] - base, LEVEL_LO, 1.0 / LEVEL_W, LEVEL_N)
            for k in range(m):
                level[part, t, col, idx[k]] += 1
    for k in range(m):
        first[part, fa[k]] += 1
        first_out[start + k] = fa[k] if fa[k] < months else -1
