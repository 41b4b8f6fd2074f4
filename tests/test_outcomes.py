"""The kernels' tallies against a plain per-draw computation on random blocks.

The tallies run month-outer over a block (months x groups x draws); the lags count months
at or above a level instead of searching each draw's series. These tests compare both with
the definitions in ``gapcast.model._outcomes``, written the slow way.
"""

from __future__ import annotations

import numpy as np
import pytest

from gapcast.model._outcomes import (
    GAP_BINS,
    LAG_BINS,
    LEVEL_BINS,
    lag_months_mask,
    lags,
    tally_batch,
)


def _block(rng: np.random.Generator, months: int, m: int) -> np.ndarray:
    """Non-decreasing frontiers, months x 2 x m, that cross each other now and then."""
    steps = rng.exponential(1.0, (months, 2, m)) * (rng.random((months, 2, m)) < 0.4)
    steps[0] = 0.0
    F = np.cumsum(steps, axis=0)
    F[:, 0, :] += 150.0
    F[:, 1, :] += 150.0 + rng.normal(-3.0, 3.0, m)
    F[:, :, : m // 8] = np.round(F[:, :, : m // 8])  # ties, within and between the groups
    return F


def _reach(series: np.ndarray, n_hist: int, v: float) -> float:
    """First month (relative to as-of) the series reached ``v``, linear between months."""
    i = int(np.argmax(series >= v))
    if i == 0:
        return float(-n_hist)
    prev, here = series[i - 1], series[i]
    if here <= prev:
        return float(i - n_hist)
    return float(i - 1 - n_hist + (v - prev) / (here - prev))


def _lag_slow(F: np.ndarray, hist: list[np.ndarray], t: int, k: int) -> float:
    lead, chal = F[t, 0, k], F[t, 1, k]
    g, v, sign = (0, chal, 1.0) if lead >= chal else (1, lead, -1.0)
    series = np.concatenate([hist[g], F[: t + 1, g, k]])
    return sign * (t - _reach(series, hist[g].shape[0], v))


@pytest.mark.parametrize("n_hist", [(0, 0), (30, 25), (3, 40)])
def test_lags_match_a_search_of_each_draws_series(n_hist: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(n_hist))
    months, m = 61, 128
    F = _block(rng, months, m)
    hist = [np.sort(rng.uniform(100.0, F[0, g].min(), n_hist[g])) for g in range(2)]
    at = lag_months_mask(months)
    out = np.zeros((months, m))
    lags(F, m - 3, hist[0], hist[1], at, out)  # a partial block: the last 3 slots unused
    for t in np.flatnonzero(at):
        for k in range(m - 3):
            assert out[t, k] == pytest.approx(_lag_slow(F, hist, int(t), k), abs=1e-9)
    assert (out[:, m - 3 :] == 0.0).all()


def test_tallies_match_per_draw_counts() -> None:
    rng = np.random.default_rng(7)
    months, m = 37, 128
    F = _block(rng, months, m)
    L = rng.normal(0.0, 20.0, (months, m))
    at = lag_months_mask(months)
    base = 150.0
    parts = 2
    ahead = np.zeros((parts, months), np.int64)
    first = np.zeros((parts, months + 1), np.int64)
    gap = np.zeros((parts, months, GAP_BINS.n), np.int32)
    level = np.zeros((parts, months, 2, LEVEL_BINS.n), np.int32)
    lag = np.zeros((parts, months, LAG_BINS.n), np.int32)
    first_out = np.full(m + 5, 99, np.int16)
    tally_batch(F, L, at, m, base, 1, ahead, first, gap, level, lag, first_out, 5)

    assert ahead[0].sum() == first[0].sum() == gap[0].sum() == 0  # only part 1 is written
    up = F[:, 1, :] > F[:, 0, :]
    np.testing.assert_array_equal(ahead[1], up.sum(axis=1))
    want_first = np.array(
        [int(np.argmax(up[1:, k])) + 1 if up[1:, k].any() else -1 for k in range(m)]
    )
    np.testing.assert_array_equal(first_out[5:], want_first)
    assert (first_out[:5] == 99).all()
    np.testing.assert_array_equal(
        first[1], np.bincount(np.where(want_first < 0, months, want_first), minlength=months + 1)
    )

    def bins(x: np.ndarray, lo: float, width: float, n: int) -> np.ndarray:
        return np.clip(np.floor((x - lo) * (1.0 / width)), 0, n - 1).astype(int)

    for t in range(months):
        g = bins(F[t, 0] - F[t, 1], GAP_BINS.lo, GAP_BINS.width, GAP_BINS.n)
        np.testing.assert_array_equal(gap[1, t], np.bincount(g, minlength=GAP_BINS.n))
        for col in range(2):
            lv = bins(F[t, col] - base, LEVEL_BINS.lo, LEVEL_BINS.width, LEVEL_BINS.n)
            np.testing.assert_array_equal(level[1, t, col], np.bincount(lv, minlength=LEVEL_BINS.n))
        want_lag = np.bincount(
            bins(L[t], LAG_BINS.lo, LAG_BINS.width, LAG_BINS.n), minlength=LAG_BINS.n
        )
        np.testing.assert_array_equal(lag[1, t], want_lag if at[t] else 0)
