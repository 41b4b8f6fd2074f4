"""What the kernels record of each simulated draw: integer tallies, never floating sums.

For one draw's frontier paths ``F`` (months × groups, month 0 = the as-of month) this adds

- ``ahead[t]``: 1 if the challenger is strictly ahead at month ``t``;
- ``first[t]``: 1 at the first month ``t >= 1`` it is ahead (``first[H + 1]`` if never);
- ``gap[t, bin]``: the gap ``F_leader - F_challenger`` in points, binned;
- ``level[t, g, bin]``: each frontier relative to the leader's as-of frontier, binned;
- ``lag[t, bin]``: the lag in months, binned: ``t - u`` where ``u`` is when the leader first
  reached the challenger's level at ``t`` (history before as-of included, linear between
  months); negative when the challenger is ahead (then ``u`` is when the challenger reached
  the leader's level). Censored at the start of the recorded history. Tallied at the reported
  horizons ``LAG_MONTHS`` and the last month only (a lag costs a search of the history).

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
def _value(hist: NDArray[np.float64], F: NDArray[np.float64], col: int, i: int) -> float:
    m = hist.shape[0]
    return float(hist[i]) if i < m else float(F[i - m, col])


@jit(nogil=True)
def _reach(hist: NDArray[np.float64], F: NDArray[np.float64], col: int, t: int, v: float) -> float:
    """Month (may be negative) at which a group's non-decreasing frontier first reached ``v``.

    The series is ``hist`` (months ``-len(hist) .. -1``) followed by ``F[0 .. t, col]``;
    binary search, then linear interpolation between the two months around the crossing;
    ``-len(hist)`` when the history already starts at or above ``v`` (censored).
    """
    m = hist.shape[0]
    lo = 0
    hi = m + t
    while lo < hi:
        mid = (lo + hi) // 2
        if _value(hist, F, col, mid) < v:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return float(-m)
    prev = _value(hist, F, col, lo - 1)
    here = _value(hist, F, col, lo)
    if here <= prev:
        return float(lo - m)
    return float((lo - 1 - m) + (v - prev) / (here - prev))


@jit(nogil=True)
def lags(
    F: NDArray[np.float64],
    hist0: NDArray[np.float64],
    hist1: NDArray[np.float64],
    at: NDArray[np.bool_],
    out: NDArray[np.float64],
) -> None:
    """Write the signed lag in months at the months ``at`` of one draw's paths ``F``."""
    for t in range(F.shape[0]):
        if not at[t]:
            continue
        lead = F[t, 0]
        chal = F[t, 1]
        if lead >= chal:
            out[t] = t - _reach(hist0, F, 0, t, chal)
        else:
            out[t] = -(t - _reach(hist1, F, 1, t, lead))


@jit(nogil=True)
def tally_batch(
    Fb: NDArray[np.float64],
    Lb: NDArray[np.float64],
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
    """Add ``m`` draws (paths ``Fb``, lags ``Lb``) to the tallies of ``part``, month-major."""
    months = Fb.shape[1]
    groups = Fb.shape[2]
    for k in range(m):
        first_t = -1
        for t in range(1, months):
            if Fb[k, t, 1] > Fb[k, t, 0]:
                first_t = t
                break
        first[part, first_t if first_t >= 0 else months] += 1
        first_out[start + k] = first_t
    for t in range(months):
        for k in range(m):
            lead = Fb[k, t, 0]
            chal = Fb[k, t, 1]
            if chal > lead:
                ahead[part, t] += 1
            gap[part, t, _bin(lead - chal, GAP_LO, 1.0 / GAP_W, GAP_N)] += 1
        if at[t]:
            for k in range(m):
                lag[part, t, _bin(Lb[k, t], LAG_LO, 1.0 / LAG_W, LAG_N)] += 1
        for col in range(groups):
            for k in range(m):
                level[
                    part, t, col, _bin(Fb[k, t, col] - base, LEVEL_LO, 1.0 / LEVEL_W, LEVEL_N)
                ] += 1
